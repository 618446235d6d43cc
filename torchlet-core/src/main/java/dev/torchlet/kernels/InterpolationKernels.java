package dev.torchlet.kernels;

/**
 * Separable 2-D interpolation on contiguous (planes, H, W) blocks. Each output row oy reads input
 * rows y0[oy], y1[oy] with weight ly[oy] on y1 (likewise for columns), so nearest and bilinear
 * share one kernel: out = (1-ly)((1-lx) a00 + lx a01) + ly((1-lx) a10 + lx a11).
 */
public final class InterpolationKernels {
    private InterpolationKernels() {}

    /** Source indices and weights along one axis. */
    public record Axis(int[] i0, int[] i1, float[] lambda) {}

    /** Nearest: src = min(floor(dst * scale), in - 1). */
    public static Axis nearest(int in, int out, double scale) {
        int[] i0 = new int[out];
        for (int o = 0; o < out; o++) {
            i0[o] = Math.min((int) Math.floor(o * (float) scale), in - 1);
        }
        return new Axis(i0, i0, new float[out]);
    }

    /**
     * Bilinear: alignCorners maps corners to corners, src = dst * (in - 1)/(out - 1); otherwise
     * pixel centers, src = max((dst + 0.5) * scale - 0.5, 0).
     */
    public static Axis linear(int in, int out, double scale, boolean alignCorners) {
        int[] i0 = new int[out];
        int[] i1 = new int[out];
        float[] l = new float[out];
        for (int o = 0; o < out; o++) {
            float src;
            if (alignCorners) {
                src = out > 1 ? o * (float) ((in - 1) / (double) (out - 1)) : 0f;
            } else {
                src = Math.max((o + 0.5f) * (float) scale - 0.5f, 0f);
            }
            int lo = Math.min((int) src, in - 1);
            i0[o] = lo;
            i1[o] = Math.min(lo + 1, in - 1);
            l[o] = src - lo;
        }
        return new Axis(i0, i1, l);
    }

    public static void forward(double[] in, double[] out, int planes, int h, int w, Axis ay, Axis ax) {
        int oh = ay.i0.length;
        int ow = ax.i0.length;
        for (int p = 0; p < planes; p++) {
            int ib = p * h * w;
            int ob = p * oh * ow;
            for (int y = 0; y < oh; y++) {
                double ly = ay.lambda[y];
                int r0 = ib + ay.i0[y] * w;
                int r1 = ib + ay.i1[y] * w;
                for (int x = 0; x < ow; x++) {
                    double lx = ax.lambda[x];
                    int c0 = ax.i0[x];
                    int c1 = ax.i1[x];
                    out[ob + y * ow + x] = (1 - ly) * ((1 - lx) * in[r0 + c0] + lx * in[r0 + c1])
                            + ly * ((1 - lx) * in[r1 + c0] + lx * in[r1 + c1]);
                }
            }
        }
    }

    public static void forward(float[] in, float[] out, int planes, int h, int w, Axis ay, Axis ax) {
        int oh = ay.i0.length;
        int ow = ax.i0.length;
        Parallel.forRange(planes, Math.max(1, (1 << 14) / Math.max(1, oh * ow)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ib = p * h * w;
                int ob = p * oh * ow;
                for (int y = 0; y < oh; y++) {
                    float ly = ay.lambda[y];
                    int r0 = ib + ay.i0[y] * w;
                    int r1 = ib + ay.i1[y] * w;
                    for (int x = 0; x < ow; x++) {
                        float lx = ax.lambda[x];
                        int c0 = ax.i0[x];
                        int c1 = ax.i1[x];
                        out[ob + y * ow + x] = (1 - ly) * ((1 - lx) * in[r0 + c0] + lx * in[r0 + c1])
                                + ly * ((1 - lx) * in[r1 + c0] + lx * in[r1 + c1]);
                    }
                }
            }
        });
    }

    /** Gradient of forward: each output gradient is added back to its four sources with the same weights. */
    public static void backward(double[] gOut, double[] gIn, int planes, int h, int w, Axis ay, Axis ax) {
        int oh = ay.i0.length;
        int ow = ax.i0.length;
        for (int p = 0; p < planes; p++) {
            int ib = p * h * w;
            int ob = p * oh * ow;
            for (int y = 0; y < oh; y++) {
                double ly = ay.lambda[y];
                int r0 = ib + ay.i0[y] * w;
                int r1 = ib + ay.i1[y] * w;
                for (int x = 0; x < ow; x++) {
                    double lx = ax.lambda[x];
                    double g = gOut[ob + y * ow + x];
                    gIn[r0 + ax.i0[x]] += (1 - ly) * (1 - lx) * g;
                    gIn[r0 + ax.i1[x]] += (1 - ly) * lx * g;
                    gIn[r1 + ax.i0[x]] += ly * (1 - lx) * g;
                    gIn[r1 + ax.i1[x]] += ly * lx * g;
                }
            }
        }
    }
}
