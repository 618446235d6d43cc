package dev.torchlet.nn;

/**
 * Options of {@link InstanceNorm2d}, as torch.nn.InstanceNorm2d's arguments (same order); validated on
 * construction.
 * <pre>
 *   new InstanceNorm2d(InstanceNormOptions.of(64).withAffine(true))
 * </pre>
 *
 * @param numFeatures       channels C, &gt;= 1
 * @param eps               added to the variance before the square root, finite and &gt;= 0 (default 1e-5)
 * @param momentum          running = (1 - momentum) * running + momentum * statistic, in [0, 1] (default 0.1)
 * @param affine            whether to learn weight (C, starts at 1) and bias (C, starts at 0) (default false)
 * @param trackRunningStats whether to keep running_mean / running_var (used in eval mode) (default false)
 */
public record InstanceNormOptions(
        int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
    public InstanceNormOptions {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("InstanceNorm2d: numFeatures must be >= 1, got " + numFeatures);
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("InstanceNorm2d: eps must be finite and >= 0, got " + eps);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("InstanceNorm2d: momentum must be in [0, 1], got " + momentum);
        }
    }

    /** eps 1e-5, momentum 0.1, no affine, no running statistics: PyTorch's defaults. */
    public static InstanceNormOptions of(int numFeatures) {
        return new InstanceNormOptions(numFeatures, 1e-5, 0.1, false, false);
    }

    public InstanceNormOptions withEps(double e) {
        return new InstanceNormOptions(numFeatures, e, momentum, affine, trackRunningStats);
    }

    public InstanceNormOptions withMomentum(double m) {
        return new InstanceNormOptions(numFeatures, eps, m, affine, trackRunningStats);
    }

    public InstanceNormOptions withAffine(boolean a) {
        return new InstanceNormOptions(numFeatures, eps, momentum, a, trackRunningStats);
    }

    public InstanceNormOptions withTrackRunningStats(boolean t) {
        return new InstanceNormOptions(numFeatures, eps, momentum, affine, t);
    }
}
