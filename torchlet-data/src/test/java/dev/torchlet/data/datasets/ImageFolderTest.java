package dev.torchlet.data.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.data.Batch;
import dev.torchlet.data.DataLoader;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.Resize;
import dev.torchlet.data.transforms.ToTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    static Image solid(int w, int h, int r, int g, int b) {
        byte[] d = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            d[3 * i] = (byte) r;
            d[3 * i + 1] = (byte) g;
            d[3 * i + 2] = (byte) b;
        }
        return new Image(w, h, 3, d);
    }

    /** root/cat: a.png, b.jpg; root/dog: c.bmp, notes.txt; root/ant: d.png, broken.png. */
    static Path tree(Path root) throws IOException {
        Files.createDirectories(root.resolve("cat"));
        Files.createDirectories(root.resolve("dog"));
        Files.createDirectories(root.resolve("ant"));
        solid(5, 4, 255, 0, 0).write(root.resolve("cat/a.png"), "png");
        solid(8, 8, 0, 128, 255).write(root.resolve("cat/b.jpg"), "jpg");
        solid(3, 2, 10, 20, 30).write(root.resolve("dog/c.bmp"), "bmp");
        Files.writeString(root.resolve("dog/notes.txt"), "not an image");
        solid(2, 2, 1, 2, 3).write(root.resolve("ant/d.png"), "png");
        Files.write(root.resolve("ant/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        return root;
    }

    @Test
    void sortedClassesAndDecodedPixels(@TempDir Path tmp) throws IOException {
        ImageFolder ds = new ImageFolder(tree(tmp), new ImageFolder.Options(ImageFolder.OnCorrupt.SKIP));
        assertEquals(List.of("ant", "cat", "dog"), ds.classes());
        assertEquals(4, ds.size());
        assertEquals(1, ds.skipped().size());
        assertTrue(
                ds.skipped().getFirst().startsWith(tmp.resolve("ant/broken.png").toString()),
                ds.skipped().getFirst());
        assertEquals(0, ds.get(0).label());
        LabeledImage png = ds.get(1);
        assertEquals(1, png.label());
        assertEquals(5, png.image().width());
        assertEquals(255, png.image().get(2, 3, 0));
        assertEquals(0, png.image().get(2, 3, 1));
        LabeledImage jpg = ds.get(2);
        assertEquals(tmp.resolve("cat/b.jpg"), ds.path(2));
        assertEquals(128, jpg.image().get(4, 4, 1), 3); // lossy JPEG: within a few levels
        assertEquals(255, jpg.image().get(4, 4, 2), 3);
        LabeledImage bmp = ds.get(3);
        assertEquals(2, bmp.label());
        assertEquals(30, bmp.image().get(2, 1, 2));
        // Through a DataLoader with a resize so the sizes match.
        var loader = new DataLoader<>(
                ds.transform(new ToTensor().andThen(new Resize(4, 4))), new DataLoader.Options(4, false, 0L));
        Batch b = loader.iterator().next();
        assertEquals(
                List.of(4, 3, 4, 4),
                java.util.Arrays.stream(b.inputs().shape()).boxed().toList());
        assertEquals(
                List.of(0L, 1L, 1L, 2L),
                java.util.Arrays.stream(b.labels().toLongArray()).boxed().toList());
    }

    @Test
    void corruptImageIsFatalByDefault(@TempDir Path tmp) throws IOException {
        ImageFolder ds = new ImageFolder(tree(tmp));
        assertEquals(5, ds.size());
        assertEquals(tmp.resolve("ant/broken.png"), ds.path(0));
        var e = assertThrows(UncheckedIOException.class, () -> ds.get(0));
        assertTrue(e.getMessage().contains("cannot decode " + tmp.resolve("ant/broken.png")), e.getMessage());
        ds.get(1);
    }

    @Test
    void emptyOrMissingRootIsAnError(@TempDir Path tmp) throws IOException {
        var e = assertThrows(IOException.class, () -> new ImageFolder(tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
        var f = assertThrows(IOException.class, () -> new ImageFolder(tmp));
        assertTrue(f.getMessage().contains("has no class sub-folders"), f.getMessage());
    }

    @Test
    void webpReaderIsRegistered() {
        assertTrue(
                List.of(javax.imageio.ImageIO.getReaderFormatNames()).stream()
                        .anyMatch(n -> n.equalsIgnoreCase("webp")),
                "TwelveMonkeys WebP plugin on the class path");
    }
}
