package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.MemoryFormat;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.optim.SGD;
import dev.torchlet.optim.SGDOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Channels-last tensors ({@link MemoryFormat}) through the ops that keep the layout: conv2d (plain, clamped, with
 * a residual, depthwise, MobileNet's expansion + depthwise pair), max pooling, batch norm and elementwise ops give
 * the NCHW results, channels-last, in inference (elementwise ops with autograd too); the packed weights follow
 * in-place changes of the weight; with autograd the NCHW convolution kernels run and the gradients are the same.
 *
 * <p>Tolerance: 1e-5 of the output's largest magnitude (two float32 kernels summing in different orders).
 */
class ChannelsLastTest {
    private static final ConvOptions PAD1 = ConvOptions.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
    private static final ConvOptions STRIDE2 = ConvOptions.of(new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1);

    @Test
    void contiguousChannelsLastKeepsValuesAndSetsNhwcStrides() {
        Tensor x = Torch.randn(2, 3, 4, 5);
        Tensor cl = x.contiguous(MemoryFormat.CHANNELS_LAST);
        assertArrayEquals(new int[] {60, 1, 15, 3}, cl.strides());
        assertTrue(cl.isContiguous(MemoryFormat.CHANNELS_LAST));
        assertFalse(cl.isContiguous());
        assertArrayEquals(x.toFloatArray(), cl.toFloatArray());
        assertSame(cl, cl.contiguous(MemoryFormat.CHANNELS_LAST));
        assertArrayEquals(x.toFloatArray(), cl.contiguous().toFloatArray());
        assertTrue(Torch.randn(2, 1, 4, 5).isContiguous(MemoryFormat.CHANNELS_LAST)); // one channel: both layouts
        var e = assertThrows(
                IllegalArgumentException.class, () -> Torch.randn(3, 4, 5).contiguous(MemoryFormat.CHANNELS_LAST));
        assertTrue(e.getMessage().contains("[3, 4, 5]"), e.getMessage());
    }

    @Test
    void convolutionsOfAChannelsLastInputMatchAndStayChannelsLast() {
        Tensor x = Torch.randn(2, 5, 9, 11);
        Tensor w = Torch.randn(70, 5, 3, 3);
        Tensor b = Torch.randn(70);
        Tensor xl = x.contiguous(MemoryFormat.CHANNELS_LAST);
        try (var g = Torch.noGrad()) {
            for (ConvOptions o : new ConvOptions[] {PAD1, STRIDE2}) {
                Tensor want = Convolution.conv2d(x, w, b, o);
                assertChannelsLastClose(want, Convolution.conv2d(xl, w, b, o));
                assertChannelsLastClose(Unary.clamp(want, 0f, 2f), Convolution.conv2dClamped(xl, w, b, o, 0f, 2f));
                Tensor addend = Torch.randn(want.shape());
                Tensor sum = Activations.relu(want.add(addend));
                assertChannelsLastClose(
                        sum, Convolution.conv2dAddClamped(xl, w, b, o, addend, 0f, Float.POSITIVE_INFINITY));
                assertChannelsLastClose(
                        sum,
                        Convolution.conv2dAddClamped(
                                xl,
                                w,
                                b,
                                o,
                                addend.contiguous(MemoryFormat.CHANNELS_LAST),
                                0f,
                                Float.POSITIVE_INFINITY));
            }
        }
    }

    @Test
    void depthwiseAndMobileNetsFusedPairStayChannelsLast() {
        Tensor x = Torch.randn(2, 24, 10, 9);
        Tensor we = Torch.randn(144, 24, 1, 1);
        Tensor be = Torch.randn(144);
        Tensor wd = Torch.randn(144, 1, 3, 3);
        Tensor bd = Torch.randn(144);
        Tensor xl = x.contiguous(MemoryFormat.CHANNELS_LAST);
        try (var g = Torch.noGrad()) {
            for (int stride : new int[] {1, 2}) {
                ConvOptions dw = ConvOptions.of(new int[] {stride, stride}, new int[] {1, 1}, new int[] {1, 1}, 144);
                Tensor e = Torch.randn(2, 144, 10, 9);
                assertChannelsLastClose(
                        Unary.clamp(Convolution.conv2d(e, wd, bd, dw), 0f, 6f),
                        Convolution.conv2dClamped(e.contiguous(MemoryFormat.CHANNELS_LAST), wd, bd, dw, 0f, 6f));
                Tensor want = Convolution.pointwiseDepthwise(x, we, be, 0f, 6f, wd, bd, stride, 0f, 6f);
                assertChannelsLastClose(
                        want, Convolution.pointwiseDepthwise(xl, we, be, 0f, 6f, wd, bd, stride, 0f, 6f));
            }
        }
    }

    @Test
    void changedWeightsArePackedAgain() {
        Tensor x = Torch.randn(1, 4, 6, 6).contiguous(MemoryFormat.CHANNELS_LAST);
        Tensor w = Torch.randn(8, 4, 3, 3).requiresGrad(true);
        try (var g = Torch.noGrad()) {
            Tensor first = Convolution.conv2d(x, w, null, PAD1);
            assertChannelsLastClose(Convolution.conv2d(x.contiguous(), w, null, PAD1), first);
            w.copyFrom(Torch.randn(8, 4, 3, 3)); // e.g. loading a state dict
            assertChannelsLastClose(
                    Convolution.conv2d(x.contiguous(), w, null, PAD1), Convolution.conv2d(x, w, null, PAD1));
        }
        Convolution.conv2d(x.contiguous(), w, null, PAD1).sum().backward();
        new SGD(List.of(w), SGDOptions.of(0.5)).step(); // an optimizer step between two inference calls
        try (var g = Torch.noGrad()) {
            assertChannelsLastClose(
                    Convolution.conv2d(x.contiguous(), w, null, PAD1), Convolution.conv2d(x, w, null, PAD1));
        }
    }

    @Test
    void pointwiseConvolutionsMatchAndSeeChangedWeights() {
        Tensor x = Torch.randn(2, 16, 7, 9);
        Tensor w = Torch.randn(64, 16, 1, 1);
        Tensor b = Torch.randn(64);
        Tensor xl = x.contiguous(MemoryFormat.CHANNELS_LAST);
        try (var g = Torch.noGrad()) {
            for (int stride : new int[] {1, 2}) {
                ConvOptions o = ConvOptions.of(new int[] {stride, stride}, new int[] {0, 0}, new int[] {1, 1}, 1);
                Tensor want = Convolution.conv2d(x, w, b, o);
                assertChannelsLastClose(want, Convolution.conv2d(xl, w, b, o));
                Tensor addend = Torch.randn(want.shape());
                assertChannelsLastClose(
                        Unary.clamp(want.add(addend), 0f, 6f),
                        Convolution.conv2dAddClamped(xl, w, b, o, addend, 0f, 6f));
            }
            ConvOptions one = ConvOptions.of(new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1);
            w.copyFrom(Torch.randn(64, 16, 1, 1)); // the packed copy must not outlive the change
            assertChannelsLastClose(Convolution.conv2d(x, w, b, one), Convolution.conv2d(xl, w, b, one));
        }
    }

    @Test
    void withAutogradTheNchwKernelsRunAndTheGradientsAgree() {
        Tensor w = Torch.randn(6, 3, 3, 3).requiresGrad(true);
        Tensor x = Torch.randn(2, 3, 7, 7);
        Tensor xl = x.contiguous(MemoryFormat.CHANNELS_LAST).detach().requiresGrad(true);
        Tensor xc = x.clone().requiresGrad(true);
        Tensor yl = Convolution.conv2d(xl, w, null, PAD1);
        yl.mul(yl).sum().backward();
        Tensor gwl = w.grad().clone();
        w.setGrad(null);
        Tensor yc = Convolution.conv2d(xc, w, null, PAD1);
        yc.mul(yc).sum().backward();
        assertClose(yc, yl);
        assertClose(xc.grad(), xl.grad());
        assertClose(w.grad(), gwl);
    }

    @Test
    void maxPoolingOfAChannelsLastBatchMatchesAndPropagatesNaN() {
        // 19 channels: a vector and a tail; 83: a 4-vector group (AVX-512), a vector and a tail
        for (int c : new int[] {19, 83}) {
            float[] v = Torch.randn(2, c, 9, 8).toFloatArray();
            v[5 * 72 + 3 * 8 + 4] = Float.NaN; // image 0, channel 5, (3, 4)
            int nanChannel = Math.min(40, c - 1); // the tail of 19, the 4-vector group of 83
            v[nanChannel * 72 + 3 * 8 + 4] = Float.NaN;
            Tensor x = Torch.tensor(v, 2, c, 9, 8);
            int[] k = {3, 3};
            int[] s = {2, 2};
            int[] p = {1, 1};
            int[] d = {1, 1};
            try (var g = Torch.noGrad()) {
                Tensor want = Pooling.maxPool2d(x, k, s, p, d, false);
                Tensor got = Pooling.maxPool2d(x.contiguous(MemoryFormat.CHANNELS_LAST), k, s, p, d, false);
                assertTrue(got.isContiguous(MemoryFormat.CHANNELS_LAST) && !got.isContiguous());
                assertArrayEquals(want.toFloatArray(), got.toFloatArray()); // max is exact; NaN where the window has it
                assertTrue(Float.isNaN(got.toFloatArray()[5 * 20 + 2 * 4 + 2])); // output (2, 2) of 5 x 4
                assertTrue(Float.isNaN(got.toFloatArray()[nanChannel * 20 + 2 * 4 + 2]));
            }
        }
    }

    @Test
    void globalAveragePoolingReadsAChannelsLastBatchInPlace() {
        Tensor x = Torch.randn(2, 19, 7, 6); // 19 channels: a vector and a tail
        Tensor xl = x.contiguous(MemoryFormat.CHANNELS_LAST).requiresGrad(true);
        Tensor want = Pooling.adaptiveAvgPool2d(x, 1, 1);
        Tensor got = Pooling.adaptiveAvgPool2d(xl, 1, 1);
        assertClose(want, got);
        assertArrayEquals(new int[] {2, 19, 1, 1}, got.shape());
        Tensor w = Torch.randn(2, 19, 1, 1);
        got.mul(w).sum().backward();
        Tensor x2 = x.detach().requiresGrad(true);
        Pooling.adaptiveAvgPool2d(x2, 1, 1).mul(w).sum().backward();
        assertClose(x2.grad(), xl.grad());
    }

    @Test
    void elementwiseOpsKeepTheLayoutAndTheirGradients() {
        Tensor a = Torch.randn(2, 5, 3, 4);
        Tensor b = Torch.randn(2, 5, 3, 4);
        Tensor al = a.contiguous(MemoryFormat.CHANNELS_LAST);
        Tensor bl = b.contiguous(MemoryFormat.CHANNELS_LAST);
        assertChannelsLastClose(Activations.relu(a), Activations.relu(al));
        assertChannelsLastClose(Activations.relu6(a), Activations.relu6(al));
        assertChannelsLastClose(Activations.sigmoid(a), Activations.sigmoid(al));
        assertChannelsLastClose(Unary.exp(a), Unary.exp(al));
        assertChannelsLastClose(Unary.clamp(a, -0.5f, 0.5f), Unary.clamp(al, -0.5f, 0.5f));
        assertChannelsLastClose(a.add(b), al.add(bl));
        assertChannelsLastClose(a.mul(b), al.mul(bl));
        assertChannelsLastClose(a.sub(2f), al.sub(2f));
        assertClose(a.add(b), al.add(b)); // mixed layouts: the general strided path, row-major out
        assertTrue(al.add(b).isContiguous());

        Tensor x = al.detach().requiresGrad(true);
        Tensor y = Activations.relu(x.mul(bl)).add(x);
        y.mul(y).sum().backward();
        Tensor xc = a.clone().requiresGrad(true);
        Tensor yc = Activations.relu(xc.mul(b)).add(xc);
        yc.mul(yc).sum().backward();
        assertClose(xc.grad(), x.grad());
    }

    /**
     * An image stem in inference mode reads an NCHW batch of at most 4 channels as it is: its output is channels-last
     * and has the bits of the same convolution of the channels-last copy (plain, clamped with a residual, and with the
     * stem's max pooling fused; a 1x1 kernel too, on the direct kernel); outside inference mode or with 5 channels the
     * NCHW path runs as before.
     */
    @Test
    void anImageStemInInferenceModeReadsTheNchwBatchAndWritesChannelsLast() {
        Torch.manualSeed(4);
        Tensor x = Torch.randn(2, 3, 17, 15);
        Tensor w = Torch.randn(8, 3, 7, 7).mul(0.1f);
        Tensor b = Torch.randn(8);
        ConvOptions stem = ConvOptions.of(new int[] {2, 2}, new int[] {3, 3}, new int[] {1, 1}, 1);
        Tensor xl = x.contiguous(MemoryFormat.CHANNELS_LAST);
        try (var mode = Torch.inferenceMode()) {
            Tensor want = Convolution.conv2d(xl, w, b, stem);
            Tensor got = Convolution.conv2d(x, w, b, stem);
            assertTrue(got.isContiguous(MemoryFormat.CHANNELS_LAST) && !got.isContiguous(), "channels-last output");
            assertArrayEquals(want.toFloatArray(), got.toFloatArray(), 0f);
            Tensor addend = Torch.randn(2, 8, 9, 8);
            assertArrayEquals(
                    Convolution.conv2dAddClamped(xl, w, b, stem, addend, 0f, 6f).toFloatArray(),
                    Convolution.conv2dAddClamped(x, w, b, stem, addend, 0f, 6f).toFloatArray(),
                    0f);
            int[] k3 = {3, 3};
            int[] s2 = {2, 2};
            int[] p1 = {1, 1};
            Tensor pooledWant = Convolution.conv2dClampedMaxPool(
                    xl, w, b, stem, 0f, Float.POSITIVE_INFINITY, k3, s2, p1, p1, false);
            Tensor pooled =
                    Convolution.conv2dClampedMaxPool(x, w, b, stem, 0f, Float.POSITIVE_INFINITY, k3, s2, p1, p1, false);
            assertTrue(pooled.isContiguous(MemoryFormat.CHANNELS_LAST) && !pooled.isContiguous());
            assertArrayEquals(pooledWant.toFloatArray(), pooled.toFloatArray(), 0f);

            Tensor five = Torch.randn(2, 5, 9, 9);
            assertTrue(Convolution.conv2d(five, Torch.randn(4, 5, 3, 3), null, PAD1)
                    .isContiguous());
            ConvOptions pointwise = ConvOptions.of(new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1);
            Tensor w1 = Torch.randn(4, 3, 1, 1);
            assertChannelsLastClose(
                    Convolution.conv2d(xl, w1, null, pointwise), Convolution.conv2d(x, w1, null, pointwise));
        }
        try (var noGrad = Torch.noGrad()) {
            Tensor outside = Convolution.conv2d(x, w, b, stem);
            assertTrue(outside.isContiguous(), "outside inference mode the layout is kept");
            assertClose(Convolution.conv2d(xl, w, b, stem), outside);
        }
    }

    @Test
    void batchNormOfAChannelsLastBatchMatchesInBothModes() {
        Tensor x = Torch.randn(3, 20, 5, 6).mul(3f).add(1f);
        Tensor w = Torch.randn(20);
        Tensor b = Torch.randn(20);
        for (boolean training : new boolean[] {false, true}) {
            Tensor mean = Torch.randn(20);
            Tensor var = Torch.rand(20).add(0.5f);
            Tensor meanL = mean.clone();
            Tensor varL = var.clone();
            Tensor want = Normalization.batchNorm(x, mean, var, w, b, training, 0.1, 1e-5);
            Tensor got = Normalization.batchNorm(
                    x.contiguous(MemoryFormat.CHANNELS_LAST), meanL, varL, w, b, training, 0.1, 1e-5);
            assertChannelsLastClose(want, got);
            assertClose(mean, meanL); // the running statistics move the same way
            assertClose(var, varL);
        }
    }

    private static void assertChannelsLastClose(Tensor want, Tensor got) {
        assertTrue(got.isContiguous(MemoryFormat.CHANNELS_LAST) && !got.isContiguous(), "channels-last output");
        assertClose(want, got);
    }

    private static void assertClose(Tensor want, Tensor got) {
        assertArrayEquals(want.shape(), got.shape());
        float[] a = want.toFloatArray();
        float[] b = got.toFloatArray();
        float max = 0;
        for (float f : a) {
            max = Math.max(max, Math.abs(f));
        }
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-5f * max)) {
                throw new AssertionError("at " + i + ": " + b[i] + " vs " + a[i] + " (max " + max + ")");
            }
        }
    }
}
