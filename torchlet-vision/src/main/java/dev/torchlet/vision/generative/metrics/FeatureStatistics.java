package dev.torchlet.vision.generative.metrics;

import dev.torchlet.Tensor;

/**
 * Streaming mean and covariance of feature vectors (rows of (B, D) batches), in double precision, for
 * {@link FrechetDistance}. Adding batches one at a time gives the same statistics as adding all rows at
 * once (up to rounding): it keeps the count, the sum and the sum of outer products of the rows, shifted by
 * the first row seen (the shifted-data algorithm, so a large common offset does not cancel catastrophically).
 *
 * <pre>
 *   var stats = new FeatureStatistics(128);
 *   for (Tensor batch : batches) stats.add(classifier.features(batch));   // (B, 128)
 *   double fid = FrechetDistance.of(stats, realStats);
 * </pre>
 */
public final class FeatureStatistics {
    private final int dim;
    private long count;
    private double[] shift; // the first row, (D)
    private final double[] sum; // sum of (x - shift), (D)
    private final double[] outer; // sum of (x - shift)(x - shift)^T, upper triangle of (D, D) row-major

    public FeatureStatistics(int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("FeatureStatistics: the feature size must be at least 1, got " + dim);
        }
        this.dim = dim;
        this.sum = new double[dim];
        this.outer = new double[dim * dim];
    }

    /** The statistics of the rows of a (N, D) matrix. */
    public static FeatureStatistics of(Tensor features) {
        requireMatrix(features);
        return new FeatureStatistics(features.shape()[1]).add(features);
    }

    private static void requireMatrix(Tensor features) {
        if (features.dim() != 2) {
            throw new IllegalArgumentException("FeatureStatistics: expected features of shape (N, D), got "
                    + java.util.Arrays.toString(features.shape()));
        }
    }

    /** Adds the rows of a (B, D) batch (any float dtype; accumulated in double). */
    public FeatureStatistics add(Tensor features) {
        requireMatrix(features);
        if (features.shape()[1] != dim) {
            throw new IllegalArgumentException("FeatureStatistics: expected " + dim + " features per row, got "
                    + java.util.Arrays.toString(features.shape()));
        }
        return add(features.detach().toDoubleArray(), features.shape()[0]);
    }

    /** Adds n rows given row-major, {@code rows.length == n * dim()}. */
    public FeatureStatistics add(double[] rows, int n) {
        if (rows.length != (long) n * dim) {
            throw new IllegalArgumentException(
                    "FeatureStatistics: " + rows.length + " values are not " + n + " rows of " + dim);
        }
        double[] d = new double[dim];
        for (int r = 0; r < n; r++) {
            int base = r * dim;
            if (shift == null) {
                shift = java.util.Arrays.copyOfRange(rows, base, base + dim);
            }
            for (int i = 0; i < dim; i++) {
                double x = rows[base + i];
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException(
                            "FeatureStatistics: row " + (count + r) + ", feature " + i + " is not finite: " + x);
                }
                d[i] = x - shift[i];
                sum[i] += d[i];
            }
            for (int i = 0; i < dim; i++) {
                double di = d[i];
                if (di == 0) {
                    continue;
                }
                int row = i * dim;
                for (int j = i; j < dim; j++) {
                    outer[row + j] += di * d[j];
                }
            }
        }
        count += n;
        return this;
    }

    public int dim() {
        return dim;
    }

    public long count() {
        return count;
    }

    /** The mean (D). */
    public double[] mean() {
        requireCount(1);
        double[] mu = new double[dim];
        for (int i = 0; i < dim; i++) {
            mu[i] = shift[i] + sum[i] / count;
        }
        return mu;
    }

    /**
     * The unbiased covariance (D, D): sum (x - mu)(x - mu)^T / (N - 1), as numpy's {@code np.cov(x, rowvar=False)}
     * that pytorch-fid uses. Needs at least two rows.
     */
    public double[][] covariance() {
        requireCount(2);
        double[][] c = new double[dim][dim];
        for (int i = 0; i < dim; i++) {
            for (int j = i; j < dim; j++) {
                // sum (d_i - mean_d_i)(d_j - mean_d_j) = sum d_i d_j - sum d_i sum d_j / N
                double v = (outer[i * dim + j] - sum[i] * sum[j] / count) / (count - 1);
                c[i][j] = v;
                c[j][i] = v;
            }
        }
        return c;
    }

    private void requireCount(int min) {
        if (count < min) {
            throw new IllegalStateException("FeatureStatistics: needs at least " + min + " feature rows, has " + count);
        }
    }
}
