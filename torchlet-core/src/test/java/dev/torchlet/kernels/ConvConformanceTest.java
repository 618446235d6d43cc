package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fast conv kernels (im2col + GEMM, stride-1 direct, depthwise) against the double-precision
 * reference on awkward sizes: 1, 7, 17 channels, odd spatial sizes, tails of the vector and channel
 * blocks, inputs starting at a non-zero offset of a larger array.
 *
 * <p>Tolerance: |fast - ref| &lt;= 1e-5 * (1 + sum of |terms|), i.e. float32 rounding relative to the
 * magnitude of the dot product each element is, which is what float accumulation can promise.
 */
class ConvConformanceTest {
    private static final int IN_OFF = 5;

    /** n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups. */
    private static List<ConvGeometry> geometries() {
        int[][] specs = {
            {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1},
            {2, 1, 7, 5, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1},
            {1, 7, 13, 11, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1},
            {3, 17, 9, 10, 7, 3, 2, 1, 1, 0, 1, 1, 1, 1},
            {2, 7, 11, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1},
            {1, 6, 15, 13, 9, 5, 3, 2, 3, 2, 1, 1, 2, 3},
            {2, 4, 10, 12, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2},
            {1, 17, 6, 7, 17, 1, 1, 1, 1, 0, 0, 1, 1, 1},
            {2, 17, 9, 8, 6, 1, 1, 2, 2, 0, 0, 1, 1, 1},
            {1, 3, 20, 37, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // several vector tiles per image
            {1, 9, 8, 8, 9, 3, 3, 1, 1, 3, 0, 1, 1, 1}, // padding beyond the dilated kernel
            {2, 7, 7, 9, 7, 3, 3, 1, 1, 1, 1, 1, 1, 7}, // depthwise, multiplier 1
            {1, 3, 11, 8, 9, 5, 5, 2, 1, 2, 2, 1, 1, 3}, // depthwise, multiplier 3, stride 2x1
            {2, 5, 9, 9, 5, 3, 3, 1, 1, 2, 2, 2, 2, 5}, // depthwise, dilated
            {1, 4, 15, 15, 4, 3, 3, 2, 2, 1, 1, 1, 1, 4}, // depthwise, stride 2 (MobileNet's downsampling)
            {1, 2, 9, 70, 4, 5, 5, 3, 3, 2, 2, 2, 2, 2}, // depthwise, stride 3, dilated, multiplier 2, 24 wide
            {2, 3, 5, 75, 3, 3, 3, 1, 2, 1, 1, 1, 1, 3}, // depthwise, stride 1x2 over 38 outputs: 2L + L + masked
            {2, 17, 1, 13, 7, 1, 3, 1, 1, 0, 1, 1, 1, 1}, // conv1d shape (height 1)
            {3, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1}, // the MNIST CNN's first conv
            {2, 32, 26, 26, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1}, // ... and its second (4 channel vectors)
            {2, 7, 9, 9, 81, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // 6 channel vectors: 4 + 1 + a 1-wide tail
            {2, 5, 10, 9, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // 32 channels: the 2-vector weight-grad block
            {2, 6, 9, 11, 45, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // 3 channel vectors (16 lanes): 2 + 1
            {2, 32, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // cnn-bn's 32 -> 32 conv (pad 1)
            {2, 1, 9, 10, 5, 2, 3, 1, 1, 1, 2, 2, 1, 1}, // few taps (6), odd cout, dilated rows
            {3, 1, 28, 28, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // few taps (9), pad 1, odd cout
            {1, 512, 5, 5, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // 4608 taps: ConvDirect's weights in several chunks
            {2, 9, 7, 7, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // ResNet's 7x7 maps: run 56, 2-vector tiles with 16 lanes
            {1, 5, 7, 7, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // one 7x7 image: weights read in place, not packed
            {1, 8, 7, 7, 16, 3, 3, 1, 1, 1, 1, 1, 1, 2}, // ... grouped (8 output channels per group)
            {1, 6, 14, 14, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // one 14x14 image: packed, 3- and 2-vector tiles
            {1, 3, 30, 29, 10, 7, 7, 2, 2, 3, 3, 1, 1, 1}, // ResNet's stem (7x7 stride 2 on 3 channels), odd width
            {2, 8, 11, 13, 10, 3, 3, 2, 2, 1, 1, 1, 1, 2}, // stride 2, grouped (ResNeXt's downsampling 3x3)
            {1, 5, 17, 16, 6, 3, 2, 3, 2, 2, 0, 2, 3, 1}, // stride 3x2, dilation 2x3: taps in every phase
            {2, 9, 14, 14, 17, 1, 1, 2, 2, 0, 0, 1, 1, 1}, // a 1x1 stride-2 downsample
            {1, 3, 6, 40, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3}, // depthwise 3x3, stride 1, 40 wide: 2 vectors + masked
            {1, 2, 7, 67, 2, 3, 3, 2, 2, 1, 1, 1, 1, 2}, // depthwise 3x3 stride 2, odd width: vector phase split
            {1, 8, 24, 30, 300, 1, 1, 1, 1, 0, 0, 1, 1, 1}, // pointwise, 720 pixels x 300: GEMM in column blocks
            {2, 4, 24, 25, 512, 1, 1, 1, 1, 0, 0, 1, 1, 2}, // ... grouped, blocks of a width not a multiple of 16
            {8, 6, 9, 9, 10, 5, 5, 2, 2, 2, 2, 1, 1, 1}, // a batch of 5x5 maps: images side by side per GEMM
            {8, 8, 11, 13, 10, 3, 3, 2, 2, 1, 1, 1, 1, 2}, // ... grouped
            {9, 3, 7, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // ... 9 images: a last chunk of one
            {2, 16, 10, 9, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // Winograd: 3 x 3 tiles per image, partial ones
            {2, 64, 9, 11, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // ... and its input gradient
            {1, 128, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // ... 16 tiles, input gradient into 128 channels
            {3, 64, 12, 10, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1}, // ... no padding: the input gradient pads 2
            {2, 64, 8, 8, 64, 3, 3, 1, 1, 2, 2, 1, 1, 1}, // ... padding 2: 10 x 10 outputs
            {7, 64, 17, 18, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // Winograd weight gradient: 175 tiles in 2 blocks
            {2, 64, 6, 7, 112, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // ... 112 output channels: bands of 96 and 16 rows
            {3, 64, 28, 28, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // one output channel (a U-Net's image): 1-channel tiles
            {2, 16, 9, 13, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // three output channels (RGB), short last tiles
            {2, 8, 10, 10, 4, 3, 3, 2, 2, 1, 1, 1, 1, 2}, // two per group, stride 2
        };
        List<ConvGeometry> out = new ArrayList<>();
        for (int[] s : specs) {
            out.add(ConvGeometry.of(
                    s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12], s[13]));
        }
        return out;
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2 - 1;
        }
        return a;
    }

    private static double[] toDouble(float[] a, int off, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[off + i];
        }
        return d;
    }

    private static double[] abs(double[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = Math.abs(a[i]);
        }
        return d;
    }

    private static void assertClose(double[] ref, double[] mag, float[] got, int n, String what) {
        assertClose(ref, mag, got, n, 1e-5, what);
    }

    private static void assertClose(double[] ref, double[] mag, float[] got, int n, double tol, String what) {
        for (int i = 0; i < n; i++) {
            if (!(Math.abs(got[i] - ref[i]) <= tol * (1 + mag[i]))) {
                fail(what + ": element " + i + " is " + got[i] + ", reference " + ref[i]);
            }
        }
    }

    /**
     * Leaves only NaN-filled arrays in {@link ScratchBuffers}, large enough for any scratch of g, so a kernel that
     * reads a reused element it did not write (a padded input's zero border) fails the comparison.
     */
    private static void poisonScratchBuffers(ConvGeometry g) {
        ScratchBuffers.clear();
        for (int i = 0; i < 3; i++) {
            float[] poison = new float[4 * (g.inputSize() + g.weightSize()) + (1 << 14)];
            java.util.Arrays.fill(poison, Float.NaN);
            ScratchBuffers.give(poison);
        }
    }

    /**
     * The batches of small maps above take ConvGemmBatch's path (several images per GEMM) with 2 threads, the
     * machine the suite runs on; fastKernelsMatchReference checks their numbers.
     */
    @Test
    void smallMapsLowerSeveralImagesPerGemm() {
        int saved = Parallel.numThreads();
        Parallel.setNumThreads(2);
        try {
            int batched = 0;
            for (ConvGeometry g : geometries()) {
                if (g.n() >= 8) {
                    assertTrue(ConvGemmBatch.imagesPerGemm(g) > 1, g.toString());
                    assertTrue(ConvGemmBatch.imagesPerGemm(g, ConvGemmBatch.WEIGHT_TARGET_COLUMNS) > 1, g.toString());
                    batched++;
                }
            }
            assertEquals(3, batched);
        } finally {
            Parallel.setNumThreads(saved);
        }
    }

    /**
     * ConvKernels.backward's Winograd pair (gradOut transposed once, the weight gradient reading the input
     * gradient's padded copy from the padding's offset; the input's padded copy kept by the forward or made anew)
     * gives the bits of the two gradients computed apart, for padding 1 and 0 and maps that are not whole tiles, with
     * NaN-poisoned scratch buffers.
     */
    @Test
    void winogradGradientsSharingTheirPaddedGradientGiveTheSameBits() {
        ConvGeometry[] cases = {
            ConvGeometry.of(3, 64, 13, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),
            ConvGeometry.of(2, 64, 18, 15, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1),
        };
        Random rnd = new Random(11);
        for (ConvGeometry g : cases) {
            assertTrue(ConvWinogradChannelsLast.sharesPaddedGrad(g), g.toString());
            float[] x = random(rnd, g.inputSize());
            float[] w = random(rnd, g.weightSize());
            float[] go = random(rnd, g.outputSize());
            float[] gxApart = new float[g.inputSize()];
            float[] gwApart = new float[g.weightSize()];
            ConvKernels.backwardInput(g, go, w, gxApart);
            ConvKernels.backwardWeight(g, go, x, 0, gwApart);
            float[] gx = new float[g.inputSize()];
            float[] gw = new float[g.weightSize()];
            poisonScratchBuffers(g);
            ConvKernels.backward(g, go, w, x, 0, null, gx, gw);
            assertArrayEquals(gxApart, gx, g + " input gradient");
            assertArrayEquals(gwApart, gw, g + " weight gradient");
            // the padded input kept by the forward (in a NaN-filled buffer larger than needed) serves the weight
            // gradient, with and without the input gradient
            assertTrue(ConvKernels.keepsPaddedInput(g), g.toString());
            float[] padded = new float[ConvKernels.paddedInputLength(g) + 5];
            java.util.Arrays.fill(padded, Float.NaN);
            float[] yApart = new float[g.outputSize()];
            float[] y = new float[g.outputSize()];
            ConvKernels.forward(g, x, 0, w, null, yApart);
            ConvKernels.forwardKeepingPaddedInput(g, x, 0, w, null, null, y, padded);
            assertArrayEquals(yApart, y, g + " forward keeping its padded input");
            float[] gwKept = new float[g.weightSize()];
            poisonScratchBuffers(g);
            ConvKernels.backward(g, go, w, x, 0, padded, gx, gwKept);
            assertArrayEquals(gwApart, gwKept, g + " weight gradient from the kept padded input");
            java.util.Arrays.fill(gwKept, 0f);
            ConvKernels.backward(g, go, w, x, 0, padded, null, gwKept);
            assertArrayEquals(gwApart, gwKept, g + " weight gradient alone from the kept padded input");
        }
        assertFalse(ConvWinogradChannelsLast.sharesPaddedGrad(
                ConvGeometry.of(3, 64, 13, 14, 32, 3, 3, 1, 1, 2, 2, 1, 1, 1)));
    }

    /** Each weight-gradient sum runs tile by tile in one order whatever the threads: the same bits on 1 and 2. */
    @Test
    void winogradWeightGradientSameBitsOnOneAndTwoThreads() {
        ConvGeometry g = ConvGeometry.of(7, 128, 17, 18, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        Random rnd = new Random(7);
        float[] x = random(rnd, g.inputSize());
        float[] go = random(rnd, g.outputSize());
        int saved = Parallel.numThreads();
        float[][] got = new float[2][g.weightSize()];
        try {
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setNumThreads(threads);
                ConvWinogradWeight.backwardWeight(g, go, x, 0, got[threads - 1]);
            }
        } finally {
            Parallel.setNumThreads(saved);
        }
        assertArrayEquals(got[0], got[1]);
    }

    @Test
    void fastKernelsMatchReference() {
        Random rnd = new Random(42);
        int checked = 0;
        for (ConvGeometry g : geometries()) {
            float[] xBig = random(rnd, g.inputSize() + IN_OFF + 3); // input at IN_OFF inside a larger array
            float[] w = random(rnd, g.weightSize());
            float[] b = random(rnd, g.cout());
            float[] go = random(rnd, g.outputSize());
            double[] x = toDouble(xBig, IN_OFF, g.inputSize());
            double[] wd = toDouble(w, 0, w.length);
            double[] god = toDouble(go, 0, go.length);

            double[] out = new double[g.outputSize()];
            ConvReference.forward(g, x, wd, toDouble(b, 0, b.length), out);
            double[] outMag = new double[g.outputSize()];
            ConvReference.forward(g, abs(x), abs(wd), abs(toDouble(b, 0, b.length)), outMag);
            double[] gx = new double[g.inputSize()];
            ConvReference.backwardInput(g, god, wd, gx);
            double[] gxMag = new double[g.inputSize()];
            ConvReference.backwardInput(g, abs(god), abs(wd), gxMag);
            double[] gw = new double[g.weightSize()];
            ConvReference.backwardWeight(g, god, x, gw);
            double[] gwMag = new double[g.weightSize()];
            ConvReference.backwardWeight(g, abs(god), abs(x), gwMag);
            double[] gb = new double[g.cout()];
            ConvReference.backwardBias(g, god, gb);
            double[] gbMag = new double[g.cout()];
            ConvReference.backwardBias(g, abs(god), gbMag);

            String s = g.toString();
            float[] o = new float[g.outputSize()];
            ConvGemm.forward(g, xBig, IN_OFF, w, b, o);
            assertClose(out, outMag, o, o.length, "ConvGemm.forward " + s);
            float[] o2 = new float[g.outputSize()];
            ConvGemm.forward(g, xBig, IN_OFF, w, null, o2);
            for (int i = 0; i < o.length; i++) {
                o2[i] += b[(i / g.outPixels()) % g.cout()];
            }
            assertClose(out, outMag, o2, o2.length, "ConvGemm.forward without bias " + s);
            float[] gxf = new float[g.inputSize()];
            java.util.Arrays.fill(gxf, Float.NaN); // kernels must overwrite
            ConvGemm.backwardInput(g, go, w, gxf);
            assertClose(gx, gxMag, gxf, gxf.length, "ConvGemm.backwardInput " + s);
            float[] gwf = new float[g.weightSize()];
            java.util.Arrays.fill(gwf, Float.NaN);
            ConvGemm.backwardWeight(g, go, xBig, IN_OFF, gwf);
            assertClose(gw, gwMag, gwf, gwf.length, "ConvGemm.backwardWeight " + s);
            float[] gbf = new float[g.cout()];
            ConvKernels.backwardBias(g, go, gbf);
            assertClose(gb, gbMag, gbf, gbf.length, "ConvKernels.backwardBias " + s);
            checked++;

            // the residual epilogue (a residual block's shortcut and ReLU): relu(conv + bias + residual)
            float[] res = random(new Random(checked), g.outputSize());
            double[] outRes = new double[out.length];
            double[] outResMag = new double[out.length];
            for (int i = 0; i < out.length; i++) {
                outRes[i] = Math.max(out[i] + res[i], 0);
                outResMag[i] = outMag[i] + Math.abs(res[i]);
            }
            float[] or = new float[g.outputSize()];
            java.util.Arrays.fill(or, Float.NaN);
            ConvKernels.forwardResidual(g, xBig, IN_OFF, w, b, res, or, 0f, Float.POSITIVE_INFINITY);
            assertClose(outRes, outResMag, or, or.length, "ConvKernels.forwardResidual " + s);
            java.util.Arrays.fill(or, Float.NaN);
            ConvGemm.forward(g, xBig, IN_OFF, w, b, res, or, 0f, Float.POSITIVE_INFINITY);
            assertClose(outRes, outResMag, or, or.length, "ConvGemm.forward with a residual " + s);

            if (ConvDirect.applies(g)) {
                float[] odr = new float[g.outputSize()];
                java.util.Arrays.fill(odr, Float.NaN);
                poisonScratchBuffers(g);
                ConvDirect.forward(g, xBig, IN_OFF, w, b, res, odr, 0f, Float.POSITIVE_INFINITY);
                assertClose(outRes, outResMag, odr, odr.length, "ConvDirect.forward with a residual " + s);
                for (boolean wide : new boolean[] {true, false}) { // both register tiles, whatever this CPU uses
                    float[] od = new float[g.outputSize()];
                    java.util.Arrays.fill(od, Float.NaN);
                    poisonScratchBuffers(g);
                    ConvDirect.forward(g, xBig, IN_OFF, w, b, od, wide);
                    assertClose(out, outMag, od, od.length, "ConvDirect.forward (wide " + wide + ") " + s);
                }
                checked++;
            }
            if (ConvDirect.inputGradGeometry(g) != null) {
                float[] gxd = new float[g.inputSize()];
                java.util.Arrays.fill(gxd, Float.NaN);
                poisonScratchBuffers(g);
                ConvDirect.backwardInput(g, go, w, gxd);
                assertClose(gx, gxMag, gxd, gxd.length, "ConvDirect.backwardInput " + s);
                checked++;
            }
            if (ConvDirectWeight.applies(g)) {
                float[] gwd = new float[g.weightSize()];
                java.util.Arrays.fill(gwd, Float.NaN);
                for (boolean wide : new boolean[] {true, false}) { // both block shapes, whatever this CPU uses
                    java.util.Arrays.fill(gwd, Float.NaN);
                    ConvDirectWeight.backwardWeight(g, go, xBig, IN_OFF, gwd, wide);
                    assertClose(gw, gwMag, gwd, gwd.length, "ConvDirectWeight.backwardWeight (wide " + wide + ") " + s);
                }
                checked++;
            }
            if (ConvWinogradChannelsLast.applies(g)) { // 2e-5: see ConvChannelsLastConformanceTest
                float[] ow = new float[g.outputSize()];
                java.util.Arrays.fill(ow, Float.NaN);
                poisonScratchBuffers(g);
                ConvWinogradChannelsLast.forwardNchw(
                        g, xBig, IN_OFF, w, b, null, ow, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
                assertClose(out, outMag, ow, ow.length, 2e-5, "ConvWinogradChannelsLast.forwardNchw " + s);
                java.util.Arrays.fill(ow, Float.NaN);
                ConvWinogradChannelsLast.forwardNchw(g, xBig, IN_OFF, w, b, res, ow, 0f, Float.POSITIVE_INFINITY);
                assertClose(outRes, outResMag, ow, ow.length, 2e-5, "... with a residual " + s);
                java.util.Arrays.fill(ow, Float.NaN); // blocks of 7 tiles: several, the last short
                ConvWinogradChannelsLast.forwardNchw(
                        g, xBig, IN_OFF, w, b, res, ow, 0f, Float.POSITIVE_INFINITY, 7, null);
                assertClose(outRes, outResMag, ow, ow.length, 2e-5, "... in blocks of 7 tiles " + s);
                if (ConvWinogradChannelsLast.appliesToInputGrad(g)) {
                    float[] gxw = new float[g.inputSize()];
                    java.util.Arrays.fill(gxw, Float.NaN);
                    poisonScratchBuffers(g);
                    ConvWinogradChannelsLast.backwardInputNchw(g, go, w, gxw);
                    assertClose(gx, gxMag, gxw, gxw.length, 2e-5, "ConvWinogradChannelsLast.backwardInputNchw " + s);
                    checked++;
                }
                checked++;
            }
            if (ConvWinogradWeight.applies(g)) { // 2e-5, as the forward's
                float[] gww = new float[g.weightSize()];
                java.util.Arrays.fill(gww, Float.NaN);
                poisonScratchBuffers(g);
                ConvWinogradWeight.backwardWeight(g, go, xBig, IN_OFF, gww);
                assertClose(gw, gwMag, gww, gww.length, 2e-5, "ConvWinogradWeight.backwardWeight " + s);
                checked++;
            }
            if (g.isDepthwise()) {
                float[] odw = new float[g.outputSize()];
                java.util.Arrays.fill(odw, Float.NaN);
                ConvDepthwise.forward(g, xBig, IN_OFF, w, b, odw);
                assertClose(out, outMag, odw, odw.length, "ConvDepthwise.forward " + s);
                float[] gxdw = new float[g.inputSize()];
                java.util.Arrays.fill(gxdw, Float.NaN);
                ConvDepthwise.backwardInput(g, go, w, gxdw);
                assertClose(gx, gxMag, gxdw, gxdw.length, "ConvDepthwise.backwardInput " + s);
                float[] gwdw = new float[g.weightSize()];
                java.util.Arrays.fill(gwdw, Float.NaN);
                ConvDepthwise.backwardWeight(g, go, xBig, IN_OFF, gwdw);
                assertClose(gw, gwMag, gwdw, gwdw.length, "ConvDepthwise.backwardWeight " + s);
                checked++;
            }
        }
        assertTrue(checked > 30, "expected every kernel family to be exercised, ran " + checked + " checks");
    }

    @Test
    void transposedGeometryWithExplicitOutputSize() {
        // a stride-1 dilated transposed conv with output padding: the conv's oh is smaller than its formula
        ConvGeometry g = new ConvGeometry(1, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 2, 2, 1, 5, 5);
        Random rnd = new Random(7);
        float[] x = random(rnd, g.inputSize());
        float[] w = random(rnd, g.weightSize());
        float[] go = random(rnd, g.outputSize());
        double[] ref = new double[g.inputSize()];
        ConvReference.backwardInput(g, toDouble(go, 0, go.length), toDouble(w, 0, w.length), ref);
        double[] mag = new double[g.inputSize()];
        ConvReference.backwardInput(g, abs(toDouble(go, 0, go.length)), abs(toDouble(w, 0, w.length)), mag);
        float[] gi = new float[g.inputSize()];
        ConvGemm.backwardInput(g, go, w, gi);
        assertClose(ref, mag, gi, gi.length, "ConvGemm.backwardInput with explicit oh");
        if (ConvDirect.inputGradGeometry(g) != null) {
            float[] gd = new float[g.inputSize()];
            ConvDirect.backwardInput(g, go, w, gd);
            assertClose(ref, mag, gd, gd.length, "ConvDirect.backwardInput with explicit oh");
        }
        double[] out = new double[g.outputSize()];
        ConvReference.forward(g, toDouble(x, 0, x.length), toDouble(w, 0, w.length), null, out);
        double[] outMag = new double[g.outputSize()];
        ConvReference.forward(g, abs(toDouble(x, 0, x.length)), abs(toDouble(w, 0, w.length)), null, outMag);
        float[] od = new float[g.outputSize()];
        ConvDirect.forward(g, x, 0, w, null, od);
        assertClose(out, outMag, od, od.length, "ConvDirect.forward with explicit oh");
        double[] gw = new double[g.weightSize()];
        ConvReference.backwardWeight(g, toDouble(go, 0, go.length), toDouble(x, 0, x.length), gw);
        double[] gwMag = new double[g.weightSize()];
        ConvReference.backwardWeight(g, abs(toDouble(go, 0, go.length)), abs(toDouble(x, 0, x.length)), gwMag);
        float[] gwd = new float[g.weightSize()];
        ConvDirectWeight.backwardWeight(g, go, x, 0, gwd);
        assertClose(gw, gwMag, gwd, gwd.length, "ConvDirectWeight.backwardWeight with explicit oh");
    }
}
