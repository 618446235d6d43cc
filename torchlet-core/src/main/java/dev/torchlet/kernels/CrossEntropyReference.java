package dev.torchlet.kernels;

/**
 * Plain-loop reference cross-entropy on contiguous float64 logits {@code (M, C)}, with the same
 * contracts as {@link CrossEntropyKernels}: the test oracle and the float64 path. Computes the
 * log-softmax row explicitly. Also holds the NLL gather/scatter, which is O(M) and needs no fast twin.
 */
public final class CrossEntropyReference {
    private CrossEntropyReference() {}

    private static double w(double[] weight, int c) {
        return weight == null ? 1 : weight[c];
    }

    private static double[] logSoftmaxRow(double[] x, int off, int c) {
        double mx = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < c; i++) {
            mx = Math.max(mx, x[off + i]);
        }
        double s = 0;
        for (int i = 0; i < c; i++) {
            s += Math.exp(x[off + i] - mx);
        }
        double lse = mx + Math.log(s);
        double[] logp = new double[c + 1];
        for (int i = 0; i < c; i++) {
            logp[i] = x[off + i] - lse;
        }
        logp[c] = lse;
        return logp;
    }

    /** See {@link CrossEntropyKernels#forward}. */
    public static void forward(
            double[] x,
            int m,
            int c,
            long[] target,
            double[] weight,
            long ignoreIndex,
            double[] lse,
            double[] nll,
            double[] smooth) {
        for (int r = 0; r < m; r++) {
            double[] logp = logSoftmaxRow(x, r * c, c);
            lse[r] = logp[c];
            long t = target[r];
            nll[r] = t == ignoreIndex ? 0 : -w(weight, (int) t) * logp[(int) t];
            if (smooth != null) {
                double s = 0;
                for (int i = 0; i < c; i++) {
                    s -= w(weight, i) * logp[i];
                }
                smooth[r] = t == ignoreIndex ? 0 : s;
            }
        }
    }

    /** See {@link CrossEntropyKernels#backward}. */
    public static void backward(
            double[] x,
            int m,
            int c,
            long[] target,
            double[] weight,
            long ignoreIndex,
            double[] lse,
            double[] a,
            double[] b,
            double[] gx) {
        double wsum = 0;
        for (int i = 0; i < c; i++) {
            wsum += w(weight, i);
        }
        for (int r = 0; r < m; r++) {
            long t = target[r];
            for (int i = 0; i < c; i++) {
                int p = r * c + i;
                if (t == ignoreIndex) {
                    gx[p] = 0;
                    continue;
                }
                double prob = Math.exp(x[p] - lse[r]);
                double onehot = i == t ? 1 : 0;
                double bs = b == null ? 0 : b[r];
                gx[p] = a[r] * w(weight, (int) t) * (prob - onehot) + bs * (wsum * prob - w(weight, i));
            }
        }
    }

    /** See {@link CrossEntropyKernels#softForward}. */
    public static void softForward(
            double[] x, int m, int c, double[] y, double[] weight, double smoothing, double[] lse, double[] loss) {
        for (int r = 0; r < m; r++) {
            double[] logp = logSoftmaxRow(x, r * c, c);
            lse[r] = logp[c];
            double s = 0;
            for (int i = 0; i < c; i++) {
                double yi = y[r * c + i] * (1 - smoothing) + smoothing / c;
                s -= w(weight, i) * yi * logp[i];
            }
            loss[r] = s;
        }
    }

    /** See {@link CrossEntropyKernels#softBackward}. */
    public static void softBackward(
            double[] x,
            int m,
            int c,
            double[] y,
            double[] weight,
            double smoothing,
            double[] lse,
            double[] coef,
            double[] gx,
            double[] gy) {
        for (int r = 0; r < m; r++) {
            double wy = 0;
            for (int i = 0; i < c; i++) {
                wy += w(weight, i) * (y[r * c + i] * (1 - smoothing) + smoothing / c);
            }
            for (int i = 0; i < c; i++) {
                int p = r * c + i;
                double logp = x[p] - lse[r];
                double yi = y[p] * (1 - smoothing) + smoothing / c;
                if (gx != null) {
                    gx[p] = coef[r] * (Math.exp(logp) * wy - w(weight, i) * yi);
                }
                if (gy != null) {
                    gy[p] = -coef[r] * (1 - smoothing) * w(weight, i) * logp;
                }
            }
        }
    }

    /**
     * NLL gather: loss[i] = -w[t] * logp[i, t] and wt[i] = w[t] (both 0 where t == ignoreIndex),
     * logp a contiguous (M, C) block of any float dtype at offset 0.
     */
    public static void nllForward(
            dev.torchlet.Storage logp,
            int m,
            int c,
            long[] target,
            double[] weight,
            long ignoreIndex,
            double[] loss,
            double[] wt) {
        for (int r = 0; r < m; r++) {
            long t = target[r];
            if (t == ignoreIndex) {
                loss[r] = 0;
                wt[r] = 0;
                continue;
            }
            wt[r] = w(weight, (int) t);
            loss[r] = -wt[r] * logp.getDouble(r * c + (int) t);
        }
    }

    /** NLL scatter: g[i, t] = -w[t] * coef[i] into a zeroed (M, C) storage. */
    public static void nllBackward(
            int m, int c, long[] target, double[] weight, long ignoreIndex, double[] coef, dev.torchlet.Storage g) {
        for (int r = 0; r < m; r++) {
            long t = target[r];
            if (t != ignoreIndex) {
                g.setDouble(r * c + (int) t, -w(weight, (int) t) * coef[r]);
            }
        }
    }
}
