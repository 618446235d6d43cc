package dev.torchlet.kernels;

/**
 * The sizes of one 2-D convolution, as the kernels see it. Input (n, cin, h, w), weight
 * (cout, cin/groups, kh, kw), output (n, cout, oh, ow), all contiguous row-major.
 *
 * <p>Output pixel (y, x) reads input pixel (y*sh - ph + i*dh, x*sw - pw + j*dw) for kernel tap (i, j);
 * taps outside the input read zero. {@code oh}/{@code ow} are explicit (not derived) so a transposed
 * convolution with output padding can reuse these kernels with its own output size.
 */
public record ConvGeometry(
        int n,
        int cin,
        int h,
        int w,
        int cout,
        int kh,
        int kw,
        int sh,
        int sw,
        int ph,
        int pw,
        int dh,
        int dw,
        int groups,
        int oh,
        int ow) {

    /** Output size along one dim: floor((in + 2p - d(k-1) - 1) / s) + 1. */
    public static int outSize(int in, int k, int s, int p, int d) {
        return Math.floorDiv(in + 2 * p - d * (k - 1) - 1, s) + 1;
    }

    /** Geometry with the usual output size. */
    public static ConvGeometry of(
            int n,
            int cin,
            int h,
            int w,
            int cout,
            int kh,
            int kw,
            int sh,
            int sw,
            int ph,
            int pw,
            int dh,
            int dw,
            int groups) {
        return new ConvGeometry(
                n,
                cin,
                h,
                w,
                cout,
                kh,
                kw,
                sh,
                sw,
                ph,
                pw,
                dh,
                dw,
                groups,
                outSize(h, kh, sh, ph, dh),
                outSize(w, kw, sw, pw, dw));
    }

    public int cinG() {
        return cin / groups;
    }

    public int coutG() {
        return cout / groups;
    }

    /** Rows of the im2col matrix for one group: cin/groups * kh * kw (the GEMM's K). */
    public int colRows() {
        return cinG() * kh * kw;
    }

    /** Output pixels per channel: oh * ow (the GEMM's N). */
    public int outPixels() {
        return oh * ow;
    }

    public int inPixels() {
        return h * w;
    }

    public int inputSize() {
        return n * cin * h * w;
    }

    public int outputSize() {
        return n * cout * oh * ow;
    }

    public int weightSize() {
        return cout * colRows();
    }

    /** FLOPs of the forward pass (2 per multiply-add), without bias. */
    public long flops() {
        return 2L * n * cout * outPixels() * colRows();
    }

    /** True if the conv is depthwise: one input channel per group (any channel multiplier). */
    public boolean isDepthwise() {
        return groups == cin && groups > 1;
    }

    /** True if the im2col matrix of an image is the image itself (1x1, stride 1, no padding). */
    public boolean isPointwise() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && oh == h && ow == w;
    }
}
