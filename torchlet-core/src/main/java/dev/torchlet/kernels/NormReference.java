package dev.torchlet.kernels;

/**
 * Plain-loop reference normalization kernels on contiguous float64 data, with the same contracts
 * as {@link NormKernels}: the test oracle, and the float64 path used by gradient checks.
 * Written with the textbook formulas on xhat = (x - mean) * invstd.
 */
public final class NormReference {
    private NormReference() {}

    private static double w(double[] weight, int c) {
        return weight == null ? 1 : weight[c];
    }

    private static double b(double[] bias, int c) {
        return bias == null ? 0 : bias[c];
    }

    /** Mean and biased variance of each channel of x (N, C, S). */
    public static void batchStats(double[] x, int n, int c, int s, double[] mean, double[] var) {
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < s; k++) {
                    sum += x[(i * c + ch) * s + k];
                }
            }
            double mu = sum / ((double) n * s);
            double ss = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < s; k++) {
                    double d = x[(i * c + ch) * s + k] - mu;
                    ss += d * d;
                }
            }
            mean[ch] = mu;
            var[ch] = ss / ((double) n * s);
        }
    }

    /** out = (x - mean[c]) * invstd[c] * w[c] + b[c]. */
    public static void batchNormApply(
            double[] x,
            int n,
            int c,
            int s,
            double[] mean,
            double[] invstd,
            double[] weight,
            double[] bias,
            double[] out) {
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < s; k++) {
                    int p = (i * c + ch) * s + k;
                    out[p] = (x[p] - mean[ch]) * invstd[ch] * w(weight, ch) + b(bias, ch);
                }
            }
        }
    }

    /**
     * training: gx = (1/M) * w * invstd * (M*g - sum(g) - xhat*sum(g*xhat)); eval: gx = w * invstd * g.
     * gw = sum(g * xhat), gb = sum(g).
     */
    public static void batchNormBackward(
            double[] g,
            double[] x,
            int n,
            int c,
            int s,
            double[] mean,
            double[] invstd,
            double[] weight,
            boolean training,
            double[] gx,
            double[] gw,
            double[] gb) {
        double m = (double) n * s;
        for (int ch = 0; ch < c; ch++) {
            double sumG = 0;
            double sumGXhat = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < s; k++) {
                    int p = (i * c + ch) * s + k;
                    sumG += g[p];
                    sumGXhat += g[p] * (x[p] - mean[ch]) * invstd[ch];
                }
            }
            if (gw != null) {
                gw[ch] = sumGXhat;
            }
            if (gb != null) {
                gb[ch] = sumG;
            }
            if (gx == null) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < s; k++) {
                    int p = (i * c + ch) * s + k;
                    double xhat = (x[p] - mean[ch]) * invstd[ch];
                    gx[p] = training
                            ? w(weight, ch) * invstd[ch] * (m * g[p] - sumG - xhat * sumGXhat) / m
                            : w(weight, ch) * invstd[ch] * g[p];
                }
            }
        }
    }

    /** Group statistics over (C/G channels x S) per (n, group), then the per-channel affine map. */
    public static void groupNormForward(
            double[] x,
            int n,
            int c,
            int s,
            int groups,
            double[] weight,
            double[] bias,
            double eps,
            double[] out,
            double[] mean,
            double[] rstd) {
        int cg = c / groups;
        int len = cg * s;
        for (int q = 0; q < n * groups; q++) {
            double sum = 0;
            for (int k = 0; k < len; k++) {
                sum += x[q * len + k];
            }
            double mu = sum / len;
            double ss = 0;
            for (int k = 0; k < len; k++) {
                ss += (x[q * len + k] - mu) * (x[q * len + k] - mu);
            }
            mean[q] = mu;
            rstd[q] = 1 / Math.sqrt(ss / len + eps);
            for (int k = 0; k < len; k++) {
                int ch = (q % groups) * cg + k / s;
                out[q * len + k] = (x[q * len + k] - mu) * rstd[q] * w(weight, ch) + b(bias, ch);
            }
        }
    }

    /** gx = rstd * (gy - mean(gy) - xhat * mean(gy * xhat)) per group, gy = g * w[c]. */
    public static void groupNormBackward(
            double[] g,
            double[] x,
            int n,
            int c,
            int s,
            int groups,
            double[] mean,
            double[] rstd,
            double[] weight,
            double[] gx,
            double[] gw,
            double[] gb) {
        int cg = c / groups;
        int len = cg * s;
        if (gw != null) {
            java.util.Arrays.fill(gw, 0);
        }
        if (gb != null) {
            java.util.Arrays.fill(gb, 0);
        }
        for (int q = 0; q < n * groups; q++) {
            double meanGy = 0;
            double meanGyXhat = 0;
            for (int k = 0; k < len; k++) {
                int p = q * len + k;
                int ch = (q % groups) * cg + k / s;
                double xhat = (x[p] - mean[q]) * rstd[q];
                double gy = g[p] * w(weight, ch);
                meanGy += gy / len;
                meanGyXhat += gy * xhat / len;
                if (gw != null) {
                    gw[ch] += g[p] * xhat;
                }
                if (gb != null) {
                    gb[ch] += g[p];
                }
            }
            if (gx == null) {
                continue;
            }
            for (int k = 0; k < len; k++) {
                int p = q * len + k;
                int ch = (q % groups) * cg + k / s;
                double xhat = (x[p] - mean[q]) * rstd[q];
                gx[p] = rstd[q] * (g[p] * w(weight, ch) - meanGy - xhat * meanGyXhat);
            }
        }
    }

    /** Per row of D: out = (x - mean) * rstd * w + b with w, b of length D. */
    public static void layerNormForward(
            double[] x,
            int rows,
            int d,
            double[] weight,
            double[] bias,
            double eps,
            double[] out,
            double[] mean,
            double[] rstd) {
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int i = 0; i < d; i++) {
                sum += x[r * d + i];
            }
            double mu = sum / d;
            double ss = 0;
            for (int i = 0; i < d; i++) {
                ss += (x[r * d + i] - mu) * (x[r * d + i] - mu);
            }
            mean[r] = mu;
            rstd[r] = 1 / Math.sqrt(ss / d + eps);
            for (int i = 0; i < d; i++) {
                out[r * d + i] = (x[r * d + i] - mu) * rstd[r] * w(weight, i) + b(bias, i);
            }
        }
    }

    /** gx = rstd * (gy - mean(gy) - xhat * mean(gy * xhat)), gy = g * w; gw, gb summed over rows. */
    public static void layerNormBackward(
            double[] g,
            double[] x,
            int rows,
            int d,
            double[] mean,
            double[] rstd,
            double[] weight,
            double[] gx,
            double[] gw,
            double[] gb) {
        for (int r = 0; r < rows; r++) {
            double meanGy = 0;
            double meanGyXhat = 0;
            for (int i = 0; i < d; i++) {
                int p = r * d + i;
                double xhat = (x[p] - mean[r]) * rstd[r];
                double gy = g[p] * w(weight, i);
                meanGy += gy / d;
                meanGyXhat += gy * xhat / d;
                if (gw != null) {
                    gw[i] += g[p] * xhat;
                }
                if (gb != null) {
                    gb[i] += g[p];
                }
            }
            if (gx == null) {
                continue;
            }
            for (int i = 0; i < d; i++) {
                int p = r * d + i;
                double xhat = (x[p] - mean[r]) * rstd[r];
                gx[p] = rstd[r] * (g[p] * w(weight, i) - meanGy - xhat * meanGyXhat);
            }
        }
    }
}
