package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The channels-last direct and depthwise convolutions against the double-precision NCHW reference, transposed:
 * odd channel counts (3, 7, 17), output channels that fill no, one and several packed groups of 4 vectors and
 * leave a tail (5, 24, 48, 64, 70, 130: every tile kind), strides, dilations, asymmetric padding, tiles that cross
 * row ends and a short last tile, an input at a non-zero offset, a residual at another, and the clamp; depthwise
 * 3x3 and 5x5 with and without interior columns and channel tails; the pointwise (1x1, one matrix product) kernel.
 *
 * <p>Tolerance: |fast - ref| &lt;= 1e-5 * (1 + sum of |terms|), float32 rounding relative to the magnitude of each
 * output's dot product.
 */
class ConvChannelsLastConformanceTest {
    /** n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, dh, dw. */
    private static final int[][] SPECS = {
        {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1},
        {2, 3, 7, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1},
        {1, 7, 13, 11, 64, 3, 3, 1, 1, 1, 1, 1, 1}, // one full group
        {3, 17, 9, 10, 70, 3, 2, 1, 1, 0, 1, 1, 1}, // a group and a 6-channel tail
        {2, 7, 11, 9, 130, 3, 3, 2, 2, 1, 1, 1, 1}, // stride 2, three groups
        {1, 5, 9, 9, 24, 3, 3, 1, 1, 1, 1, 1, 1}, // 24 channels: a 2-vector group with a tail (16 lanes)
        {1, 8, 9, 7, 120, 1, 1, 1, 1, 0, 0, 1, 1}, // a whole group, then 56 channels in 4 vectors (the last partial)
        {2, 6, 8, 7, 48, 3, 3, 1, 1, 1, 1, 1, 1}, // 3 vectors: 8-pixel tiles
        {1, 4, 10, 10, 16, 1, 1, 1, 1, 0, 0, 1, 1}, // 1 vector: 12-pixel tiles
        {1, 6, 15, 13, 9, 5, 3, 2, 3, 2, 1, 1, 2}, // stride 2x3, dilation 1x2
        {1, 3, 30, 29, 10, 7, 7, 2, 2, 3, 3, 1, 1}, // ResNet's stem, odd width
        {2, 17, 9, 8, 33, 1, 1, 2, 2, 0, 0, 1, 1}, // 1x1 stride 2: no padding copy
        {1, 9, 8, 8, 9, 3, 3, 1, 1, 3, 0, 1, 1}, // padding beyond the kernel
        {2, 32, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1}, // 49 pixels: 8 tiles and a 1-pixel one
        {1, 10, 5, 4, 128, 3, 3, 1, 1, 1, 1, 1, 1}, // 20 pixels: 3 tiles and two 1-pixel ones, two groups
        {1, 48, 6, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1}, // 144 inputs a kernel row: weight chunks of 128 and 16 inputs
        {1, 20, 8, 9, 64, 3, 3, 1, 1, 1, 1, 1, 1}, // 60 inputs a kernel row: chunks of two rows and of one
        {1, 130, 5, 6, 40, 3, 3, 1, 1, 1, 1, 2, 1}, // 3 vectors, 390 inputs a kernel row: chunks of 170, 170, 50
        {1, 200, 6, 6, 16, 3, 3, 1, 1, 1, 1, 2, 2}, // dilated: 9 runs of 200 inputs, one run a chunk
        {2, 16, 7, 7, 250, 3, 3, 1, 1, 1, 1, 1, 1}, // 8 units of a whole 7 x 7 image (72-pixel units), a tail group
        {4, 8, 8, 8, 130, 3, 3, 1, 1, 1, 1, 1, 1}, // 64-pixel images, one unit each
    };

    @Test
    void matchesTheReference() {
        Random r = new Random(7);
        for (int[] s : SPECS) {
            ConvGeometry g =
                    ConvGeometry.of(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12], 1);
            for (Epilogue e : Epilogue.values()) {
                check(g, r, e, Kernel.DIRECT);
            }
        }
    }

    /**
     * n, cin, h, w, cout, ph, pw of 3x3 stride-1 convolutions for the Winograd kernel: whole and partial 4 x 4
     * tiles, one and two groups of output channels, several tile blocks with a short last one, no and asymmetric
     * padding.
     */
    private static final int[][] WINOGRAD = {
        {1, 16, 8, 8, 64, 1, 1}, // whole tiles
        {2, 32, 7, 7, 64, 1, 1}, // a 3-pixel edge on both sides
        {1, 16, 13, 11, 128, 1, 1}, // two groups, odd sizes
        {3, 48, 9, 10, 64, 0, 0}, // no padding: 7 x 8 outputs
        {1, 64, 30, 30, 64, 1, 1}, // 64 tiles: three blocks of 24, the last short
        {1, 256, 12, 12, 128, 1, 1}, // deep input: blocks of 6 tiles
        {8, 128, 13, 14, 64, 1, 1}, // a batch (112 tiles) whose filters pass L2: large blocks, point by point
        {1, 16, 9, 8, 64, 2, 0}, // asymmetric padding
    };

    @Test
    void winogradMatchesTheReference() {
        assumeTrue(Simd.VECTOR_REGISTERS >= 32, "the Winograd kernel needs 32 vector registers");
        Random r = new Random(13);
        for (int[] s : WINOGRAD) {
            ConvGeometry g = ConvGeometry.of(s[0], s[1], s[2], s[3], s[4], 3, 3, 1, 1, s[5], s[6], 1, 1, 1);
            assertTrue(ConvWinogradChannelsLast.applies(g), g.toString());
            for (Epilogue e : Epilogue.values()) {
                check(g, r, e, Kernel.WINOGRAD);
            }
        }
    }

    /**
     * n, cin, h, w, cout, stride of 1x1 convolutions for the pointwise kernel (one matrix product): rows that end in
     * a short tile and a short block (49, 143 pixels), two depth slices (300 input channels), one and several
     * column panels, stride 2 (gathered pixels) over even and odd sizes, a batch of 3.
     */
    private static final int[][] POINTWISE = {
        {1, 16, 7, 7, 96, 1}, // MobileNetV2's 7 x 7 expansions: 49 rows
        {1, 3, 13, 11, 32, 1}, // one column panel, 143 rows
        {2, 300, 5, 6, 64, 1}, // deeper than one packed slice
        {3, 24, 12, 12, 160, 1}, // a batch: 432 rows, three row blocks
        {1, 64, 14, 14, 128, 2}, // ResNet's downsampling shortcut
        {2, 17, 9, 8, 64, 2}, // stride 2 over odd sizes
    };

    @Test
    void pointwiseMatchesTheReference() {
        Random r = new Random(17);
        for (int[] s : POINTWISE) {
            ConvGeometry g = ConvGeometry.of(s[0], s[1], s[2], s[3], s[4], 1, 1, s[5], s[5], 0, 0, 1, 1, 1);
            assertTrue(ConvPointwiseChannelsLast.applies(g), g.toString());
            for (Epilogue e : Epilogue.values()) {
                check(g, r, e, Kernel.POINTWISE);
            }
        }
    }

    @Test
    void pointwiseTakesOnlyUnpaddedOneByOneConvolutionsThatFillTheTile() {
        assertTrue(ConvPointwiseChannelsLast.applies(ConvGeometry.of(1, 8, 5, 5, 64, 1, 1, 1, 1, 0, 0, 1, 1, 1)));
        assertFalse(ConvPointwiseChannelsLast.applies(ConvGeometry.of(1, 8, 5, 5, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(ConvPointwiseChannelsLast.applies(ConvGeometry.of(1, 8, 5, 5, 64, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(ConvPointwiseChannelsLast.applies(ConvGeometry.of(1, 8, 5, 5, 64, 1, 1, 1, 1, 0, 0, 1, 1, 4)));
        int narrow = GemmF32.NR / 2 + 8; // e.g. MobileNetV2's 24-channel projections with AVX-512
        assertFalse(ConvPointwiseChannelsLast.applies(ConvGeometry.of(1, 8, 5, 5, narrow, 1, 1, 1, 1, 0, 0, 1, 1, 1)));
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> ConvPointwiseChannelsLast.forward(
                        ConvGeometry.of(1, 8, 5, 5, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                        new float[200],
                        0,
                        null,
                        null,
                        null,
                        0,
                        new float[1600],
                        0f,
                        1f));
        assertTrue(e.getMessage().contains("pointwise") && e.getMessage().contains("3x3"), e.getMessage());
        GemmKernels.PackedB one = GemmKernels.packB(false, 1, 1, new float[] {2f}, 0, 1);
        var bounds = assertThrows(
                IllegalArgumentException.class,
                () -> GemmKernels.sgemmParallel(
                        1, new float[1], 0, 1, one, null, 0, null, 0, 1f, 0f, new float[1], 0, 1));
        assertTrue(bounds.getMessage().contains("lo <= hi"), bounds.getMessage());
    }

    /** Which channels-last kernel {@link #check} runs. */
    private enum Kernel {
        DIRECT,
        WINOGRAD,
        POINTWISE
    }

    /** What the kernel does as it stores: nothing, a clamp (a fused ReLU6), or add a residual then clamp. */
    private enum Epilogue {
        PLAIN,
        CLAMP,
        RESIDUAL_CLAMP
    }

    /**
     * Checks the channels-last kernel for g against the reference. Tolerance 1e-5 of the terms' magnitude for the
     * direct and pointwise kernels; 2e-5 for Winograd's, whose transforms add and scale the inputs (by up to 10 per
     * dimension) before the products, so its rounding is relative to larger intermediate values (its largest error
     * here lies between 1e-6 and 1e-5 of the terms' magnitude: the margin is for other seeds).
     */
    private static void check(ConvGeometry g, Random r, Epilogue epilogue, Kernel kernel) {
        boolean winograd = kernel == Kernel.WINOGRAD;
        boolean withResidual = epilogue == Epilogue.RESIDUAL_CLAMP;
        int inOff = 3;
        int resOff = 5;
        int hw = g.h() * g.w();
        int ohw = g.oh() * g.ow();
        float[] x = random(r, g.n() * g.cin() * hw);
        float[] w = random(r, g.cout() * g.cinG() * g.kh() * g.kw());
        float[] b = random(r, g.cout());
        float[] res = random(r, g.outputSize());
        float[] xl = new float[inOff + x.length];
        for (int n = 0; n < g.n(); n++) {
            for (int c = 0; c < g.cin(); c++) {
                for (int p = 0; p < hw; p++) {
                    xl[inOff + (n * hw + p) * g.cin() + c] = x[(n * g.cin() + c) * hw + p];
                }
            }
        }
        float[] resl = new float[resOff + res.length];
        System.arraycopy(res, 0, resl, resOff, res.length); // read as (n, oh, ow, cout)
        float lo = epilogue == Epilogue.PLAIN ? Float.NEGATIVE_INFINITY : 0f;
        float hi = epilogue == Epilogue.PLAIN ? Float.POSITIVE_INFINITY : 0.75f;
        float[] out = new float[g.outputSize()];
        if (winograd) {
            ConvWinogradChannelsLast.forward(
                    g,
                    xl,
                    inOff,
                    ConvWinogradChannelsLast.pack(g, w),
                    b,
                    withResidual ? resl : null,
                    resOff,
                    out,
                    lo,
                    hi);
        } else if (kernel == Kernel.POINTWISE) {
            ConvPointwiseChannelsLast.forward(
                    g,
                    xl,
                    inOff,
                    ConvPointwiseChannelsLast.pack(g, w),
                    b,
                    withResidual ? resl : null,
                    resOff,
                    out,
                    lo,
                    hi);
        } else if (g.groups() == 1) {
            ConvChannelsLast.forward(
                    g, xl, inOff, ConvChannelsLast.pack(g, w), b, withResidual ? resl : null, resOff, out, lo, hi);
        } else {
            ConvDepthwiseChannelsLast.forward(
                    g,
                    xl,
                    inOff,
                    ConvDepthwiseChannelsLast.pack(g, w),
                    b,
                    withResidual ? resl : null,
                    resOff,
                    out,
                    lo,
                    hi);
        }

        double[] ref = new double[g.outputSize()];
        double[] mag = new double[g.outputSize()];
        ConvReference.forward(g, toDouble(x), toDouble(w), toDouble(b), ref);
        ConvReference.forward(g, abs(toDouble(x)), abs(toDouble(w)), abs(toDouble(b)), mag);
        for (int n = 0; n < g.n(); n++) {
            for (int c = 0; c < g.cout(); c++) {
                for (int p = 0; p < ohw; p++) {
                    int nchw = (n * g.cout() + c) * ohw + p;
                    int nhwc = (n * ohw + p) * g.cout() + c;
                    double want = ref[nchw] + (withResidual ? res[nhwc] : 0);
                    want = Math.min(Math.max(want, lo), hi);
                    double tol = (winograd ? 2e-5 : 1e-5) * (1 + mag[nchw] + (withResidual ? Math.abs(res[nhwc]) : 0));
                    assertTrue(
                            Math.abs(out[nhwc] - want) <= tol,
                            g + " " + epilogue + " at (" + n + ", " + c + ", pixel " + p + "): " + out[nhwc] + " vs "
                                    + want);
                }
            }
        }
    }

    /** n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw of depthwise convolutions (groups = c). */
    private static final int[][] DEPTHWISE = {
        {1, 16, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1}, // MobileNet's 3x3, one vector of channels
        {2, 40, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1}, // stride 2, 2 vectors and an 8-channel tail (16 lanes)
        {1, 20, 12, 10, 3, 3, 1, 1, 2, 2, 2, 2}, // dilated: the interior path's strides
        {1, 32, 8, 9, 5, 5, 2, 1, 2, 2, 1, 1}, // 5x5 (EfficientNet), stride 2x1: the general path
        {1, 3, 5, 5, 3, 3, 1, 1, 0, 0, 1, 1}, // fewer channels than a vector, no padding
        {1, 16, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1}, // no interior column at all
        {1, 968, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1}, // long rows: two chunks of vectors a row, an 8-channel tail
    };

    @Test
    void depthwiseMatchesTheReference() {
        Random r = new Random(11);
        for (int[] s : DEPTHWISE) {
            ConvGeometry g = ConvGeometry.of(
                    s[0], s[1], s[2], s[3], s[1], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[1]);
            for (Epilogue e : Epilogue.values()) {
                check(g, r, e, Kernel.DIRECT);
            }
        }
    }

    @Test
    void packsOutputChannelsIntoGroupsOfFourVectors() {
        ConvGeometry g = ConvGeometry.of(1, 2, 3, 3, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        float[] w = new float[70 * 2 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = i;
        }
        float[] packed = ConvChannelsLast.pack(g, w);
        int group = ConvChannelsLast.GROUP;
        int lanes = dev.torchlet.kernels.Simd.FLOAT.length();
        int padded = (70 + lanes - 1) / lanes * lanes; // the last group holds whole vectors
        assertEquals(9 * 2 * padded, packed.length);
        // w[co][ci=1][ky=2][kx=0] sits in group co / GROUP (at group * 9 * 2 * GROUP), tap 6, input 1, lane co % GROUP
        for (int co : new int[] {0, 5, 63, 65, 69}) {
            int grp = co / group;
            int width = Math.min(group, (70 - grp * group + lanes - 1) / lanes * lanes);
            int at = grp * 9 * 2 * group + (6 * 2 + 1) * width + co % group;
            assertEquals(w[((co * 2 + 1) * 3 + 2) * 3], packed[at], "channel " + co);
        }
        assertEquals(0f, packed[packed.length - 1]); // past channel 69
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2 - 1;
        }
        return a;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
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
}
