package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast fused batch-norm, group-norm and layer-norm kernels on contiguous float32 data, viewed as
 * {@code (N, C, S)} with S the product of the spatial dims (batch/group norm) or as
 * {@code (rows, D)} (layer norm). Rows of S (or D) elements are processed with the Vector API;
 * sums are taken in float lanes per row and combined across rows in double. Work is split over
 * channels or rows on the shared pool above {@link #GRAIN} element visits.
 *
 * <p>Statistics arrays (mean, invstd) are double. Weight and bias may be null (1 and 0).
 * Gradient outputs may be null when not needed. {@link NormReference} is the plain-loop twin.
 */
public final class NormKernels {
    private static final VectorSpecies<Float> F = Simd.FLOAT;
    private static final int L = F.length();
    static final int GRAIN = 1 << 15;

    private NormKernels() {}

    static int grain(long workPerItem) {
        return (int) Math.max(1, GRAIN / Math.max(1, workPerItem));
    }

    // ---------------------------------------------------------------- row primitives

    /** sum of a[off .. off+n). */
    static double sum(float[] a, int off, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            acc0 = acc0.add(FloatVector.fromArray(F, a, off + i));
            acc1 = acc1.add(FloatVector.fromArray(F, a, off + i + L));
        }
        if (i <= n - L) {
            acc0 = acc0.add(FloatVector.fromArray(F, a, off + i));
            i += L;
        }
        double s = Simd.sumLanes(acc0.add(acc1));
        for (; i < n; i++) {
            s += a[off + i];
        }
        return s;
    }

    /** sum of (a - mean)^2 over a[off .. off+n). */
    static double sumSqDev(float[] a, int off, int n, float mean) {
        FloatVector m = FloatVector.broadcast(F, mean);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(F, a, off + i).sub(m);
            acc = d.fma(d, acc);
        }
        double s = Simd.sumLanes(acc);
        for (; i < n; i++) {
            double d = a[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    /** sum of g * (x - mean) over one row. */
    static double dotCentered(float[] g, float[] x, int off, int n, float mean) {
        return dotCentered(g, off, x, off, n, mean);
    }

    /** sum of g[gOff + i] * (x[xOff + i] - mean): {@link #dotCentered} with g elsewhere. */
    static double dotCentered(float[] g, int gOff, float[] x, int xOff, int n, float mean) {
        FloatVector m = FloatVector.broadcast(F, mean);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(F, x, xOff + i).sub(m);
            acc = FloatVector.fromArray(F, g, gOff + i).fma(d, acc);
        }
        double s = Simd.sumLanes(acc);
        for (; i < n; i++) {
            s += g[gOff + i] * (x[xOff + i] - mean);
        }
        return s;
    }

    /** out = x * scale + shift over one row. */
    static void affineRow(float[] x, int off, int n, float scale, float shift, float[] out) {
        affineRow(x, off, n, scale, shift, out, 0);
    }

    /** out[off + shiftOut + i] = x[off + i] * scale + shift: {@link #affineRow} into another place. */
    static void affineRow(float[] x, int off, int n, float scale, float shift, float[] out, int shiftOut) {
        FloatVector a = FloatVector.broadcast(F, scale);
        FloatVector b = FloatVector.broadcast(F, shift);
        int o = off + shiftOut;
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, off + i).fma(a, b).intoArray(out, o + i);
        }
        for (; i < n; i++) {
            out[o + i] = x[off + i] * scale + shift;
        }
    }

    /** gx = a * g + b * (x - mean) + c over one row. */
    static void gradRow(float[] g, float[] x, int off, int n, float a, float b, float mean, float c, float[] gx) {
        gradRow(g, off, x, off, n, a, b, mean, c, gx);
    }

    /** gx[xOff + i] = a * g[gOff + i] + b * (x[xOff + i] - mean) + c: {@link #gradRow} with g elsewhere. */
    static void gradRow(
            float[] g, int gOff, float[] x, int off, int n, float a, float b, float mean, float c, float[] gx) {
        FloatVector va = FloatVector.broadcast(F, a);
        FloatVector vb = FloatVector.broadcast(F, b);
        FloatVector vm = FloatVector.broadcast(F, mean);
        FloatVector vc = FloatVector.broadcast(F, c);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(F, x, off + i).sub(vm);
            FloatVector.fromArray(F, g, gOff + i).fma(va, d.fma(vb, vc)).intoArray(gx, off + i);
        }
        for (; i < n; i++) {
            gx[off + i] = a * g[gOff + i] + b * (x[off + i] - mean) + c;
        }
    }

    private static float w(float[] weight, int c) {
        return weight == null ? 1f : weight[c];
    }

    private static float b(float[] bias, int c) {
        return bias == null ? 0f : bias[c];
    }

    /** shift[r], or 0 without a shift. */
    private static float shiftOf(float[] shift, int r) {
        return shift == null ? 0f : shift[r];
    }

    // ---------------------------------------------------------------- batch norm, x (N, C, S)

    /**
     * Per-channel batch statistics: mean[c] and the biased variance var[c] over the N*S values
     * of channel c (two passes: mean, then squared deviations).
     */
    public static void batchStats(float[] x, int n, int c, int s, double[] mean, double[] var) {
        if (s == 1) {
            batchStatsOfRows(x, n, c, mean, var);
            return;
        }
        long m = (long) n * s;
        Parallel.forRange(c, grain(2 * m), (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += s == 1 ? x[i * c + ch] : sum(x, (i * c + ch) * s, s);
                }
                double mu = sum / m;
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    if (s == 1) {
                        double d = x[i * c + ch] - mu;
                        ss += d * d;
                    } else {
                        ss += sumSqDev(x, (i * c + ch) * s, s, (float) mu);
                    }
                }
                mean[ch] = mu;
                var[ch] = ss / m;
            }
        });
    }

    /** Rows per block of {@link #batchStatsOfRows}: float partial sums over a block, double across blocks. */
    private static final int STATS_ROWS = 64;

    /**
     * batchStats of x (m, c) (a (N, C) batch, or a channels-last batch as (N*H*W, C)): channel vectors summed down
     * blocks of {@link #STATS_ROWS} rows in float, the block sums added in double in block order (so the result does
     * not depend on the thread count); then the same for the squared deviations from the mean.
     */
    private static void batchStatsOfRows(float[] x, int m, int c, double[] mean, double[] var) {
        int blocks = (m + STATS_ROWS - 1) / STATS_ROWS;
        double[][] partial = new double[blocks][];
        Parallel.forRange(blocks, Math.max(1, (1 << 14) / Math.max(1, STATS_ROWS * c)), (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                partial[b] = blockSums(x, b * STATS_ROWS, Math.min(m, (b + 1) * STATS_ROWS), c, null);
            }
        });
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (double[] p : partial) {
                sum += p[ch];
            }
            mean[ch] = sum / m;
        }
        float[] mu = new float[c];
        for (int ch = 0; ch < c; ch++) {
            mu[ch] = (float) mean[ch];
        }
        Parallel.forRange(blocks, Math.max(1, (1 << 14) / Math.max(1, STATS_ROWS * c)), (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                partial[b] = blockSums(x, b * STATS_ROWS, Math.min(m, (b + 1) * STATS_ROWS), c, mu);
            }
        });
        for (int ch = 0; ch < c; ch++) {
            double ss = 0;
            for (double[] p : partial) {
                ss += p[ch];
            }
            var[ch] = ss / m;
        }
    }

    /** Per channel, the sum over rows [r0, r1) of x (., c): of x, or with mu of (x - mu)^2. */
    private static double[] blockSums(float[] x, int r0, int r1, int c, float[] mu) {
        double[] out = new double[c];
        int ch = 0;
        for (int bound = F.loopBound(c); ch < bound; ch += L) {
            FloatVector acc = FloatVector.zero(F);
            FloatVector m = mu == null ? null : FloatVector.fromArray(F, mu, ch);
            for (int r = r0; r < r1; r++) {
                FloatVector v = FloatVector.fromArray(F, x, r * c + ch);
                if (m == null) {
                    acc = acc.add(v);
                } else {
                    FloatVector d = v.sub(m);
                    acc = d.fma(d, acc);
                }
            }
            for (int j = 0; j < L; j++) {
                out[ch + j] = acc.lane(j);
            }
        }
        for (; ch < c; ch++) {
            float acc = 0f;
            for (int r = r0; r < r1; r++) {
                float v = x[r * c + ch];
                if (mu == null) {
                    acc += v;
                } else {
                    float d = v - mu[ch];
                    acc += d * d;
                }
            }
            out[ch] = acc;
        }
        return out;
    }

    /** out = (x - mean[c]) * invstd[c] * w[c] + b[c], computed as x * alpha + beta like PyTorch. */
    public static void batchNormApply(
            float[] x, int n, int c, int s, double[] mean, double[] invstd, float[] weight, float[] bias, float[] out) {
        float[] alpha = new float[c];
        float[] beta = new float[c];
        scaleAndShift(mean, invstd, weight, bias, alpha, beta);
        channelAffine(x, n, c, s, alpha, beta, out);
    }

    /** alpha[ch] = invstd[ch] * w[ch], beta[ch] = b[ch] - mean[ch] * alpha[ch] (in double, then rounded). */
    private static void scaleAndShift(
            double[] mean, double[] invstd, float[] weight, float[] bias, float[] alpha, float[] beta) {
        for (int ch = 0; ch < alpha.length; ch++) {
            double a = invstd[ch] * w(weight, ch);
            alpha[ch] = (float) a;
            beta[ch] = (float) (b(bias, ch) - mean[ch] * a);
        }
    }

    /**
     * out[i][ch] = clamp(x[i][ch] * alpha[ch] + beta[ch] + addend[i][ch], lo, hi) for n rows of c channels ((N*H*W, C)
     * rows of a channels-last batch), alpha and beta as in {@link #batchNormApply}; addend may be null. The same
     * values as the batch norm, the addition and the clamp one after another (each rounds the same way).
     */
    public static void batchNormApplyAddClamped(
            float[] x,
            int n,
            int c,
            double[] mean,
            double[] invstd,
            float[] weight,
            float[] bias,
            float[] addend,
            float lo,
            float hi,
            float[] out) {
        float[] alpha = new float[c];
        float[] beta = new float[c];
        scaleAndShift(mean, invstd, weight, bias, alpha, beta);
        rowsAffineAddClamped(x, n, c, alpha, beta, addend, lo, hi, out);
    }

    /**
     * out[i][ch] = clamp(x[i][ch] * alpha[ch] + beta[ch] (+ addend[i][ch]), lo, hi) for n rows of c channels;
     * addend may be null, and infinite bounds change no value (NaN stays NaN).
     */
    private static void rowsAffineAddClamped(
            float[] x, int n, int c, float[] alpha, float[] beta, float[] addend, float lo, float hi, float[] out) {
        Parallel.forRange(n, grain(c), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int base = i * c;
                int ch = 0;
                for (int bound = F.loopBound(c); ch < bound; ch += L) {
                    FloatVector v = FloatVector.fromArray(F, x, base + ch)
                            .fma(FloatVector.fromArray(F, alpha, ch), FloatVector.fromArray(F, beta, ch));
                    if (addend != null) {
                        v = v.add(FloatVector.fromArray(F, addend, base + ch));
                    }
                    v.max(lo).min(hi).intoArray(out, base + ch);
                }
                for (; ch < c; ch++) {
                    float v = x[base + ch] * alpha[ch] + beta[ch];
                    if (addend != null) {
                        v += addend[base + ch];
                    }
                    out[base + ch] = Math.min(Math.max(v, lo), hi);
                }
            }
        });
    }

    /** out[i, ch, :] = x[i, ch, :] * alpha[ch] + beta[ch]. */
    private static void channelAffine(float[] x, int n, int c, int s, float[] alpha, float[] beta, float[] out) {
        if (s == 1) { // (N*H*W, C) rows: channels-last
            rowsAffineAddClamped(x, n, c, alpha, beta, null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, out);
            return;
        }
        Parallel.forRange(n * c, grain(s), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int ch = r % c;
                affineRow(x, r * s, s, alpha[ch], beta[ch], out);
            }
        });
    }

    /**
     * Fused batch-norm backward. With xhat = (x - mean) * invstd and M = N*S:
     * training: gx = w * invstd * (g - sum(g)/M - xhat * sum(g * xhat)/M);
     * eval (mean, invstd are the running statistics, constants): gx = w * invstd * g.
     * gw[c] = sum(g * xhat), gb[c] = sum(g).
     */
    public static void batchNormBackward(
            float[] g,
            float[] x,
            int n,
            int c,
            int s,
            double[] mean,
            double[] invstd,
            float[] weight,
            boolean training,
            float[] gx,
            float[] gw,
            float[] gb) {
        long m = (long) n * s;
        double[] sumG = new double[c];
        double[] dot = new double[c];
        Parallel.forRange(c, grain(2 * m), (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                float mu = (float) mean[ch];
                double sg = 0;
                double dp = 0;
                for (int i = 0; i < n; i++) {
                    int off = (i * c + ch) * s;
                    if (s == 1) {
                        sg += g[off];
                        dp += g[off] * (x[off] - mean[ch]);
                    } else {
                        sg += sum(g, off, s);
                        dp += dotCentered(g, x, off, s, mu);
                    }
                }
                sumG[ch] = sg;
                dot[ch] = dp;
            }
        });
        for (int ch = 0; ch < c; ch++) {
            if (gw != null) {
                gw[ch] = (float) (dot[ch] * invstd[ch]);
            }
            if (gb != null) {
                gb[ch] = (float) sumG[ch];
            }
        }
        if (gx == null) {
            return;
        }
        float[] ca = new float[c];
        float[] cb = new float[c];
        float[] cm = new float[c];
        float[] cc = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double a = invstd[ch] * w(weight, ch);
            ca[ch] = (float) a;
            cm[ch] = (float) mean[ch];
            if (training) {
                cb[ch] = (float) (-a * invstd[ch] * invstd[ch] * dot[ch] / m);
                cc[ch] = (float) (-a * sumG[ch] / m);
            }
        }
        Parallel.forRange(n * c, grain(2L * s), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int ch = r % c;
                gradRow(g, x, r * s, s, ca[ch], cb[ch], cm[ch], cc[ch], gx);
            }
        });
    }

    // ---------------------------------------------------------------- group norm, x (N, C, S)

    /** Per (n, group) mean and 1/sqrt(var + eps) over the C/G*S values of the group; then the affine map. */
    public static void groupNormForward(
            float[] x,
            int n,
            int c,
            int s,
            int groups,
            float[] weight,
            float[] bias,
            double eps,
            float[] out,
            double[] mean,
            double[] rstd) {
        groupNormForward(x, n, c, s, groups, weight, bias, eps, out, mean, rstd, false);
    }

    /**
     * {@link #groupNormForward}, then silu of every output when {@code silu} (the values of group norm and SiLU run
     * one after the other, without the group norm's output as a tensor of its own). Each (n, group) in one go: its
     * statistics, then its rows' affine map (and SiLU), while the group's values are in the core's cache.
     */
    public static void groupNormForward(
            float[] x,
            int n,
            int c,
            int s,
            int groups,
            float[] weight,
            float[] bias,
            double eps,
            float[] out,
            double[] mean,
            double[] rstd,
            boolean silu) {
        groupNormForward(x, null, n, c, s, groups, weight, bias, eps, out, mean, rstd, silu);
    }

    /**
     * As {@link #groupNormForward(float[], int, int, int, int, float[], float[], double, float[], double[], double[],
     * boolean)} of h = x + shift, shift (n, c) added to every value of its row (a diffusion U-Net's timestep
     * embedding), without h in memory: mean = (sum x + s sum shift) / len, var = sum over rows of sum (x - (mean -
     * shift))^2 / len, out = x a + (b + (shift - mean) a). A null shift is none (the same bits as without).
     */
    public static void groupNormForward(
            float[] x,
            float[] shift,
            int n,
            int c,
            int s,
            int groups,
            float[] weight,
            float[] bias,
            double eps,
            float[] out,
            double[] mean,
            double[] rstd,
            boolean silu) {
        int cg = c / groups;
        int len = cg * s;
        Parallel.forRange(n * groups, grain(3L * len), (q0, q1) -> {
            for (int q = q0; q < q1; q++) {
                int off = q * len;
                double mu;
                double var;
                if (shift == null) {
                    mu = sum(x, off, len) / len;
                    var = sumSqDev(x, off, len, (float) mu) / len;
                } else {
                    double shifts = 0;
                    for (int r = q * cg; r < (q + 1) * cg; r++) {
                        shifts += shift[r];
                    }
                    mu = (sum(x, off, len) + shifts * s) / len;
                    double sq = 0;
                    for (int r = q * cg; r < (q + 1) * cg; r++) {
                        sq += sumSqDev(x, r * s, s, (float) (mu - shift[r]));
                    }
                    var = sq / len;
                }
                mean[q] = mu;
                rstd[q] = 1.0 / Math.sqrt(var + eps);
                for (int r = q * cg; r < (q + 1) * cg; r++) {
                    int ch = r % c;
                    double a = rstd[q] * w(weight, ch);
                    affineRow(x, r * s, s, (float) a, (float) (b(bias, ch) - (mu - shiftOf(shift, r)) * a), out);
                }
                if (silu) { // the group's rows are contiguous: one pass, one vector tail
                    UnaryKernels.siluInPlace(out, off, len);
                }
            }
        });
    }

    /**
     * Fused group-norm backward. Per group with M = C/G*S, gy = g * w[c] and xhat = (x - mean) * rstd:
     * gx = rstd * (gy - mean(gy) - xhat * mean(gy * xhat)); gw[c] = sum(g * xhat), gb[c] = sum(g).
     */
    public static void groupNormBackward(
            float[] g,
            float[] x,
            int n,
            int c,
            int s,
            int groups,
            double[] mean,
            double[] rstd,
            float[] weight,
            float[] gx,
            float[] gw,
            float[] gb) {
        int cg = c / groups;
        double[] sumG = new double[n * c];
        double[] dot = new double[n * c];
        Parallel.forRange(n * c, grain(2L * s), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * s;
                sumG[r] = sum(g, off, s);
                dot[r] = dotCentered(g, x, off, s, (float) mean[r / cg]);
            }
        });
        parameterGrads(n, c, cg, sumG, dot, rstd, gw, gb);
        if (gx == null) {
            return;
        }
        double m = (double) cg * s;
        Parallel.forRange(n * groups, grain(2L * cg * s), (q0, q1) -> {
            for (int q = q0; q < q1; q++) {
                double a = 0;
                double bb = 0;
                for (int k = 0; k < cg; k++) {
                    int r = q * cg + k;
                    double wc = w(weight, r % c);
                    a += wc * sumG[r];
                    bb += wc * dot[r];
                }
                double r3 = rstd[q] * rstd[q] * rstd[q];
                float cb = (float) (-r3 * bb / m);
                float cc = (float) (-rstd[q] * a / m);
                for (int k = 0; k < cg; k++) {
                    int r = q * cg + k;
                    gradRow(g, x, r * s, s, (float) (rstd[q] * w(weight, r % c)), cb, (float) mean[q], cc, gx);
                }
            }
        });
    }

    /**
     * The gradients of silu(group_norm(x)) ({@link #groupNormForward} with silu) from g, the same values as SiLU's
     * backward then {@link #groupNormBackward}: per (n, group), the group norm's output y is computed again as the
     * forward did, the SiLU gradient gy = g s (1 + y (1 - s)) goes into a scratch of the group's size (in the core's
     * cache, never a tensor), and the group's sums and input gradients are taken from it at once. gx, gw, gb may each
     * be null (not wanted); bias may be null (zeros).
     */
    public static void groupNormSiluBackward(
            float[] g,
            float[] x,
            int n,
            int c,
            int s,
            int groups,
            double[] mean,
            double[] rstd,
            float[] weight,
            float[] bias,
            float[] gx,
            float[] gw,
            float[] gb) {
        groupNormSiluBackward(g, x, null, n, c, s, groups, mean, rstd, weight, bias, gx, gw, gb, null);
    }

    /**
     * {@link #groupNormSiluBackward} of the shifted forward ({@link #groupNormForward(float[], float[], int, int,
     * int, int, float[], float[], double, float[], double[], double[], boolean) h = x + shift}): h - mean is x -
     * (mean - shift) row by row, the input gradient is h's, and the shift's gradient gs (n, c) is the sum of each
     * row of gx (then gx must not be null). shift and gs null: none.
     */
    public static void groupNormSiluBackward(
            float[] g,
            float[] x,
            float[] shift,
            int n,
            int c,
            int s,
            int groups,
            double[] mean,
            double[] rstd,
            float[] weight,
            float[] bias,
            float[] gx,
            float[] gw,
            float[] gb,
            float[] gs) {
        if (gs != null && gx == null) {
            throw new IllegalArgumentException("groupNormSiluBackward: the shift's gradient sums the input gradient's "
                    + "rows; gx must be given");
        }
        int cg = c / groups;
        int len = cg * s;
        double[] sumG = new double[n * c];
        double[] dot = new double[n * c];
        double m = (double) len;
        Parallel.forRange(n * groups, grain(4L * len), (q0, q1) -> {
            float[] gy = ScratchBuffers.take(len); // the group's SiLU gradient, row by row from 0
            for (int q = q0; q < q1; q++) {
                double a = 0;
                double bb = 0;
                for (int k = 0; k < cg; k++) { // the group's normalized rows, then SiLU's gradient over all of them
                    int r = q * cg + k;
                    int ch = r % c;
                    double scale = rstd[q] * w(weight, ch);
                    double center = mean[q] - shiftOf(shift, r); // h - mean = x - center
                    affineRow(x, r * s, s, (float) scale, (float) (b(bias, ch) - center * scale), gy, k * s - r * s);
                }
                UnaryKernels.siluBackwardRow(g, q * len, gy, 0, gy, 0, len);
                for (int k = 0; k < cg; k++) {
                    int r = q * cg + k;
                    int ch = r % c;
                    sumG[r] = sum(gy, k * s, s);
                    dot[r] = dotCentered(gy, k * s, x, r * s, s, (float) (mean[q] - shiftOf(shift, r)));
                    double wc = w(weight, ch);
                    a += wc * sumG[r];
                    bb += wc * dot[r];
                }
                if (gx == null) {
                    continue;
                }
                double r3 = rstd[q] * rstd[q] * rstd[q];
                float cb = (float) (-r3 * bb / m);
                float cc = (float) (-rstd[q] * a / m);
                for (int k = 0; k < cg; k++) {
                    int r = q * cg + k;
                    float center = (float) (mean[q] - shiftOf(shift, r));
                    gradRow(gy, k * s, x, r * s, s, (float) (rstd[q] * w(weight, r % c)), cb, center, cc, gx);
                    if (gs != null) {
                        gs[r] = (float) sum(gx, r * s, s);
                    }
                }
            }
            ScratchBuffers.give(gy);
        });
        parameterGrads(n, c, cg, sumG, dot, rstd, gw, gb);
    }

    /** gw[ch] = sum over i of dot[i, ch] * rstd[i, group], gb[ch] = sum over i of sumG[i, ch] (either may be null). */
    private static void parameterGrads(
            int n, int c, int cg, double[] sumG, double[] dot, double[] rstd, float[] gw, float[] gb) {
        if (gw == null && gb == null) {
            return;
        }
        for (int ch = 0; ch < c; ch++) {
            double dw = 0;
            double db = 0;
            for (int i = 0; i < n; i++) {
                int r = i * c + ch;
                dw += dot[r] * rstd[r / cg];
                db += sumG[r];
            }
            if (gw != null) {
                gw[ch] = (float) dw;
            }
            if (gb != null) {
                gb[ch] = (float) db;
            }
        }
    }

    // ---------------------------------------------------------------- layer norm, x (rows, D)

    /** Per row: mean, rstd = 1/sqrt(var + eps), out = (x - mean) * rstd * w + b (w, b of length D). */
    public static void layerNormForward(
            float[] x,
            int rows,
            int d,
            float[] weight,
            float[] bias,
            double eps,
            float[] out,
            double[] mean,
            double[] rstd) {
        Parallel.forRange(rows, grain(3L * d), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * d;
                double mu = sum(x, off, d) / d;
                double rs = 1.0 / Math.sqrt(sumSqDev(x, off, d, (float) mu) / d + eps);
                mean[r] = mu;
                rstd[r] = rs;
                if (weight == null && bias == null) {
                    affineRow(x, off, d, (float) rs, (float) (-mu * rs), out);
                    continue;
                }
                FloatVector vm = FloatVector.broadcast(F, (float) mu);
                FloatVector vr = FloatVector.broadcast(F, (float) rs);
                int i = 0;
                for (int bound = F.loopBound(d); i < bound; i += L) {
                    FloatVector xh =
                            FloatVector.fromArray(F, x, off + i).sub(vm).mul(vr);
                    FloatVector wv =
                            weight == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, weight, i);
                    FloatVector bv = bias == null ? FloatVector.zero(F) : FloatVector.fromArray(F, bias, i);
                    xh.fma(wv, bv).intoArray(out, off + i);
                }
                for (; i < d; i++) {
                    out[off + i] = (float) ((x[off + i] - mu) * rs) * w(weight, i) + b(bias, i);
                }
            }
        });
    }

    /**
     * Fused layer-norm backward. Per row with gy = g * w and xhat = (x - mean) * rstd:
     * gx = rstd * (gy - mean(gy) - xhat * mean(gy * xhat)); gw = sum over rows of g * xhat,
     * gb = sum over rows of g. Weight/bias grads are summed in a fixed number of row chunks
     * (independent of the thread count), so results are deterministic.
     */
    public static void layerNormBackward(
            float[] g,
            float[] x,
            int rows,
            int d,
            double[] mean,
            double[] rstd,
            float[] weight,
            float[] gx,
            float[] gw,
            float[] gb) {
        int chunks = (int) Math.max(1, Math.min(Math.min(rows, 16), (long) rows * d / GRAIN));
        float[][] pw = gw == null ? null : new float[chunks][d];
        float[][] pb = gb == null ? null : new float[chunks][d];
        Parallel.forRange(chunks, 1, (k0, k1) -> {
            float[] gyRow = weight == null ? null : new float[d];
            for (int k = k0; k < k1; k++) {
                int rs = (int) ((long) rows * k / chunks);
                int re = (int) ((long) rows * (k + 1) / chunks);
                for (int r = rs; r < re; r++) {
                    layerNormRowBackward(
                            g,
                            x,
                            r * d,
                            d,
                            (float) mean[r],
                            (float) rstd[r],
                            weight,
                            gyRow,
                            gx,
                            pw == null ? null : pw[k],
                            pb == null ? null : pb[k]);
                }
            }
        });
        for (int k = 0; k < chunks; k++) {
            for (int i = 0; i < d; i++) {
                if (gw != null) {
                    gw[i] += pw[k][i];
                }
                if (gb != null) {
                    gb[i] += pb[k][i];
                }
            }
        }
    }

    private static void layerNormRowBackward(
            float[] g,
            float[] x,
            int off,
            int d,
            float mu,
            float rs,
            float[] weight,
            float[] gyRow,
            float[] gx,
            float[] pw,
            float[] pb) {
        // gy = g * w (or g itself), then sums of gy and gy * (x - mu)
        float[] gy = g;
        int gyOff = off;
        if (weight != null) {
            int i = 0;
            for (int bound = F.loopBound(d); i < bound; i += L) {
                FloatVector.fromArray(F, g, off + i)
                        .mul(FloatVector.fromArray(F, weight, i))
                        .intoArray(gyRow, i);
            }
            for (; i < d; i++) {
                gyRow[i] = g[off + i] * weight[i];
            }
            gy = gyRow;
            gyOff = 0;
        }
        FloatVector vm = FloatVector.broadcast(F, mu);
        FloatVector vr = FloatVector.broadcast(F, rs);
        FloatVector accA = FloatVector.zero(F);
        FloatVector accB = FloatVector.zero(F);
        int i = 0;
        int bound = F.loopBound(d);
        for (; i < bound; i += L) {
            FloatVector gv = FloatVector.fromArray(F, gy, gyOff + i);
            FloatVector xc = FloatVector.fromArray(F, x, off + i).sub(vm);
            accA = accA.add(gv);
            accB = gv.fma(xc, accB);
            if (pw != null || pb != null) {
                FloatVector g0 = FloatVector.fromArray(F, g, off + i);
                if (pw != null) {
                    g0.mul(xc.mul(vr)).add(FloatVector.fromArray(F, pw, i)).intoArray(pw, i);
                }
                if (pb != null) {
                    g0.add(FloatVector.fromArray(F, pb, i)).intoArray(pb, i);
                }
            }
        }
        double a = Simd.sumLanes(accA);
        double b = Simd.sumLanes(accB);
        for (int j = i; j < d; j++) {
            float xc = x[off + j] - mu;
            a += gy[gyOff + j];
            b += gy[gyOff + j] * xc;
            if (pw != null) {
                pw[j] += g[off + j] * xc * rs;
            }
            if (pb != null) {
                pb[j] += g[off + j];
            }
        }
        if (gx == null) {
            return;
        }
        // gx = rs * gy - rs * a/d - (x - mu) * rs^3 * b/d
        float ca = rs;
        float cb = (float) (-(double) rs * rs * rs * b / d);
        float cc = (float) (-rs * a / d);
        i = 0;
        FloatVector va = FloatVector.broadcast(F, ca);
        FloatVector vb = FloatVector.broadcast(F, cb);
        FloatVector vc = FloatVector.broadcast(F, cc);
        for (; i < bound; i += L) {
            FloatVector xc = FloatVector.fromArray(F, x, off + i).sub(vm);
            FloatVector.fromArray(F, gy, gyOff + i).fma(va, xc.fma(vb, vc)).intoArray(gx, off + i);
        }
        for (; i < d; i++) {
            gx[off + i] = ca * gy[gyOff + i] + cb * (x[off + i] - mu) + cc;
        }
    }
}
