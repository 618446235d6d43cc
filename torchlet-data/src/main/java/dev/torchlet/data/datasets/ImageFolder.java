package dev.torchlet.data.datasets;

import dev.torchlet.data.Dataset;
import dev.torchlet.data.transforms.Image;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Images in one sub-folder per class, like torchvision's ImageFolder: {@code root/cat/x.png},
 * {@code root/dog/y.jpg}. Classes are the sub-folder names sorted (label i = classes().get(i)),
 * files are found recursively and sorted by path. Images decode lazily in {@link #get} as RGB
 * (JPEG, PNG, BMP, GIF, WebP through ImageIO and the TwelveMonkeys plugins).
 *
 * <p>Corrupt files: with {@link OnCorrupt#FAIL} (default) {@code get} throws an error naming the
 * file. With {@link OnCorrupt#SKIP} every image is decoded once while the dataset is built (a full
 * pass over the files); the ones that fail are left out, logged with their path and listed in
 * {@link #skipped()}.
 */
public final class ImageFolder implements ImageDataset {
    /** torchvision's IMG_EXTENSIONS plus WebP, lowercase. */
    public static final Set<String> EXTENSIONS =
            Set.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp", ".gif");

    private static final System.Logger LOG = System.getLogger(ImageFolder.class.getName());

    public enum OnCorrupt {
        FAIL,
        SKIP
    }

    /** @param onCorrupt what to do with files that do not decode; @param channels 1, 3 (RGB) or 4 */
    public record Options(OnCorrupt onCorrupt, int channels) {
        public Options {
            if (onCorrupt == null) {
                throw new IllegalArgumentException("ImageFolder: onCorrupt is null");
            }
            if (channels != 1 && channels != 3 && channels != 4) {
                throw new IllegalArgumentException("ImageFolder: channels must be 1, 3 or 4, got " + channels);
            }
        }

        public Options(OnCorrupt onCorrupt) {
            this(onCorrupt, 3);
        }

        public Options() {
            this(OnCorrupt.FAIL, 3);
        }
    }

    private record Entry(Path path, int label) {}

    private final Path root;
    private final Options options;
    private final List<String> classes;
    private final List<Entry> entries;
    private final List<String> skipped;

    public ImageFolder(Path root) throws IOException {
        this(root, new Options());
    }

    public ImageFolder(Path root, Options options) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("ImageFolder: " + root + " is not a directory");
        }
        this.root = root;
        this.options = options;
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .sorted()
                    .forEach(names::add);
        }
        if (names.isEmpty()) {
            throw new IOException("ImageFolder: " + root + " has no class sub-folders (expected root/<class>/<image>)");
        }
        List<Entry> found = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (int label = 0; label < names.size(); label++) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(root.resolve(names.get(label)))) {
                files = s.filter(Files::isRegularFile)
                        .filter(ImageFolder::hasImageExtension)
                        .sorted()
                        .toList();
            }
            for (Path f : files) {
                if (options.onCorrupt() == OnCorrupt.SKIP) {
                    try {
                        Image.read(f, options.channels());
                    } catch (IOException | RuntimeException e) {
                        LOG.log(Level.WARNING, "ImageFolder: skipping corrupt image " + f + ": " + e.getMessage());
                        bad.add(f + ": " + e.getMessage());
                        continue;
                    }
                }
                found.add(new Entry(f, label));
            }
        }
        if (found.isEmpty()) {
            throw new IOException("ImageFolder: no readable images with extensions "
                    + EXTENSIONS.stream().sorted().toList() + " under " + root);
        }
        this.classes = List.copyOf(names);
        this.entries = List.copyOf(found);
        this.skipped = List.copyOf(bad);
    }

    private static boolean hasImageExtension(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot));
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public LabeledImage get(int index) {
        Entry e = entries.get(Dataset.checkIndex("ImageFolder", index, entries.size()));
        try {
            return new LabeledImage(Image.read(e.path(), options.channels()), e.label());
        } catch (IOException ex) {
            throw new UncheckedIOException("ImageFolder: sample " + index + ": " + ex.getMessage(), ex);
        }
    }

    /** The file of sample i. */
    public Path path(int index) {
        return entries.get(Dataset.checkIndex("ImageFolder", index, entries.size()))
                .path();
    }

    /** The label of sample i without decoding it. */
    public int label(int index) {
        return entries.get(Dataset.checkIndex("ImageFolder", index, entries.size()))
                .label();
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    /** "path: reason" of each file left out (SKIP mode). */
    public List<String> skipped() {
        return skipped;
    }

    public Path root() {
        return root;
    }
}
