package dev.torchlet.nn;

/**
 * Options of {@link BatchNorm1d} and {@link BatchNorm2d}, as torch.nn.BatchNorm2d's arguments; validated on
 * construction. Running statistics are always tracked (PyTorch's {@code track_running_stats=True}).
 * <pre>
 *   new BatchNorm2d(BatchNormOptions.of(64).withEps(1e-3).withMomentum(0.01))
 * </pre>
 *
 * @param numFeatures channels C, &gt;= 1
 * @param eps         added to the variance before the square root, finite and &gt;= 0 (default 1e-5)
 * @param momentum    running = (1 - momentum) * running + momentum * batch stat, in [0, 1] (default 0.1)
 * @param affine      whether to learn weight (C, starts at 1) and bias (C, starts at 0) (default true)
 */
public record BatchNormOptions(int numFeatures, double eps, double momentum, boolean affine) {
    public BatchNormOptions {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("BatchNorm: numFeatures must be >= 1, got " + numFeatures);
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("BatchNorm: eps must be finite and >= 0, got " + eps);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm: momentum must be in [0, 1], got " + momentum);
        }
    }

    /** eps 1e-5, momentum 0.1, affine: PyTorch's defaults. */
    public static BatchNormOptions of(int numFeatures) {
        return new BatchNormOptions(numFeatures, 1e-5, 0.1, true);
    }

    public BatchNormOptions withNumFeatures(int n) {
        return new BatchNormOptions(n, eps, momentum, affine);
    }

    public BatchNormOptions withEps(double e) {
        return new BatchNormOptions(numFeatures, e, momentum, affine);
    }

    public BatchNormOptions withMomentum(double m) {
        return new BatchNormOptions(numFeatures, eps, m, affine);
    }

    public BatchNormOptions withAffine(boolean a) {
        return new BatchNormOptions(numFeatures, eps, momentum, a);
    }
}
