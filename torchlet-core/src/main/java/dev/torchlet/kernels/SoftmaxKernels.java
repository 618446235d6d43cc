package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax and log-softmax along the middle axis of a contiguous (outer, n, inner) block, and
 * their fused backward passes. Numerically stable: each row subtracts its maximum m first,
 * <pre>
 *   softmax:     y_j = exp(x_j - m) / sum_k exp(x_k - m)
 *   log-softmax: y_j = x_j - m - log(sum_k exp(x_k - m))
 *   backward:    softmax     gx = y * (g - sum(g * y))
 *                log-softmax gx = g - exp(y) * sum(g)
 * </pre>
 * When inner == 1 (softmax over the last dim, the common case) each row is contiguous and the
 * float32 rows run on the Vector API ({@link #rowForward}, {@link #rowBackward}); their plain-loop
 * twins in {@link SoftmaxReference} are the test oracle, which also holds the float64 path. When
 * inner &gt; 1 the n entries of a "row" are inner apart and all inner rows of one outer block are
 * processed together, column-wise, so memory is still read sequentially.
 */
public final class SoftmaxKernels {
    private static final VectorSpecies<Float> F = Simd.FLOAT;
    /** Elements below which work stays on the calling thread. */
    private static final int GRAIN = 1 << 15;

    private SoftmaxKernels() {}

    public static void forward(float[] x, int xOff, float[] y, int outer, int n, int inner, boolean log) {
        Parallel.forRange(outer, Math.max(1, GRAIN / Math.max(1, n * inner)), (o0, o1) -> {
            if (inner == 1 && !log) {
                softmaxRows(x, xOff + o0 * n, y, o0 * n, o1 - o0, n); // one scratch array for the chunk's rows
                return;
            }
            if (inner == 1) {
                for (int o = o0; o < o1; o++) {
                    rowForward(x, xOff + o * n, y, o * n, n, log);
                }
                return;
            }
            float[] max = new float[inner];
            float[] sum = new float[inner];
            for (int o = o0; o < o1; o++) {
                int xb = xOff + o * n * inner;
                int yb = o * n * inner;
                System.arraycopy(x, xb, max, 0, inner);
                for (int j = 1; j < n; j++) {
                    for (int i = 0; i < inner; i++) {
                        max[i] = Math.max(max[i], x[xb + j * inner + i]);
                    }
                }
                java.util.Arrays.fill(sum, 0f);
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < inner; i++) {
                        float e = (float) Math.exp(x[xb + j * inner + i] - max[i]);
                        y[yb + j * inner + i] = e;
                        sum[i] += e;
                    }
                }
                for (int i = 0; i < inner; i++) {
                    sum[i] = log ? (float) Math.log(sum[i]) : 1f / sum[i];
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

    public static void backward(float[] y, float[] g, int gOff, float[] gx, int outer, int n, int inner, boolean log) {
        Parallel.forRange(outer, Math.max(1, GRAIN / Math.max(1, n * inner)), (o0, o1) -> {
            if (inner == 1) {
                for (int o = o0; o < o1; o++) {
                    rowBackward(y, o * n, g, gOff + o * n, gx, o * n, n, log);
                }
                return;
            }
            float[] acc = new float[inner];
            for (int o = o0; o < o1; o++) {
                int b = o * n * inner;
                int gb = gOff + b;
                java.util.Arrays.fill(acc, 0f);
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < inner; i++) {
                        int p = j * inner + i;
                        acc[i] += log ? g[gb + p] : g[gb + p] * y[b + p];
                    }
                }
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < inner; i++) {
                        int p = j * inner + i;
                        gx[b + p] =
                                log ? g[gb + p] - (float) Math.exp(y[b + p]) * acc[i] : y[b + p] * (g[gb + p] - acc[i]);
                    }
                }
            }
        });
    }

    /**
     * Softmax in place over each of {@code rows} contiguous rows of n floats at a[off..] (attention's probabilities):
     * the same bits as {@link #rowForward} row by row.
     */
    public static void rowsInPlace(float[] a, int off, int rows, int n) {
        softmaxRows(a, off, a, off, rows, n);
    }

    /**
     * y = softmax(x) over each of {@code rows} contiguous rows of n floats (x and y may be the same array). The lane
     * sum goes through a scratch array instead of {@link Simd#sumLanes}, which C2 did not inline after {@link
     * Simd#exp} (its node budget was spent): a boxed vector per row, 1.2 MB per attention call of MiniLM
     * (8 x 12 heads x 128 rows). Lanes are added in order, as sumLanes adds them.
     */
    private static void softmaxRows(float[] x, int xo, float[] y, int yo, int rows, int n) {
        int step = F.length();
        int bound = F.loopBound(n);
        float[] lanes = new float[step];
        for (int r = 0; r < rows; r++) {
            int xr = xo + r * n;
            int yr = yo + r * n;
            float m = rowMax(x, xr, n);
            // y = exp(x - m), s = sum(y)
            FloatVector vm = FloatVector.broadcast(F, m);
            FloatVector vsum = FloatVector.zero(F);
            int i = 0;
            for (; i < bound; i += step) {
                FloatVector e = Simd.exp(FloatVector.fromArray(F, x, xr + i).sub(vm));
                e.intoArray(y, yr + i);
                vsum = vsum.add(e);
            }
            vsum.intoArray(lanes, 0);
            float s = lanes[0];
            for (int l = 1; l < step; l++) {
                s += lanes[l];
            }
            for (; i < n; i++) {
                float e = (float) Math.exp(x[xr + i] - m);
                y[yr + i] = e;
                s += e;
            }
            // y /= s
            float inv = 1f / s;
            FloatVector vinv = FloatVector.broadcast(F, inv);
            for (i = 0; i < bound; i += step) {
                FloatVector.fromArray(F, y, yr + i).mul(vinv).intoArray(y, yr + i);
            }
            for (; i < n; i++) {
                y[yr + i] *= inv;
            }
        }
    }

    /** max of x[xo .. xo+n) (order-free, so vector and scalar parts in any order give the same value). */
    private static float rowMax(float[] x, int xo, int n) {
        int bound = F.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < bound; i += F.length()) {
            vmax = vmax.max(FloatVector.fromArray(F, x, xo + i));
        }
        float m = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            m = Math.max(m, x[xo + i]);
        }
        return m;
    }

    /** One contiguous row, Vector API. */
    public static void rowForward(float[] x, int xo, float[] y, int yo, int n, boolean log) {
        if (!log) {
            softmaxRows(x, xo, y, yo, 1, n);
            return;
        }
        int step = F.length();
        int bound = F.loopBound(n);
        float m = rowMax(x, xo, n);
        // s = sum(exp(x - m))
        FloatVector vm = FloatVector.broadcast(F, m);
        FloatVector vsum = FloatVector.zero(F);
        int i = 0;
        for (; i < bound; i += step) {
            vsum = vsum.add(Simd.exp(FloatVector.fromArray(F, x, xo + i).sub(vm)));
        }
        float s = Simd.sumLanes(vsum);
        for (; i < n; i++) {
            s += (float) Math.exp(x[xo + i] - m);
        }
        // y = (x - m) - log s, in two steps so a large m does not swallow log s
        float ls = (float) Math.log(s);
        FloatVector vs = FloatVector.broadcast(F, ls);
        for (i = 0; i < bound; i += step) {
            FloatVector.fromArray(F, x, xo + i).sub(vm).sub(vs).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = x[xo + i] - m - ls;
        }
    }

    /** One contiguous row of the backward pass, Vector API. */
    public static void rowBackward(float[] y, int yo, float[] g, int go, float[] gx, int xo, int n, boolean log) {
        int step = F.length();
        int bound = F.loopBound(n);
        // acc = sum(g * y) for softmax, sum(g) for log-softmax
        FloatVector vacc = FloatVector.zero(F);
        int i = 0;
        for (; i < bound; i += step) {
            FloatVector vg = FloatVector.fromArray(F, g, go + i);
            vacc = log ? vacc.add(vg) : vg.fma(FloatVector.fromArray(F, y, yo + i), vacc);
        }
        float acc = Simd.sumLanes(vacc);
        for (; i < n; i++) {
            acc += log ? g[go + i] : g[go + i] * y[yo + i];
        }
        FloatVector va = FloatVector.broadcast(F, acc);
        for (i = 0; i < bound; i += step) {
            FloatVector vg = FloatVector.fromArray(F, g, go + i);
            FloatVector vy = FloatVector.fromArray(F, y, yo + i);
            FloatVector r = log ? vg.sub(Simd.exp(vy).mul(va)) : vy.mul(vg.sub(va));
            r.intoArray(gx, xo + i);
        }
        for (; i < n; i++) {
            gx[xo + i] = log ? g[go + i] - (float) Math.exp(y[yo + i]) * acc : y[yo + i] * (g[go + i] - acc);
        }
    }
}
