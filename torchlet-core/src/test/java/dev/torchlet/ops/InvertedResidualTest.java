package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.MemoryFormat;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.kernels.ConvInvertedResidualChannelsLast;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Convolution.invertedResidual (MobileNetV2's expansion, depthwise and projection convolutions in one pass over
 * strips of rows, channels-last) equals the three convolutions run one by one on the same channels-last kernels, bit
 * for bit: each value is computed in the same order, only where the expanded and depthwise rows live changes. The
 * cases cover MobileNetV2's first three blocks at 224 x 224 (no expansion; the GEMM's and the direct kernel's 1x1
 * convolutions; a residual), strips of one output row whose shared expanded rows move up (600 hidden channels), odd
 * sizes at both strides, channel counts that are not whole vectors, and a batch. The layers themselves are tested
 * against PyTorch (ConvChannelsLastConformanceTest, ChannelsLastTest); here the NCHW kernels' result is checked too,
 * to 1e-4 relative (another summation order).
 */
class InvertedResidualTest {
    private static final float INF = Float.POSITIVE_INFINITY;

    /** n, cin, h, w, hidden (0: no expansion), cout, stride, adds its input (1). */
    private static final int[][] CASES = {
        {1, 32, 112, 112, 0, 16, 1, 0}, // MobileNetV2's first block
        {1, 16, 112, 112, 96, 24, 2, 0}, // its second: GEMM expansion, direct projection
        {1, 24, 56, 56, 144, 24, 1, 1}, // its third: direct expansion, residual
        {1, 8, 40, 30, 600, 8, 1, 1}, // one output row per strip
        {1, 8, 33, 29, 64, 40, 2, 0}, // odd sizes at stride 2, GEMM expansion, 40 outputs
        {2, 32, 15, 17, 192, 32, 1, 1}, // a batch, GEMM projection with residual
        {3, 5, 9, 7, 20, 5, 1, 1}, // channels that are not whole vectors
        {2, 20, 11, 13, 0, 64, 2, 0}, // no expansion, stride 2, an image per thread
    };

    /** At one and two threads (the parts of an image and so the strips' seams differ). */
    @Test
    void onePassEqualsTheThreeConvolutions() {
        int saved = Torch.getNumThreads();
        try {
            for (int threads : new int[] {2, 1}) {
                Torch.setNumThreads(threads);
                onePassEqualsTheThreeConvolutionsAt(threads);
            }
        } finally {
            Torch.setNumThreads(saved);
        }
    }

    @Test
    void smallMapsAtBatchOneRunTheLayers() {
        int saved = Torch.getNumThreads();
        try {
            Torch.setNumThreads(2);
            // MobileNetV2's 14 x 14 and 7 x 7 blocks: one part per thread would recompute too many expanded rows
            assertTrue(!ConvInvertedResidualChannelsLast.pays(1, 14, 1));
            assertTrue(!ConvInvertedResidualChannelsLast.pays(1, 7, 1));
            assertTrue(ConvInvertedResidualChannelsLast.pays(1, 28, 1));
            assertTrue(ConvInvertedResidualChannelsLast.pays(2, 7, 1), "an image per thread");
            Tensor x = Torch.randn(1, 16, 14, 14).contiguous(MemoryFormat.CHANNELS_LAST);
            Tensor we = Torch.randn(96, 16, 1, 1);
            Tensor wd = Torch.randn(96, 1, 3, 3);
            Tensor wp = Torch.randn(16, 96, 1, 1);
            assertTrue(!Convolution.fusesInvertedResidual(x, we, null, 0f, 6f, wd, null, 1, 0f, 6f, wp, null, true));
            Tensor y = Convolution.invertedResidual(x, we, null, 0f, 6f, wd, null, 1, 0f, 6f, wp, null, true);
            float[] want = layerByLayer(x, we, null, new float[] {0f, 6f, 0f, 6f}, wd, null, 1, wp, null, true)
                    .toFloatArray();
            assertArrayEquals(want, y.toFloatArray(), 0f);
        } finally {
            Torch.setNumThreads(saved);
        }
    }

    private static void onePassEqualsTheThreeConvolutionsAt(int threads) {
        Torch.manualSeed(11);
        for (int[] c : CASES) {
            int n = c[0], cin = c[1], h = c[2], w = c[3], hidden = c[4] == 0 ? cin : c[4], cout = c[5], stride = c[6];
            boolean expands = c[4] != 0;
            boolean adds = c[7] == 1;
            Tensor x = Torch.randn(n, cin, h, w);
            Tensor xl = x.contiguous(MemoryFormat.CHANNELS_LAST);
            Tensor we = expands ? Torch.randn(hidden, cin, 1, 1).mul(0.5f) : null;
            Tensor be = Torch.randn(hidden);
            Tensor wd = Torch.randn(hidden, 1, 3, 3);
            Tensor bd = Torch.randn(hidden);
            Tensor wp = Torch.randn(cout, hidden, 1, 1).mul(0.2f);
            Tensor bp = Torch.randn(cout);
            for (boolean biases : new boolean[] {true, false}) {
                for (float[] b : new float[][] {{0f, 6f, 0f, 6f}, {-INF, INF, -1f, 1f}}) {
                    String what = Arrays.toString(c) + " threads " + threads + " biases " + biases + " bounds "
                            + Arrays.toString(b);
                    Tensor e1 = biases ? be : null;
                    Tensor e2 = biases ? bd : null;
                    Tensor p = biases ? bp : null;
                    assertTrue(
                            Convolution.fusesInvertedResidual(
                                    xl, we, e1, b[0], b[1], wd, e2, stride, b[2], b[3], wp, p, adds),
                            "the one-pass kernel runs " + what);
                    Tensor fused = Convolution.invertedResidual(
                            xl, we, e1, b[0], b[1], wd, e2, stride, b[2], b[3], wp, p, adds);
                    Tensor expected = layerByLayer(xl, we, e1, b, wd, e2, stride, wp, p, adds);
                    assertTrue(fused.isContiguous(MemoryFormat.CHANNELS_LAST), what);
                    assertArrayEquals(expected.shape(), fused.shape(), what);
                    assertArrayEquals(expected.toFloatArray(), fused.toFloatArray(), 0f, what);
                    Tensor nchw = layerByLayer(x, we, e1, b, wd, e2, stride, wp, p, adds);
                    assertClose(nchw.toFloatArray(), fused.toFloatArray(), what);
                }
            }
        }
    }

    @Test
    void anNchwInputOrAGradientRunsTheLayers() {
        Torch.manualSeed(12);
        Tensor x = Torch.randn(1, 8, 12, 12).requiresGrad(true);
        Tensor we = Torch.randn(32, 8, 1, 1);
        Tensor wd = Torch.randn(32, 1, 3, 3);
        Tensor wp = Torch.randn(8, 32, 1, 1);
        Tensor y = Convolution.invertedResidual(x, we, null, 0f, 6f, wd, null, 1, 0f, 6f, wp, null, true);
        assertTrue(!Convolution.fusesInvertedResidual(x, we, null, 0f, 6f, wd, null, 1, 0f, 6f, wp, null, true));
        y.sum().backward();
        assertNotNull(x.grad(), "the gradient reaches the input through the layers' own ops");
        Tensor nchw = Convolution.invertedResidual(x.detach(), we, null, 0f, 6f, wd, null, 1, 0f, 6f, wp, null, true);
        assertArrayEquals(y.toFloatArray(), nchw.toFloatArray(), 0f);
    }

    @Test
    void badOperandsNameTheProblem() {
        Tensor x = Torch.randn(1, 8, 12, 12).contiguous(MemoryFormat.CHANNELS_LAST);
        Tensor wd = Torch.randn(32, 1, 3, 3);
        Tensor wp = Torch.randn(16, 32, 1, 1);
        Tensor we = Torch.randn(32, 8, 1, 1);
        var noInput = assertThrows(
                IllegalArgumentException.class,
                () -> Convolution.invertedResidual(x, we, null, 0f, 6f, wd, null, 1, 0f, 6f, wp, null, true));
        assertTrue(noInput.getMessage().contains("addInput"), noInput.getMessage());
        var nulls = assertThrows(
                IllegalArgumentException.class,
                () -> Convolution.invertedResidual(x, we, null, 0f, 6f, null, null, 1, 0f, 6f, wp, null, false));
        assertTrue(nulls.getMessage().contains("invertedResidual"), nulls.getMessage());
        var shapes = assertThrows(
                IllegalArgumentException.class,
                () -> Convolution.invertedResidual(
                        x, Torch.randn(32, 9, 1, 1), null, 0f, 6f, wd, null, 1, 0f, 6f, wp, null, false));
        assertTrue(shapes.getMessage().contains("conv2d"), shapes.getMessage());
    }

    @Test
    void theKernelRejectsBadBlocksAndShortArrays() {
        float[] dw = new float[9 * 16];
        var pw = new ConvInvertedResidualChannelsLast.Pointwise(null, new float[16 * 16], null, 0f, 6f);
        var stride3 = assertThrows(
                IllegalArgumentException.class,
                () -> new ConvInvertedResidualChannelsLast.Block(16, 16, 16, 3, null, dw, null, 0f, 6f, pw, false));
        assertTrue(stride3.getMessage().contains("stride"), stride3.getMessage());
        var both = assertThrows(
                IllegalArgumentException.class,
                () -> new ConvInvertedResidualChannelsLast.Pointwise(null, null, null, 0f, 6f));
        assertTrue(both.getMessage().contains("exactly one"), both.getMessage());
        var block = new ConvInvertedResidualChannelsLast.Block(16, 16, 16, 1, null, dw, null, 0f, 6f, pw, true);
        var shortOut = assertThrows(
                IllegalArgumentException.class,
                () -> ConvInvertedResidualChannelsLast.forward(1, 4, 4, block, new float[256], 0, new float[255]));
        assertTrue(shortOut.getMessage().contains("256 outputs"), shortOut.getMessage());
    }

    /**
     * The three convolutions one after the other (the channels-last kernels for a channels-last x), the input added
     * as the projection stores its output (as MobileNetV2's block does).
     */
    private static Tensor layerByLayer(
            Tensor x,
            Tensor we,
            Tensor be,
            float[] b,
            Tensor wd,
            Tensor bd,
            int stride,
            Tensor wp,
            Tensor bp,
            boolean adds) {
        int[] one = {1, 1};
        int[] zero = {0, 0};
        int hidden = wd.size(0);
        Tensor e = we == null ? x : Convolution.conv2dClamped(x, we, be, ConvOptions.of(one, zero, one, 1), b[0], b[1]);
        Tensor d = Convolution.conv2dClamped(
                e, wd, bd, ConvOptions.of(new int[] {stride, stride}, one, one, hidden), b[2], b[3]);
        ConvOptions pw = ConvOptions.of(one, zero, one, 1);
        return adds
                ? Convolution.conv2dAddClamped(d, wp, bp, pw, x, Float.NEGATIVE_INFINITY, INF)
                : Convolution.conv2d(d, wp, bp, pw);
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            float tol = 1e-4f * Math.max(1f, Math.abs(want[i]));
            if (Math.abs(want[i] - got[i]) > tol) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", want " + want[i]);
            }
        }
    }
}
