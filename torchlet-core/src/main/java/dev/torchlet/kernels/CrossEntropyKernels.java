package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused log-softmax + NLL (cross-entropy) over contiguous float32 logits {@code (M, C)}, one row
 * per sample, with PyTorch's class weights, ignore index and label smoothing. Forward keeps
 * {@code lse = log(sum(exp(x)))} per row so the backward never materializes log-probabilities:
 * {@code p_c = exp(x_c - lse)}. Rows are split over the shared pool above {@link #GRAIN} element
 * visits. {@link CrossEntropyReference} is the plain-loop twin.
 */
public final class CrossEntropyKernels {
    private static final VectorSpecies<Float> F = Simd.FLOAT;
    private static final int L = F.length();
    static final int GRAIN = 1 << 14;

    private CrossEntropyKernels() {}

    private static int grain(int c) {
        return Math.max(1, GRAIN / Math.max(1, 3 * c));
    }

    /** log(sum(exp(x[off .. off+c)))), stably: max + log(sum(exp(x - max))). */
    static double logSumExp(float[] x, int off, int c) {
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        int bound = F.loopBound(c);
        for (; i < bound; i += L) {
            vmax = vmax.max(FloatVector.fromArray(F, x, off + i));
        }
        float mx = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < c; i++) {
            mx = Math.max(mx, x[off + i]);
        }
        if (mx == Float.NEGATIVE_INFINITY || Float.isNaN(mx) || mx == Float.POSITIVE_INFINITY) {
            // all -inf gives -inf; NaN or +inf propagate like log(sum(exp(x)))
            double s = 0;
            for (int j = 0; j < c; j++) {
                s += Math.exp(x[off + j]);
            }
            return Math.log(s);
        }
        FloatVector vm = FloatVector.broadcast(F, mx);
        FloatVector acc = FloatVector.zero(F);
        for (i = 0; i < bound; i += L) {
            acc = acc.add(Simd.exp(FloatVector.fromArray(F, x, off + i).sub(vm)));
        }
        double s = Simd.sumLanes(acc);
        for (; i < c; i++) {
            s += Math.exp(x[off + i] - mx);
        }
        return mx + Math.log(s);
    }

    /**
     * Class-index targets. Per row i with t = target[i]: lse[i]; nll[i] = w[t] * (lse - x[t]);
     * smooth[i] (when non-null) = sum_c w[c] * (lse - x[c]). Both are 0 for rows whose target is
     * ignoreIndex. Targets must already be validated (in [0, C) or ignoreIndex).
     */
    public static void forward(
            float[] x,
            int m,
            int c,
            long[] target,
            float[] weight,
            long ignoreIndex,
            double[] lse,
            double[] nll,
            double[] smooth) {
        Parallel.forRange(m, grain(c), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * c;
                double l = logSumExp(x, off, c);
                lse[r] = l;
                long t = target[r];
                if (t == ignoreIndex) {
                    nll[r] = 0;
                    if (smooth != null) {
                        smooth[r] = 0;
                    }
                    continue;
                }
                nll[r] = (weight == null ? 1f : weight[(int) t]) * (l - x[off + (int) t]);
                if (smooth != null) {
                    smooth[r] = smoothRow(x, off, c, weight, (float) l);
                }
            }
        });
    }

    /** sum_c w[c] * (lse - x[c]). */
    private static double smoothRow(float[] x, int off, int c, float[] weight, float lse) {
        FloatVector vl = FloatVector.broadcast(F, lse);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(c); i < bound; i += L) {
            FloatVector d = vl.sub(FloatVector.fromArray(F, x, off + i));
            acc = weight == null ? acc.add(d) : d.fma(FloatVector.fromArray(F, weight, i), acc);
        }
        double s = Simd.sumLanes(acc);
        for (; i < c; i++) {
            s += (weight == null ? 1f : weight[i]) * (lse - x[off + i]);
        }
        return s;
    }

    /**
     * Gradient of sum_i (a[i] * nll[i] + b[i] * smooth[i]) (coefficients from the reduction and
     * label smoothing; b may be null for 0): with p = softmax(x[i]) and W = sum_c w[c],
     * gx[i, c] = a[i] * w[t] * (p_c - [c == t]) + b[i] * (W * p_c - w[c]); 0 for ignored rows.
     */
    public static void backward(
            float[] x,
            int m,
            int c,
            long[] target,
            float[] weight,
            long ignoreIndex,
            double[] lse,
            double[] a,
            double[] b,
            float[] gx) {
        double wsum = 0;
        if (weight != null) {
            for (int k = 0; k < c; k++) {
                wsum += weight[k];
            }
        } else {
            wsum = c;
        }
        double totalW = wsum;
        Parallel.forRange(m, grain(c), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * c;
                long t = target[r];
                if (t == ignoreIndex) {
                    java.util.Arrays.fill(gx, off, off + c, 0f);
                    continue;
                }
                int ti = (int) t;
                double an = a[r] * (weight == null ? 1f : weight[ti]);
                double bs = b == null ? 0 : b[r];
                float k = (float) (an + bs * totalW);
                float fl = (float) lse[r];
                FloatVector vk = FloatVector.broadcast(F, k);
                FloatVector vl = FloatVector.broadcast(F, fl);
                FloatVector vb = FloatVector.broadcast(F, (float) -bs);
                int i = 0;
                for (int bound = F.loopBound(c); i < bound; i += L) {
                    FloatVector p =
                            Simd.exp(FloatVector.fromArray(F, x, off + i).sub(vl));
                    FloatVector gv = p.mul(vk);
                    if (bs != 0) {
                        gv = weight == null
                                ? gv.add(vb)
                                : FloatVector.fromArray(F, weight, i).fma(vb, gv);
                    }
                    gv.intoArray(gx, off + i);
                }
                for (; i < c; i++) {
                    double p = Math.exp(x[off + i] - lse[r]);
                    gx[off + i] = (float) (p * k - bs * (weight == null ? 1f : weight[i]));
                }
                gx[off + ti] -= (float) an;
            }
        });
    }

    /**
     * Class-probability targets y (M, C), smoothed as y' = y * (1 - eps) + eps / C:
     * loss[i] = -sum_c w[c] * y'[c] * (x[c] - lse).
     */
    public static void softForward(
            float[] x, int m, int c, float[] y, float[] weight, double smoothing, double[] lse, double[] loss) {
        float keep = (float) (1 - smoothing);
        float add = (float) (smoothing / c);
        Parallel.forRange(m, grain(c), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * c;
                double l = logSumExp(x, off, c);
                lse[r] = l;
                double s = 0;
                for (int i = 0; i < c; i++) {
                    float yi = y[off + i] * keep + add;
                    s -= (weight == null ? 1f : weight[i]) * yi * (x[off + i] - l);
                }
                loss[r] = s;
            }
        });
    }

    /**
     * Gradients of sum_i coef[i] * loss[i]: gx = coef * (p_c * sum_k w_k y'_k - w_c y'_c) and
     * (gy non-null) gy = -coef * (1 - eps) * w_c * (x_c - lse).
     */
    public static void softBackward(
            float[] x,
            int m,
            int c,
            float[] y,
            float[] weight,
            double smoothing,
            double[] lse,
            double[] coef,
            float[] gx,
            float[] gy) {
        float keep = (float) (1 - smoothing);
        float add = (float) (smoothing / c);
        Parallel.forRange(m, grain(c), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * c;
                double wy = 0;
                for (int i = 0; i < c; i++) {
                    wy += (weight == null ? 1f : weight[i]) * (y[off + i] * keep + add);
                }
                double k = coef[r];
                for (int i = 0; i < c; i++) {
                    float wi = weight == null ? 1f : weight[i];
                    double logp = x[off + i] - lse[r];
                    if (gx != null) {
                        gx[off + i] = (float) (k * (Math.exp(logp) * wy - wi * (y[off + i] * keep + add)));
                    }
                    if (gy != null) {
                        gy[off + i] = (float) (-k * keep * wi * logp);
                    }
                }
            }
        });
    }
}
