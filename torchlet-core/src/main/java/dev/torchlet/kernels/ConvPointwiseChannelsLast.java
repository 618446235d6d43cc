package dev.torchlet.kernels;

/**
 * The pointwise convolution (1x1, ungrouped, unpadded) on channels-last (NHWC) activations as one matrix product:
 * the pixels are the rows of a (n * oh * ow, cin) matrix, already in place for stride 1, so
 *
 * <pre>
 *   out (n*oh*ow, cout) = clamp(in (n*oh*ow, cin) @ W^T (cin, cout) + bias (+ residual), lo, hi)
 *   W (cout, cin, 1, 1) packed once as the GEMM's B ({@link #pack})
 * </pre>
 *
 * on the GEMM's 6 x 32 tile ({@link GemmKernels#sgemmParallel(int, float[], int, int, GemmKernels.PackedB, float[],
 * int, float[], int, float, float, float[], int, int)}, epilogue per block of rows). With stride 2 (ResNet's
 * downsampling shortcuts) the strided pixels are first gathered into a scratch matrix. Alone, against
 * {@link ConvChannelsLast}'s 4 x 6 tile on the same layers (2 threads, GFLOP/s): MobileNetV2's 16 -> 96 at 112 x
 * 112 38 -> 66, 24 -> 144 at 56 x 56 48 -> 86, 96 -> 576 at 14 x 14 109 -> 168; ResNet-50's 64 -> 256 at 56 x 56
 * 121 -> 141, 1024 -> 256 at 14 x 14 176 -> 195.
 */
public final class ConvPointwiseChannelsLast {
    private ConvPointwiseChannelsLast() {}

    /**
     * True for a 1x1, ungrouped, unpadded convolution (any stride) whose output channels fill the GEMM tile's
     * columns (a multiple of 32 with AVX-512): MobileNetV2's 16- and 24-channel projections ran 3-7% slower here
     * than on {@link ConvChannelsLast}'s narrower tiles.
     */
    public static boolean applies(ConvGeometry g) {
        return g.groups() == 1
                && g.kh() == 1
                && g.kw() == 1
                && g.ph() == 0
                && g.pw() == 0
                && g.cout() % GemmF32.NR == 0;
    }

    /** w (cout, cin, 1, 1) packed as the product's B = W^T (cin, cout). */
    public static GemmKernels.PackedB pack(ConvGeometry g, float[] w) {
        return GemmKernels.packB(true, g.cin(), g.cout(), w, 0, g.cin());
    }

    /**
     * out (n, oh, ow, cout) = clamp(in (n, h, w, cin) at inOff, 1x1-convolved with the packed weights, + bias (+
     * residual (n, oh, ow, cout) at residualOff), lo, hi); bias and residual may be null.
     */
    public static void forward(
            ConvGeometry g,
            float[] in,
            int inOff,
            GemmKernels.PackedB packed,
            float[] bias,
            float[] residual,
            int residualOff,
            float[] out,
            float lo,
            float hi) {
        if (!applies(g)) {
            throw new IllegalArgumentException("conv2d (channels last, pointwise): expected an ungrouped, unpadded 1x1 "
                    + "convolution with a multiple of " + GemmF32.NR + " output channels, got kernel " + g.kh() + "x"
                    + g.kw() + ", padding " + g.ph() + "x" + g.pw() + ", groups " + g.groups() + ", " + g.cout()
                    + " output channels");
        }
        int m = g.n() * g.oh() * g.ow();
        int cin = g.cin();
        if (g.sh() == 1 && g.sw() == 1) {
            GemmKernels.sgemmParallel(
                    m, in, inOff, cin, packed, bias, 0, residual, residualOff, lo, hi, out, 0, g.cout());
            return;
        }
        float[] pixels = ScratchBuffers.take(m * cin);
        gatherStrided(g, in, inOff, pixels);
        GemmKernels.sgemmParallel(m, pixels, 0, cin, packed, bias, 0, residual, residualOff, lo, hi, out, 0, g.cout());
        ScratchBuffers.give(pixels);
    }

    /** pixels (n, oh, ow, cin) = in[b][y * sh][x * sw][:] (the pixels a strided 1x1 convolution reads). */
    private static void gatherStrided(ConvGeometry g, float[] in, int inOff, float[] pixels) {
        int cin = g.cin();
        Parallel.forRange(g.n() * g.oh(), 8, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / g.oh();
                int src = inOff + ((b * g.h() + (r % g.oh()) * g.sh()) * g.w()) * cin;
                int dst = r * g.ow() * cin;
                for (int x = 0; x < g.ow(); x++) {
                    System.arraycopy(in, src + x * g.sw() * cin, pixels, dst + x * cin, cin);
                }
            }
        });
    }
}
