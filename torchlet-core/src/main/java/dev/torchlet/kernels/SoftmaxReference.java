package dev.torchlet.kernels;

/**
 * Plain-loop softmax and log-softmax: the row twins of {@link SoftmaxKernels}' Vector API rows (the
 * test oracle, float32 in, sums in double), and the float64 path over a contiguous
 * (outer, n, inner) block, with the same formulas:
 * <pre>
 *   softmax:     y_j = exp(x_j - m) / sum_k exp(x_k - m)        (m = max_k x_k)
 *   log-softmax: y_j = x_j - m - log(sum_k exp(x_k - m))
 *   backward:    softmax     gx = y * (g - sum(g * y))
 *                log-softmax gx = g - exp(y) * sum(g)
 * </pre>
 */
public final class SoftmaxReference {
    /** Elements below which work stays on the calling thread. */
    private static final int GRAIN = 1 << 15;

    private SoftmaxReference() {}

    /** One contiguous row, plain loops (sum in double): the oracle for {@link SoftmaxKernels#rowForward}. */
    public static void rowForward(float[] x, int xo, float[] y, int yo, int n, boolean log) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[xo + i]);
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(x[xo + i] - m);
        }
        for (int i = 0; i < n; i++) {
            y[yo + i] = log ? (float) (x[xo + i] - m - Math.log(s)) : (float) (Math.exp(x[xo + i] - m) / s);
        }
    }

    /** One contiguous row of the backward pass, plain loops: the oracle for {@link SoftmaxKernels#rowBackward}. */
    public static void rowBackward(float[] y, int yo, float[] g, int go, float[] gx, int xo, int n, boolean log) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += log ? g[go + i] : (double) g[go + i] * y[yo + i];
        }
        for (int i = 0; i < n; i++) {
            gx[xo + i] =
                    log ? (float) (g[go + i] - Math.exp(y[yo + i]) * acc) : (float) (y[yo + i] * (g[go + i] - acc));
        }
    }

    // ---------------------------------------------------------------- float64: the op's path for double tensors

    /** Softmax (or log-softmax) along the middle axis of a contiguous (outer, n, inner) block. */
    public static void forward(double[] x, int xOff, double[] y, int outer, int n, int inner, boolean log) {
        Parallel.forRange(outer, Math.max(1, GRAIN / Math.max(1, n * inner)), (o0, o1) -> {
            double[] max = new double[inner];
            double[] sum = new double[inner];
            for (int o = o0; o < o1; o++) {
                int xb = xOff + o * n * inner;
                int yb = o * n * inner;
                System.arraycopy(x, xb, max, 0, inner);
                for (int j = 1; j < n; j++) {
                    for (int i = 0; i < inner; i++) {
                        max[i] = Math.max(max[i], x[xb + j * inner + i]);
                    }
                }
                java.util.Arrays.fill(sum, 0);
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < inner; i++) {
                        double e = Math.exp(x[xb + j * inner + i] - max[i]);
                        y[yb + j * inner + i] = e;
                        sum[i] += e;
                    }
                }
                for (int i = 0; i < inner; i++) {
                    sum[i] = log ? Math.log(sum[i]) : 1.0 / sum[i];
                }
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < inner; i++) {
                        int p = j * inner + i;
                        y[yb + p] = log ? x[xb + p] - max[i] - sum[i] : y[yb + p] * sum[i];
                    }
                }
            }
        });
    }

    /** Their backward: gx = y * (g - sum(g * y)), or g - exp(y) * sum(g) for log-softmax. */
    public static void backward(
            double[] y, double[] g, int gOff, double[] gx, int outer, int n, int inner, boolean log) {
        Parallel.forRange(outer, Math.max(1, GRAIN / Math.max(1, n * inner)), (o0, o1) -> {
            double[] acc = new double[inner];
            for (int o = o0; o < o1; o++) {
                int b = o * n * inner;
                int gb = gOff + b;
                java.util.Arrays.fill(acc, 0);
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < inner; i++) {
                        int p = j * inner + i;
                        acc[i] += log ? g[gb + p] : g[gb + p] * y[b + p];
                    }
                }
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < inner; i++) {
                        int p = j * inner + i;
                        gx[b + p] = log ? g[gb + p] - Math.exp(y[b + p]) * acc[i] : y[b + p] * (g[gb + p] - acc[i]);
                    }
                }
            }
        });
    }
}
