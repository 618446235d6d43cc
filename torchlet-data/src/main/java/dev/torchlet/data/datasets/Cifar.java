package dev.torchlet.data.datasets;

import dev.torchlet.data.Dataset;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.io.InputLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 and CIFAR-100 in their binary versions ({@code cifar-10-batches-bin},
 * {@code cifar-100-binary}). Each record is the label byte(s) then 3072 pixel bytes: the 1024 red
 * values of the 32x32 image row-major, then green, then blue. CIFAR-10 has one label byte per
 * record; CIFAR-100 two (coarse, then fine). Samples are 32x32 RGB {@link Image}s.
 */
public final class Cifar implements ImageDataset {
    public static final List<String> CIFAR10_CLASSES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
    private static final int SIDE = 32;
    private static final int PIXELS = 3 * SIDE * SIDE;

    private final byte[] images; // (N, 32, 32, 3) HWC
    private final int[] labels;
    private final List<String> classes;

    /**
     * Reads binary batch files.
     *
     * @param labelBytes  1 for CIFAR-10, 2 for CIFAR-100
     * @param labelIndex  which label byte to use (CIFAR-100: 0 coarse, 1 fine)
     * @param classes     class names; labels must be below their count
     */
    public Cifar(List<Path> files, int labelBytes, int labelIndex, List<String> classes) throws IOException {
        if (labelBytes < 1 || labelIndex < 0 || labelIndex >= labelBytes) {
            throw new IllegalArgumentException(
                    "CIFAR: labelIndex " + labelIndex + " with " + labelBytes + " label bytes per record");
        }
        int record = labelBytes + PIXELS;
        long total = 0;
        List<byte[]> contents = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new IOException("CIFAR: no such file " + f);
            }
            String tooBig = InputLimits.checkTensorBytes("CIFAR " + f, Files.size(f));
            if (tooBig != null) {
                throw new IOException(tooBig);
            }
            byte[] b = Files.readAllBytes(f);
            if (b.length == 0 || b.length % record != 0) {
                throw new IOException("CIFAR: " + f + ": " + b.length + " bytes is not a whole number of "
                        + record + "-byte records (" + labelBytes + " label byte(s) + 3072 pixels); truncated or "
                        + "not a " + (labelBytes == 1 ? "CIFAR-10" : "CIFAR-100") + " binary file?");
            }
            contents.add(b);
            total += b.length / record;
        }
        if (total * PIXELS > Integer.MAX_VALUE) {
            throw new IOException("CIFAR: " + total + " images do not fit in one array");
        }
        int n = (int) total;
        this.images = new byte[n * PIXELS];
        this.labels = new int[n];
        int i = 0;
        for (int f = 0; f < contents.size(); f++) {
            byte[] b = contents.get(f);
            for (int r = 0; r < b.length / record; r++, i++) {
                int base = r * record;
                int label = b[base + labelIndex] & 0xff;
                if (label >= classes.size()) {
                    throw new IOException("CIFAR: " + files.get(f) + ": record " + r + " has label " + label
                            + ", expected below " + classes.size());
                }
                labels[i] = label;
                // CHW planes -> HWC
                int px = base + labelBytes;
                int o = i * PIXELS;
                for (int p = 0; p < SIDE * SIDE; p++) {
                    images[o + 3 * p] = b[px + p];
                    images[o + 3 * p + 1] = b[px + SIDE * SIDE + p];
                    images[o + 3 * p + 2] = b[px + 2 * SIDE * SIDE + p];
                }
            }
        }
        this.classes = List.copyOf(classes);
    }

    /** CIFAR-10 from {@code cifar-10-batches-bin}: data_batch_1..5.bin (train) or test_batch.bin. */
    public static Cifar cifar10(Path dir, boolean train) throws IOException {
        List<Path> files = new ArrayList<>();
        if (train) {
            for (int k = 1; k <= 5; k++) {
                files.add(dir.resolve("data_batch_" + k + ".bin"));
            }
        } else {
            files.add(dir.resolve("test_batch.bin"));
        }
        List<String> classes = CIFAR10_CLASSES;
        Path meta = dir.resolve("batches.meta.txt");
        if (Files.isRegularFile(meta)) {
            List<String> names = Files.readAllLines(meta).stream()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
            if (names.size() == 10) {
                classes = names;
            }
        }
        return new Cifar(files, 1, 0, classes);
    }

    /** CIFAR-100 from {@code cifar-100-binary}: train.bin or test.bin, fine (100) or coarse (20) labels. */
    public static Cifar cifar100(Path dir, boolean train, boolean fineLabels) throws IOException {
        Path file = dir.resolve(train ? "train.bin" : "test.bin");
        Path meta = dir.resolve(fineLabels ? "fine_label_names.txt" : "coarse_label_names.txt");
        int count = fineLabels ? 100 : 20;
        List<String> classes = new ArrayList<>();
        if (Files.isRegularFile(meta)) {
            classes.addAll(Files.readAllLines(meta).stream()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList());
        }
        if (classes.size() != count) {
            classes.clear();
            for (int k = 0; k < count; k++) {
                classes.add(Integer.toString(k));
            }
        }
        return new Cifar(List.of(file), 2, fineLabels ? 1 : 0, classes);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public LabeledImage get(int index) {
        Dataset.checkIndex("CIFAR", index, labels.length);
        byte[] px = java.util.Arrays.copyOfRange(images, index * PIXELS, (index + 1) * PIXELS);
        return new LabeledImage(new Image(SIDE, SIDE, 3, px), labels[index]);
    }

    @Override
    public List<String> classes() {
        return classes;
    }
}
