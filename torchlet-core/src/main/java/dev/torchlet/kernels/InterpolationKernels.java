package dev.torchlet.kernels;

/**
 * Separable 2-D interpolation on contiguous (planes, H, W) blocks. Each output row oy reads input
 * rows y0[oy], y1[oy] with weight ly[oy] on y1 (likewise for columns), so nearest and bilinear
 * share one kernel: out = (1-ly)((1-lx) a00 + lx a01) + ly((1-lx) a10 + lx a11). Nearest in float32
 * has kernels of its own ({@link #nearestForward}, {@link #nearestBackward}): a copy, and a gradient
 * summed in float in PyTorch's order, instead of the weighted formula (in double for the gradient).
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

    /**
     * Nearest, float32: out (planes, oh, ow) = in (planes, h, w) at inOff read at rows ay.i0 and columns ax.i0. An
     * output row that reads the same input row as the one above it is a copy of that row.
     */
    public static void nearestForward(float[] in, int inOff, float[] out, int planes, int h, int w, Axis ay, Axis ax) {
        int oh = ay.i0.length;
        int ow = ax.i0.length;
        int[] iy = ay.i0;
        int[] ix = ax.i0;
        Parallel.forRange(planes, Math.max(1, (1 << 14) / Math.max(1, oh * ow)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ib = inOff + p * h * w;
                int ob = p * oh * ow;
                for (int y = 0; y < oh; y++) {
                    int o = ob + y * ow;
                    if (y > 0 && iy[y] == iy[y - 1]) {
                        System.arraycopy(out, o - ow, out, o, ow);
                        continue;
                    }
                    int r = ib + iy[y] * w;
                    for (int x = 0; x < ow; x++) {
                        out[o + x] = in[r + ix[x]];
                    }
                }
            }
        });
    }

    /** True when the nearest map reads every source index twice, in order: 0, 0, 1, 1, ... (a 2x upsampling). */
    private static boolean doubles(int[] map, int in) {
        if (map.length != 2 * in) {
            return false;
        }
        for (int o = 0; o < map.length; o++) {
            if (map[o] != o / 2) {
                return false;
            }
        }
        return true;
    }

    /**
     * Nearest's gradient, float32: gIn (planes, h, w) = 0, then every output gradient of gOut (planes, oh, ow) at
     * gOff added to the input pixel it was read from, in raster order, in float: the sums and order of PyTorch's CPU
     * kernel ({@code upsample_nearest2d_backward}), so a 2x upsampling's input gets ((g00 + g01) + g10) + g11.
     */
    public static void nearestBackward(
            float[] gOut, int gOff, float[] gIn, int planes, int h, int w, Axis ay, Axis ax) {
        int oh = ay.i0.length;
        int ow = ax.i0.length;
        int[] iy = ay.i0;
        int[] ix = ax.i0;
        boolean doubling = doubles(iy, h) && doubles(ix, w);
        Parallel.forRange(planes, Math.max(1, (1 << 14) / Math.max(1, oh * ow)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ib = p * h * w;
                int ob = gOff + p * oh * ow;
                if (doubling) { // each input pixel ((g00 + g01) + g10) + g11 in one pass, the same sums in order
                    for (int y = 0; y < h; y++) {
                        int o0 = ob + 2 * y * ow;
                        int o1 = o0 + ow;
                        int r = ib + y * w;
                        for (int x = 0; x < w; x++) {
                            gIn[r + x] =
                                    gOut[o0 + 2 * x] + gOut[o0 + 2 * x + 1] + gOut[o1 + 2 * x] + gOut[o1 + 2 * x + 1];
                        }
                    }
                    continue;
                }
                java.util.Arrays.fill(gIn, ib, ib + h * w, 0f);
                for (int y = 0; y < oh; y++) {
                    int r = ib + iy[y] * w;
                    int o = ob + y * ow;
                    for (int x = 0; x < ow; x++) {
                        gIn[r + ix[x]] += gOut[o + x];
                    }
                }
            }
        });
    }
}
