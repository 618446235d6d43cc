package dev.torchlet.compress.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.kernels.ConvGeometry;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Int8Conv2d against Int8Conv2dReference, bit for bit. */
class Int8ConvTest {
    private static void check(ConvGeometry g, int zp, int maxA, long seed) {
        Random r = new Random(seed);
        byte[] in = new byte[g.inputSize() + 5];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) r.nextInt(maxA + 1);
        }
        byte[] w = new byte[g.weightSize()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (r.nextInt(256) - 128);
        }
        int[] want = new int[g.outputSize() + 2];
        Int8Conv2dReference.conv2d(g, in, 5, zp, w, want, 2);
        int[] got = new int[g.outputSize() + 2];
        PackedInt8Weights[] pw = Int8Conv2d.packWeights(g, w);
        Int8Conv2d.conv2d(g, in, 5, zp, pw, got, 2);
        assertArrayEquals(want, got, () -> g + " zp=" + zp + " maxA=" + maxA);
        // row sums: per output channel, over its (Cin/groups, kh, kw) weights
        int[] rs = Int8Conv2d.rowSums(pw);
        int[] want2 = new int[g.cout()];
        for (int co = 0; co < g.cout(); co++) {
            for (int t = 0; t < g.colRows(); t++) {
                want2[co] += w[co * g.colRows() + t];
            }
        }
        assertArrayEquals(want2, rs);
    }

    // n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups
    private static final int[][] CASES = {
        {1, 3, 9, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // 3x3 same
        {2, 4, 11, 10, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1}, // stride 2, odd sizes
        {1, 5, 8, 8, 17, 1, 1, 1, 1, 0, 0, 1, 1, 1}, // pointwise (in place)
        {3, 8, 7, 7, 16, 1, 1, 2, 2, 0, 0, 1, 1, 1}, // 1x1 stride 2 (downsample)
        {1, 3, 20, 19, 8, 7, 7, 2, 2, 3, 3, 1, 1, 1}, // 7x7 stem
        {2, 6, 9, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 3}, // groups 3
        {2, 8, 10, 10, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8}, // depthwise
        {1, 4, 12, 12, 8, 3, 3, 1, 1, 2, 2, 2, 2, 4}, // dilation 2, channel multiplier 2
        {1, 2, 5, 6, 3, 3, 2, 1, 2, 0, 1, 1, 1, 1}, // rectangular kernel, uneven stride / padding
        {1, 1, 3, 3, 2, 5, 5, 1, 1, 2, 2, 1, 1, 1}, // kernel larger than the image
        {4, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // Fashion-MNIST first conv, parallel over images
        {1, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // second conv, one image: parallel GEMM
        {1, 64, 6, 5, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // K = 576: two k slices added into the planes
        {1, 3, 6, 17, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // rows of 17: the two 16-byte copies of im2col, shortest
        {2, 2, 5, 32, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // rows of 32: the two copies, widest
    };

    @Test
    void matchesReference() {
        long seed = 11;
        for (int[] c : CASES) {
            ConvGeometry g = ConvGeometry.of(
                    c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13]);
            check(g, 0, 127, seed++);
            check(g, 64, 127, seed++);
            check(g, 128, 255, seed++); // full-range activations: the exact path
        }
    }

    @Test
    void badArguments() {
        ConvGeometry g = ConvGeometry.of(1, 2, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        PackedInt8Weights[] pw = Int8Conv2d.packWeights(g, new byte[g.weightSize()]);
        assertThrows(IllegalArgumentException.class, () -> Int8Conv2d.packWeights(g, new byte[3]));
        assertThrows(
                IllegalArgumentException.class,
                () -> Int8Conv2d.conv2d(g, new byte[g.inputSize() - 1], 0, 0, pw, new int[g.outputSize()], 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> Int8Conv2d.conv2d(g, new byte[g.inputSize()], 0, 0, pw, new int[g.outputSize() - 1], 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> Int8Conv2d.conv2d(g, new byte[g.inputSize()], 0, 256, pw, new int[g.outputSize()], 0));
        ConvGeometry other = ConvGeometry.of(1, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertThrows(
                IllegalArgumentException.class,
                () -> Int8Conv2d.conv2d(other, new byte[other.inputSize()], 0, 0, pw, new int[other.outputSize()], 0));
    }
}
