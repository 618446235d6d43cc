package dev.torchlet.kernels;

/**
 * The float32 convolution kernels the ops call (see {@link ConvGeometry} for the sizes). Each entry
 * point picks the part that is fastest for the geometry:
 * <pre>
 *   forward        depthwise: ConvDepthwise   pointwise, some strided (see gemmPays): ConvGemm
 *                  3x3 stride 1, 64+ input channels, enough pixels: ConvWinogradChannelsLast (transposing)
 *                  otherwise: ConvDirect
 *   input grad     depthwise: ConvDepthwise   3x3 stride 1 as above: ConvWinogradChannelsLast
 *                  ConvDirect when it applies     otherwise: ConvGemm
 *   weight grad    depthwise: ConvDepthwise   3x3 stride 1, input channels of 64, 16+ tiles: ConvWinogradWeight
 *                  stride 1, ungrouped: ConvDirectWeight   otherwise: ConvGemm
 *   bias grad      channel sums of gradOut
 * </pre>
 * All arrays are contiguous row-major; outputs are fully written. {@link ConvReference} is the
 * plain-loop oracle and the float64 path.
 */
public final class ConvKernels {
    private ConvKernels() {}

    /** out (n, cout, oh, ow) = conv(in (n, cin, h, w) at inOff, w) + bias (null for none). */
    public static void forward(ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out) {
        forward(g, in, inOff, w, bias, out, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /**
     * out = clamp(conv(in, w) + bias, lo, hi), the clamp applied as each output tile is stored (ReLU: lo = 0,
     * hi = +inf; ReLU6: 0 and 6; +-inf: none). NaN stays NaN, as in PyTorch's relu and clamp.
     */
    public static void forward(
            ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out, float lo, float hi) {
        if (g.isDepthwise()) {
            ConvDepthwise.forward(g, in, inOff, w, bias, out, lo, hi);
        } else if (g.isPointwise()) { // a plain GEMM on the NCHW planes: 1.3-3x the direct kernel (MobileNet's 1x1s)
            ConvGemm.forward(g, in, inOff, w, bias, out, lo, hi);
        } else if (ConvWinogradChannelsLast.paysNchw(g)) {
            ConvWinogradChannelsLast.forwardNchw(g, in, inOff, w, bias, null, out, lo, hi);
        } else if (ConvDirect.applies(g) && !gemmPays(g)) {
            ConvDirect.forward(g, in, inOff, w, bias, out, lo, hi);
        } else {
            ConvGemm.forward(g, in, inOff, w, bias, out, lo, hi);
        }
    }

    /**
     * out = clamp(conv(in, w) + bias + residual, lo, hi) with residual (n, cout, oh, ow): a residual block's last
     * convolution, shortcut addition and ReLU, the addition and clamp applied as the convolution stores its output
     * (two passes over the activations fewer than conv, add, relu). Depthwise convolutions add it in a second pass.
     */
    public static void forwardResidual(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] residual,
            float[] out,
            float lo,
            float hi) {
        if (residual.length < g.outputSize()) {
            throw new IllegalArgumentException(
                    "conv2d: the residual holds " + residual.length + " values, the output " + g.outputSize());
        }
        if (g.isDepthwise()) {
            ConvDepthwise.forward(g, in, inOff, w, bias, out);
            // a second, single-threaded pass: no zoo or exported block ends in a depthwise convolution
            ConvGemm.biasResidualClamp(out, 0, g.outputSize(), 0f, residual, lo, hi);
        } else if (ConvWinogradChannelsLast.paysNchw(g)) {
            ConvWinogradChannelsLast.forwardNchw(g, in, inOff, w, bias, residual, out, lo, hi);
        } else if (g.isPointwise() || !ConvDirect.applies(g) || gemmPays(g)) {
            ConvGemm.forward(g, in, inOff, w, bias, residual, out, lo, hi);
        } else {
            ConvDirect.forward(g, in, inOff, w, bias, residual, out, lo, hi);
        }
    }

    /**
     * Strided convolutions where im2col + GEMM beat the direct kernel (which splits the input into sh*sw phases,
     * see {@link ConvDirect}): a strided 1x1 (ResNet's downsample; im2col only subsamples, 1.8x the direct kernel);
     * and few taps on output rows narrower than a vector, where the direct kernel's scalar stores of the row tails
     * cost more than its multiplies (the DCGAN discriminator's 1 -> 64 5x5 stride 2 to 14x14, batch 64: 2.2x;
     * MobileNetV2's 3 -> 32 stem, 27 taps but 112 wide, is 1.6x faster direct). Measured with
     * tools/bench/ConvAB.java, 2 threads. Small output maps went to the GEMM as well until session 34, when the direct
     * kernel was 1.13-1.71x faster on all of them (medians of 15, 2 threads, to 7 x 7: ResNet's 256 -> 512 3x3 at
     * batch 1 and 16, the DDPM U-Net's 128 -> 128 3x3 at batch 32, the DCGAN discriminator's 64 -> 128 5x5 at batch
     * 64 and 128).
     */
    private static boolean gemmPays(ConvGeometry g) {
        boolean strided = g.sh() > 1 || g.sw() > 1;
        boolean fewTapsNarrowRows = g.colRows() < 64 && g.ow() < Simd.FLOAT.length();
        return strided && (g.kh() * g.kw() == 1 || fewTapsNarrowRows);
    }

    /** gradIn (n, cin, h, w) = the input gradient of the conv g for gradOut (n, cout, oh, ow). */
    public static void backwardInput(ConvGeometry g, float[] gradOut, float[] w, float[] gradIn) {
        if (g.isDepthwise()) {
            ConvDepthwise.backwardInput(g, gradOut, w, gradIn);
        } else if (ConvWinogradChannelsLast.paysForInputGrad(g)) {
            ConvWinogradChannelsLast.backwardInputNchw(g, gradOut, w, gradIn);
        } else if (ConvDirect.inputGradGeometry(g) != null) {
            ConvDirect.backwardInput(g, gradOut, w, gradIn);
        } else {
            ConvGemm.backwardInput(g, gradOut, w, gradIn);
        }
    }

    /**
     * True when g's forward and weight gradient both run as Winograd convolutions on the same padded channels-last
     * copy of the input: a training forward may keep that copy ({@link #forwardKeepingPaddedInput}) for the backward
     * instead of making it twice.
     */
    public static boolean keepsPaddedInput(ConvGeometry g) {
        return !g.isDepthwise()
                && !g.isPointwise()
                && ConvWinogradChannelsLast.paysNchw(g)
                && ConvWinogradWeight.pays(g);
    }

    /** Floats of the padded input {@link #forwardKeepingPaddedInput} leaves. */
    public static int paddedInputLength(ConvGeometry g) {
        return ConvWinogradChannelsLast.paddedInputLength(g);
    }

    /**
     * out = conv(in, w) + bias (+ residual, when not null), leaving in paddedInput ({@link #paddedInputLength}
     * floats or more) the padded channels-last copy of in it makes, for {@link #backward} to read; only where
     * {@link #keepsPaddedInput}.
     */
    public static void forwardKeepingPaddedInput(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] residual,
            float[] out,
            float[] paddedInput) {
        if (!keepsPaddedInput(g)) {
            throw new IllegalArgumentException("conv2d: no padded input to keep for " + g);
        }
        ConvWinogradChannelsLast.forwardNchw(g, in, inOff, w, bias, residual, out, paddedInput);
    }

    /**
     * gradIn and gradW together ({@link #backwardInput}, {@link #backwardWeight}; either may be null, not wanted):
     * when both run as Winograd convolutions, gradOut is transposed to channels-last once for both
     * ({@link ConvWinogradChannelsLast#backwardNchw}). paddedInput: what {@link #forwardKeepingPaddedInput} left, read
     * instead of padding in again, or null.
     */
    public static void backward(
            ConvGeometry g,
            float[] gradOut,
            float[] w,
            float[] in,
            int inOff,
            float[] paddedInput,
            float[] gradIn,
            float[] gradW) {
        if (gradIn != null && gradW != null && !g.isDepthwise() && ConvWinogradChannelsLast.sharesPaddedGrad(g)) {
            ConvWinogradChannelsLast.backwardNchw(g, gradOut, w, in, inOff, paddedInput, gradIn, gradW);
            return;
        }
        if (gradIn != null) {
            backwardInput(g, gradOut, w, gradIn);
        }
        if (gradW != null && paddedInput != null) {
            ConvWinogradWeight.backwardWeight(g, gradOut, in, inOff, paddedInput, gradW);
        } else if (gradW != null) {
            backwardWeight(g, gradOut, in, inOff, gradW);
        }
    }

    /** gradW (cout, cin/groups, kh, kw) = the weight gradient of the conv g for gradOut and its input at inOff. */
    public static void backwardWeight(ConvGeometry g, float[] gradOut, float[] in, int inOff, float[] gradW) {
        if (g.isDepthwise()) {
            ConvDepthwise.backwardWeight(g, gradOut, in, inOff, gradW);
        } else if (ConvWinogradWeight.pays(g)) {
            ConvWinogradWeight.backwardWeight(g, gradOut, in, inOff, gradW);
        } else if (ConvDirectWeight.applies(g)) {
            ConvDirectWeight.backwardWeight(g, gradOut, in, inOff, gradW);
        } else {
            ConvGemm.backwardWeight(g, gradOut, in, inOff, gradW);
        }
    }

    /** gradB[co] = sum over n, y, x of gradOut[n][co][y][x]. */
    public static void backwardBias(ConvGeometry g, float[] gradOut, float[] gradB) {
        channelSum(gradOut, g.n(), g.cout(), g.outPixels(), gradB);
    }

    /** sums[c] = sum over b, q of x[b][c][q] for x (n, c, p); float (vector) partials per row, double across rows. */
    public static void channelSum(float[] x, int n, int c, int p, float[] sums) {
        Parallel.forRange(c, Math.max(1, (1 << 15) / Math.max(1, p * n)), (s, e) -> {
            for (int ch = s; ch < e; ch++) {
                double sum = 0;
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * p;
                    sum += ReduceKernels.laneSum(x, base, p);
                }
                sums[ch] = (float) sum;
            }
        });
    }
}
