package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused convolution + max pooling on channels-last activations against the two kernels it fuses, run one after
 * the other ({@link ConvChannelsLast#forward}, then {@link PoolKernels#maxForwardChannelsLast}): bit for bit, since
 * every convolution output is summed by the same kernel in the same order. Shapes: ResNet's stem (small), strips that
 * keep one shared row, pooling without overlap (2x2 stride 2), overlapping windows that keep two rows (stride 1),
 * ceil mode (a last window past the edge), a batch with several blocks an image, wide rows (one pooled row a strip),
 * an unpadded convolution at an input offset, and a NaN that must reach the pooled output as in PyTorch.
 */
class ConvMaxPoolChannelsLastTest {
    /** conv: n, cin, h, w, cout, k, stride, pad; pool: k, stride, pad, ceil (1 = true). */
    private static final int[][] SPECS = {
        {1, 3, 40, 38, 64, 7, 2, 3, 3, 2, 1, 0}, // ResNet's stem on a small image
        {2, 5, 23, 17, 70, 3, 1, 1, 3, 2, 1, 0}, // a batch, odd sizes, a group and a tail
        {1, 4, 16, 16, 32, 3, 1, 1, 2, 2, 0, 0}, // windows that share no row
        {1, 6, 12, 9, 24, 3, 1, 1, 3, 1, 1, 0}, // stride-1 pooling: two rows shared between strips
        {3, 3, 21, 21, 16, 3, 2, 1, 3, 2, 0, 1}, // ceil mode: the last window past the edge
        {1, 2, 9, 300, 256, 3, 1, 0, 3, 2, 1, 0}, // rows of 298 x 256 floats: one pooled row a strip
    };

    @Test
    void equalsTheConvolutionThenThePooling() {
        Random r = new Random(3);
        for (int[] s : SPECS) {
            ConvGeometry g = ConvGeometry.of(s[0], s[1], s[2], s[3], s[4], s[5], s[5], s[6], s[6], s[7], s[7], 1, 1, 1);
            check(g, pooling(g, s[8], s[9], s[10], s[11] == 1), r, false);
        }
    }

    @Test
    void aNanReachesThePooledOutput() {
        ConvGeometry g = ConvGeometry.of(1, 3, 20, 20, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1);
        float[] out = check(g, pooling(g, 3, 2, 1, false), new Random(5), true);
        boolean nan = false;
        for (float v : out) {
            nan |= Float.isNaN(v);
        }
        assertTrue(nan, "a NaN input must give NaN outputs");
    }

    @Test
    void refusesAPoolingOfAnotherSize() {
        ConvGeometry g = ConvGeometry.of(1, 3, 20, 20, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        PoolKernels.Geometry p = new PoolKernels.Geometry(19, 20, 9, 10, 2, 2, 2, 2, 0, 0, 1, 1);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ConvMaxPoolChannelsLast.forward(
                        g,
                        new float[1200],
                        0,
                        new float[ConvChannelsLast.packedLength(g)],
                        null,
                        0f,
                        1f,
                        p,
                        new float[5760]));
        assertTrue(e.getMessage().contains("19x20"), e.getMessage());
    }

    /** The pooling geometry over g's output, its output size as MaxPool2d computes it. */
    private static PoolKernels.Geometry pooling(ConvGeometry g, int k, int s, int p, boolean ceil) {
        return new PoolKernels.Geometry(
                g.oh(), g.ow(), outSize(g.oh(), k, s, p, ceil), outSize(g.ow(), k, s, p, ceil), k, k, s, s, p, p, 1, 1);
    }

    /** PyTorch's pooling output size, with ceil mode's rule that the last window starts inside the input or padding. */
    private static int outSize(int in, int k, int s, int p, boolean ceil) {
        int span = in + 2 * p - k;
        int out = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (out - 1) * s >= in + p) {
            out--;
        }
        return out;
    }

    /** Runs both ways on random data (one NaN input if asked), asserts the same bits, returns the fused output. */
    private static float[] check(ConvGeometry g, PoolKernels.Geometry p, Random r, boolean nan) {
        int inOff = g.ph() == 0 ? 7 : 0;
        float[] x = new float[inOff + g.n() * g.h() * g.w() * g.cin()];
        for (int i = inOff; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        if (nan) {
            x[inOff + x.length / 3] = Float.NaN;
        }
        float[] w = new float[g.cout() * g.cin() * g.kh() * g.kw()];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextFloat() - 0.5f;
        }
        float[] bias = new float[g.cout()];
        for (int i = 0; i < bias.length; i++) {
            bias[i] = r.nextFloat() - 0.5f;
        }
        float[] packed = ConvChannelsLast.pack(g, w);
        float lo = 0f;
        float hi = 1.5f;
        float[] conv = new float[g.outputSize()];
        ConvChannelsLast.forward(g, x, inOff, packed, bias, null, 0, conv, lo, hi);
        float[] want = new float[g.n() * p.outH() * p.outW() * g.cout()];
        PoolKernels.maxForwardChannelsLast(conv, 0, g.n(), g.cout(), p, want);
        float[] got = new float[want.length];
        java.util.Arrays.fill(got, -7f);
        ConvMaxPoolChannelsLast.forward(g, x, inOff, packed, bias, lo, hi, p, got);
        assertArrayEquals(want, got, 0f, g + " " + p);
        return got;
    }
}
