package dev.torchlet.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Generator;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomTransformsTest {
    /** (3, h, w) with distinct values. */
    static Tensor img(int h, int w) {
        return Torch.arange(3 * h * w).to(DType.FLOAT32).div(3f * h * w).reshape(3, h, w);
    }

    @Test
    void seededTransformsRepeat() {
        Tensor x = img(12, 10);
        for (int seed = 0; seed < 3; seed++) {
            var a = new RandomResizedCrop(6, 5, 0.08, 1, 0.75, 4 / 3.0, new Generator(seed));
            var b = new RandomResizedCrop(6, 5, 0.08, 1, 0.75, 4 / 3.0, new Generator(seed));
            assertArrayEquals(a.apply(x).toFloatArray(), b.apply(x).toFloatArray());
            assertArrayEquals(new int[] {3, 6, 5}, a.apply(x).shape());
        }
        var j1 = new ColorJitter(0.4f, 0.4f, 0.4f, 0.1f, new Generator(4));
        var j2 = new ColorJitter(0.4f, 0.4f, 0.4f, 0.1f, new Generator(4));
        float[] y = j1.apply(x).toFloatArray();
        assertArrayEquals(y, j2.apply(x).toFloatArray());
        assertFalse(Arrays.equals(y, x.toFloatArray()));
        for (float v : y) {
            assertTrue(v >= 0 && v <= 1);
        }
    }

    @Test
    void randomCropWithPaddingCoversTheOffsets() {
        Tensor x = Torch.ones(1, 4, 4);
        var crop = new RandomCrop(4, 4, 2, false, 0f, new Generator(1));
        Set<Float> sums = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Tensor c = crop.apply(x);
            assertArrayEquals(new int[] {1, 4, 4}, c.shape());
            sums.add(c.sum().item());
        }
        // Offsets 0..4 in each direction: the visible ones count (4 - |dy|) * (4 - |dx|) for |d| <= 2.
        assertEquals(Set.of(4f, 6f, 8f, 9f, 12f, 16f), sums);
        var tooBig = new RandomCrop(5);
        var e = assertThrows(IllegalArgumentException.class, () -> tooBig.apply(x));
        assertEquals("RandomCrop: crop 5x5 is larger than the (padded) image 4x4", e.getMessage());
        assertArrayEquals(
                new int[] {1, 5, 5},
                new RandomCrop(5, 5, 0, true, 0f, null).apply(x).shape());
    }

    @Test
    void flipsRotationAndErasing() {
        Tensor x = img(3, 3);
        assertArrayEquals(
                Functional.hflip(x).toFloatArray(),
                new RandomHorizontalFlip(1.0).apply(x).toFloatArray());
        assertArrayEquals(x.toFloatArray(), new RandomVerticalFlip(0.0).apply(x).toFloatArray());
        // Rotating by 90 four times is the identity; by 90 then -90 too.
        Tensor r = x;
        for (int i = 0; i < 4; i++) {
            r = Functional.rotate(r, 90, 0f);
        }
        assertArrayEquals(x.toFloatArray(), r.toFloatArray());
        // Counter-clockwise: the top-right corner moves to the top-left.
        assertEquals(x.getDouble(0, 0, 2), Functional.rotate(x, 90, 0f).getDouble(0, 0, 0), 0);
        assertArrayEquals(new int[] {3, 3, 3}, new RandomRotation(30).apply(x).shape());
        Tensor ones = Torch.ones(3, 20, 20);
        var erase = new RandomErasing(1.0, 0.1, 0.1, 1, 1, 0f, new Generator(0));
        Tensor er = erase.apply(ones);
        float zeros = 3 * 400 - er.sum().item();
        assertEquals(3 * 36, zeros, 0); // 0.1 * 400 = 40 -> round(sqrt(40)) = 6: a 6x6 square per channel
    }

    @Test
    void badInputsSayWhatWasExpected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Resize(4).apply(Torch.arange(6)));
        assertEquals(
                "Resize: expected a float32 image tensor (..., H, W), got torch.int64 [6] "
                        + "(use ToTensor on an Image first)",
                e.getMessage());
        var n = assertThrows(
                IllegalArgumentException.class, () -> Normalize.imagenet().apply(Torch.zeros(2, 4, 4)));
        assertEquals("Normalize: 3 means and 3 stds for 2 channels (shape [2, 4, 4])", n.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Normalize(0.5f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new ColorJitter(0, 0, 0, 0.6f));
        assertThrows(IllegalArgumentException.class, () -> new Image(2, 2, 3, new byte[11]));
        var c = assertThrows(
                IllegalArgumentException.class,
                () -> Compose.<Tensor, Tensor>of(new Resize(2), new ToTensor()).apply(Torch.zeros(1, 4, 4)));
        assertTrue(c.getMessage().startsWith("Compose: step 1 (ToTensor) cannot take a Tensor"), c.getMessage());
    }

    @Test
    void composeAndToTensorLayout() {
        Image im = new Image(2, 1, 3, new byte[] {0, 51, (byte) 255, 102, (byte) 204, 10});
        Tensor t = Compose.<Image, Tensor>of(new ToTensor(), new Normalize(0.5f, 0.5f))
                .apply(im);
        assertArrayEquals(new int[] {3, 1, 2}, t.shape());
        // CHW: channel 0 = R of both pixels.
        assertEquals((0f - 0.5f) / 0.5f, t.getDouble(0, 0, 0), 1e-7);
        assertEquals((102 / 255f - 0.5f) / 0.5f, t.getDouble(0, 0, 1), 1e-7);
        assertEquals((255 / 255f - 0.5f) / 0.5f, t.getDouble(2, 0, 0), 1e-7);
    }
}
