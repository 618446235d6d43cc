package dev.torchlet.kernels;

/**
 * MobileNet's expansion and depthwise convolutions as one pass over strips of output rows, so the expanded tensor
 * (six times the block's input, 4.8 MB for MobileNetV2's second block at 224 x 224) is never stored whole: each strip
 * of it is computed into a cache-sized scratch, convolved depthwise and dropped.
 *
 * <pre>
 *   e = clamp(We @ x + be, lo1, hi1)          x (n, cin, h, w), We (hidden, cin): a 1x1 convolution
 *   y = clamp(dw3x3(e, Wd) + bd, lo2, hi2)    Wd (hidden, 1, 3, 3), stride s (1 or 2), padding 1: y (n, hidden, oh, ow)
 * </pre>
 *
 * A strip of output rows [oy0, oy1) reads expanded rows oy0*s - 1 .. (oy1-1)*s + 1; rows outside the image are the
 * depthwise convolution's zero padding (zeros, not clamp(be)). Neighbouring strips recompute their shared halo rows
 * (two per strip at stride 1, one at stride 2). Strips run in parallel, each with its own scratch.
 */
public final class ConvPointwiseDepthwise {
    /** Scratch per strip: the expanded rows stay in L2 while the depthwise convolution reads them. */
    private static final int STRIP_BYTES = 512 * 1024;
    /** Expanded tensors below this fit in cache anyway: the two convolutions run one after the other. */
    private static final long MIN_EXPANDED_BYTES = 1L << 20;

    private ConvPointwiseDepthwise() {}

    /** Output size of the depthwise convolution along a dim of the given size (3x3, padding 1). */
    public static int outSize(int size, int stride) {
        return (size - 1) / stride + 1;
    }

    /**
     * Whether the fused pass pays for these sizes: an expanded image of at least a megabyte, and at least two strips
     * per thread.
     */
    public static boolean pays(int n, int hidden, int h, int w, int stride) {
        long expanded = (long) hidden * h * w * Float.BYTES;
        return expanded >= MIN_EXPANDED_BYTES && (long) n * strips(hidden, h, w, stride) >= 2L * Parallel.numThreads();
    }

    /** Strips per image: about STRIP_BYTES of expanded rows each, at least two output rows per strip. */
    private static int strips(int hidden, int h, int w, int stride) {
        int oh = outSize(h, stride);
        int expandedRows = Math.max(3, STRIP_BYTES / Float.BYTES / (hidden * w));
        int outRows = Math.max(2, (expandedRows - 3) / stride + 1);
        return Math.max(1, (oh + outRows - 1) / outRows);
    }

    /**
     * The sizes, operands and bounds of one convolution pair: x (n, cin, h, w), we (hidden, cin), be (hidden) or null,
     * the clamp [lo1, hi1] of the expansion, wd (hidden, 9) row-major, bd (hidden) or null, the clamp [lo2, hi2] and
     * the output y (n, hidden, oh, ow).
     */
    public record Call(
            int cin,
            int h,
            int w,
            int hidden,
            int stride,
            float[] x,
            float[] we,
            float[] be,
            float lo1,
            float hi1,
            float[] wd,
            float[] bd,
            float lo2,
            float hi2,
            float[] y) {}

    /** y = the convolution pair of {@code call} over n images, strip by strip (strips in parallel). */
    public static void forward(int n, Call call) {
        int hidden = call.hidden();
        int stride = call.stride();
        int oh = outSize(call.h(), stride);
        int strips = strips(hidden, call.h(), call.w(), stride);
        int outRowsMax = (oh + strips - 1) / strips;
        int rowsMax = (outRowsMax - 1) * stride + 3;
        Parallel.forRange(n * strips, 1, (s, e) -> {
            float[] expanded = new float[hidden * rowsMax * call.w()];
            for (int item = s; item < e; item++) {
                int b = item / strips;
                int strip = item % strips;
                int oy0 = (int) ((long) oh * strip / strips);
                int oy1 = (int) ((long) oh * (strip + 1) / strips);
                if (oy0 < oy1) {
                    strip(call, b, oy0, oy1, expanded);
                }
            }
        });
    }

    /** Output rows [oy0, oy1) of image b, through the scratch {@code e} (hidden, rows, w). */
    private static void strip(Call c, int b, int oy0, int oy1, float[] e) {
        int cin = c.cin();
        int h = c.h();
        int w = c.w();
        int hidden = c.hidden();
        int stride = c.stride();
        int r0 = oy0 * stride - 1; // first expanded row the strip reads (may be the padding row -1)
        int rows = (oy1 - oy0 - 1) * stride + 3;
        int v0 = Math.max(r0, 0); // rows [v0, v1] lie inside the image
        int v1 = Math.min(r0 + rows - 1, h - 1);
        int plane = rows * w;
        for (int ch = 0; ch < hidden; ch++) { // padding rows above and below the image are zero
            java.util.Arrays.fill(e, ch * plane, ch * plane + (v0 - r0) * w, 0f);
            java.util.Arrays.fill(e, ch * plane + (v1 - r0 + 1) * w, (ch + 1) * plane, 0f);
        }
        int valid = (v1 - v0 + 1) * w;
        int image = b * cin * h * w;
        GemmKernels.sgemm(
                false,
                false,
                hidden,
                valid,
                cin,
                1f,
                c.we(),
                0,
                cin,
                c.x(),
                image + v0 * w,
                h * w,
                0f,
                e,
                (v0 - r0) * w,
                plane);
        for (int ch = 0; ch < hidden; ch++) {
            float bias = c.be() == null ? 0f : c.be()[ch];
            ConvGemm.biasClamp(e, ch * plane + (v0 - r0) * w, valid, bias, c.lo1(), c.hi1());
        }
        int ow = outSize(w, stride);
        int oh = outSize(h, stride);
        ConvGeometry strip =
                new ConvGeometry(1, hidden, rows, w, hidden, 3, 3, stride, stride, 0, 1, 1, 1, hidden, oy1 - oy0, ow);
        ConvDepthwise.forward(
                strip, e, 0, c.wd(), c.bd(), c.y(), (b * hidden * oh + oy0) * ow, oh * ow, c.lo2(), c.hi2());
    }
}
