package dev.torchlet.data.datasets;

import dev.torchlet.data.Dataset;
import dev.torchlet.data.transforms.Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * MNIST-style datasets from IDX files: MNIST, Fashion-MNIST and KMNIST share the file names
 * {@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]} and {@code t10k-...}.
 * Samples are 1-channel {@link Image}s with int labels; everything is held in memory (47 MB for
 * 60,000 28x28 images).
 */
public final class Mnist implements ImageDataset {
    public static final List<String> MNIST_CLASSES = List.of(
            "0 - zero",
            "1 - one",
            "2 - two",
            "3 - three",
            "4 - four",
            "5 - five",
            "6 - six",
            "7 - seven",
            "8 - eight",
            "9 - nine");
    public static final List<String> FASHION_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final List<String> KMNIST_CLASSES =
            List.of("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo");

    private final byte[] pixels; // (N, H, W)
    private final byte[] labels; // (N)
    private final int n;
    private final int h;
    private final int w;
    private final List<String> classes;

    /** Reads an images file (N, H, W) and a labels file (N); both checked for matching N. */
    public Mnist(Path images, Path labels, List<String> classes) throws IOException {
        Idx.Data img = Idx.read(images);
        Idx.Data lab = Idx.read(labels);
        if (img.dims().length != 3) {
            throw new IOException("MNIST: " + images + ": expected an images file with dims (N, H, W), got "
                    + Arrays.toString(img.dims()));
        }
        if (lab.dims().length != 1) {
            throw new IOException(
                    "MNIST: " + labels + ": expected a labels file with dims (N), got " + Arrays.toString(lab.dims()));
        }
        if (img.dim(0) != lab.dim(0)) {
            throw new IOException("MNIST: " + images + " has " + img.dim(0) + " images but " + labels + " has "
                    + lab.dim(0) + " labels");
        }
        for (int i = 0; i < lab.bytes().length; i++) {
            int v = lab.bytes()[i] & 0xff;
            if (v >= classes.size()) {
                throw new IOException("MNIST: " + labels + ": label " + v + " at index " + i + " is not below the "
                        + classes.size() + " classes");
            }
        }
        this.pixels = img.bytes();
        this.labels = lab.bytes();
        this.n = img.dim(0);
        this.h = img.dim(1);
        this.w = img.dim(2);
        this.classes = List.copyOf(classes);
    }

    /** Fashion-MNIST from a folder with the four standard files (see {@code DataPaths.resolve("fashion-mnist")}). */
    public static Mnist fashion(Path dir, boolean train) throws IOException {
        return fromDir(dir, train, FASHION_CLASSES);
    }

    public static Mnist mnist(Path dir, boolean train) throws IOException {
        return fromDir(dir, train, MNIST_CLASSES);
    }

    public static Mnist kmnist(Path dir, boolean train) throws IOException {
        return fromDir(dir, train, KMNIST_CLASSES);
    }

    private static Mnist fromDir(Path dir, boolean train, List<String> classes) throws IOException {
        String prefix = train ? "train" : "t10k";
        return new Mnist(find(dir, prefix + "-images-idx3-ubyte"), find(dir, prefix + "-labels-idx1-ubyte"), classes);
    }

    private static Path find(Path dir, String name) throws IOException {
        for (String candidate : new String[] {name + ".gz", name, name.replace("-idx", ".idx")}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException("MNIST: neither " + dir.resolve(name + ".gz") + " nor " + dir.resolve(name) + " exists");
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public LabeledImage get(int index) {
        Dataset.checkIndex("MNIST", index, n);
        int hw = h * w;
        return new LabeledImage(
                new Image(w, h, 1, Arrays.copyOfRange(pixels, index * hw, (index + 1) * hw)), labels[index] & 0xff);
    }

    /** The label of sample i without building the image. */
    public int label(int index) {
        return labels[Dataset.checkIndex("MNIST", index, n)] & 0xff;
    }

    @Override
    public List<String> classes() {
        return classes;
    }
}
