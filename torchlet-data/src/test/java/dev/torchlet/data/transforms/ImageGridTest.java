package dev.torchlet.data.transforms;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * makeGrid and save against torchvision 0.14's make_grid and save_image (tools/golden/gen_image_grid.py):
 * grids within atol 1e-6, saved pixels exactly equal to the PNG save_image wrote.
 */
class ImageGridTest {
    private static Tensor g(String key) {
        return Golden.get("image_grid", key);
    }

    private static void check(String key, Tensor actual) {
        assertClose(g("grid." + key), actual, 1e-6, 1e-6, key);
    }

    @Test
    void gridsMatchTorchvision() {
        ImageGrid.Options d = ImageGrid.Options.of();
        check("default", ImageGrid.makeGrid(g("x")));
        check(
                "nrow2_pad1_val",
                ImageGrid.makeGrid(g("x"), d.withNrow(2).withPadding(1).withPadValue(0.5)));
        check("normalize", ImageGrid.makeGrid(g("y"), d.withNormalize(true)));
        check("normalize_range", ImageGrid.makeGrid(g("y"), d.withNrow(3).withValueRange(-1, 1)));
        check(
                "scale_each",
                ImageGrid.makeGrid(
                        g("y"), d.withNrow(4).withPadding(0).withNormalize(true).withScaleEach(true)));
        check("gray", ImageGrid.makeGrid(g("gray"), d.withNrow(3)));
        check("single", ImageGrid.makeGrid(g("x").select(0, 0)));
        check("gray2d", ImageGrid.makeGrid(g("gray").select(0, 0).select(0, 0)));
        check("single_batch", ImageGrid.makeGrid(g("gray").narrow(0, 0, 1), d.withNormalize(true)));
        Tensor x = g("x");
        check(
                "default",
                ImageGrid.makeGrid(
                        List.of(x.select(0, 0), x.select(0, 1), x.select(0, 2), x.select(0, 3), x.select(0, 4)), d));
    }

    @Test
    void savedPngHasSaveImagePixels(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("grid.png");
        ImageGrid.save(g("y"), out, ImageGrid.Options.of().withNrow(3).withValueRange(-1, 1));
        Image img = Image.read(out);
        Tensor want = g("save.pixels"); // (H, W, 3) uint8, read back from torchvision's PNG
        assertEquals(want.size(0), img.height());
        assertEquals(want.size(1), img.width());
        assertEquals(3, img.channels());
        long[] w = want.toLongArray();
        byte[] expected = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            expected[i] = (byte) w[i];
        }
        assertArrayEquals(expected, img.data());
        Image theirs = Image.read(
                Path.of(getClass().getResource("/golden/images/grid_saved.png").toURI()));
        assertEquals(theirs, img, "same pixels as torchvision's file");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void badInput() {
        var e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.makeGrid(Torch.zeros(2, 3, 4, 5, 6)));
        assertEquals(
                "ImageGrid: expected images (B, C, H, W), (C, H, W) or (H, W), got [2, 3, 4, 5, 6]", e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> ImageGrid.Options.of().withNrow(0));
        assertThrows(
                IllegalArgumentException.class, () -> ImageGrid.Options.of().withValueRange(1, -1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.toImage(Torch.zeros(2, 4, 4)));
    }
}
