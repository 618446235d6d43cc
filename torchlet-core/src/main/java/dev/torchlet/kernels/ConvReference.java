package dev.torchlet.kernels;

/**
 * Plain-loop 2-D convolution in double precision: the readable oracle the fast kernels are tested
 * against, and the float64 path (gradcheck). Arrays are contiguous; see {@link ConvGeometry}.
 *
 * <pre>
 * out[b][co][y][x] = bias[co] + sum_{c, i, j} w[co][c][i][j] * in[b][g*cinG + c][y*sh - ph + i*dh][x*sw - pw + j*dw]
 * </pre>
 * where g = co / coutG is the group of output channel co and taps outside the input count as zero.
 */
public final class ConvReference {
    private ConvReference() {}

    /** out (n, cout, oh, ow) = conv(in, w) + bias; bias may be null. */
    public static void forward(ConvGeometry g, double[] in, double[] w, double[] bias, double[] out) {
        int cinG = g.cinG();
        int coutG = g.coutG();
        for (int b = 0; b < g.n(); b++) {
            for (int co = 0; co < g.cout(); co++) {
                int grp = co / coutG;
                for (int y = 0; y < g.oh(); y++) {
                    for (int x = 0; x < g.ow(); x++) {
                        double acc = bias == null ? 0 : bias[co];
                        for (int c = 0; c < cinG; c++) {
                            int ci = grp * cinG + c;
                            for (int i = 0; i < g.kh(); i++) {
                                int iy = y * g.sh() - g.ph() + i * g.dh();
                                if (iy < 0 || iy >= g.h()) {
                                    continue;
                                }
                                for (int j = 0; j < g.kw(); j++) {
                                    int ix = x * g.sw() - g.pw() + j * g.dw();
                                    if (ix < 0 || ix >= g.w()) {
                                        continue;
                                    }
                                    acc += w[((co * cinG + c) * g.kh() + i) * g.kw() + j]
                                            * in[((b * g.cin() + ci) * g.h() + iy) * g.w() + ix];
                                }
                            }
                        }
                        out[((b * g.cout() + co) * g.oh() + y) * g.ow() + x] = acc;
                    }
                }
            }
        }
    }

    /**
     * Input gradient: gradIn (n, cin, h, w) = sum over every (output pixel, tap) that read an input
     * pixel of w * gradOut. gradIn is overwritten.
     */
    public static void backwardInput(ConvGeometry g, double[] gradOut, double[] w, double[] gradIn) {
        java.util.Arrays.fill(gradIn, 0, g.inputSize(), 0);
        scatter(g, gradOut, w, gradIn, null);
    }

    /** Weight gradient: gradW (cout, cin/groups, kh, kw) = sum over n, y, x of gradOut * in. Overwritten. */
    public static void backwardWeight(ConvGeometry g, double[] gradOut, double[] in, double[] gradW) {
        java.util.Arrays.fill(gradW, 0, g.weightSize(), 0);
        scatter(g, gradOut, in, null, gradW);
    }

    /** Bias gradient: gradB[co] = sum over n, y, x of gradOut[n][co][y][x]. */
    public static void backwardBias(ConvGeometry g, double[] gradOut, double[] gradB) {
        channelSum(gradOut, g.n(), g.cout(), g.outPixels(), gradB);
    }

    /** sums[c] = sum over b, q of x[b][c][q] for x (n, c, p). */
    public static void channelSum(double[] x, int n, int c, int p, double[] sums) {
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * p;
                for (int q = 0; q < p; q++) {
                    s += x[base + q];
                }
            }
            sums[ch] = s;
        }
    }

    /** The forward loop nest run backwards: into gradIn (using w = other) or into gradW (using in = other). */
    private static void scatter(ConvGeometry g, double[] gradOut, double[] other, double[] gradIn, double[] gradW) {
        int cinG = g.cinG();
        int coutG = g.coutG();
        for (int b = 0; b < g.n(); b++) {
            for (int co = 0; co < g.cout(); co++) {
                int grp = co / coutG;
                for (int y = 0; y < g.oh(); y++) {
                    for (int x = 0; x < g.ow(); x++) {
                        double go = gradOut[((b * g.cout() + co) * g.oh() + y) * g.ow() + x];
                        for (int c = 0; c < cinG; c++) {
                            int ci = grp * cinG + c;
                            for (int i = 0; i < g.kh(); i++) {
                                int iy = y * g.sh() - g.ph() + i * g.dh();
                                if (iy < 0 || iy >= g.h()) {
                                    continue;
                                }
                                for (int j = 0; j < g.kw(); j++) {
                                    int ix = x * g.sw() - g.pw() + j * g.dw();
                                    if (ix < 0 || ix >= g.w()) {
                                        continue;
                                    }
                                    int wi = ((co * cinG + c) * g.kh() + i) * g.kw() + j;
                                    int xi = ((b * g.cin() + ci) * g.h() + iy) * g.w() + ix;
                                    if (gradIn != null) {
                                        gradIn[xi] += other[wi] * go;
                                    } else {
                                        gradW[wi] += other[xi] * go;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
