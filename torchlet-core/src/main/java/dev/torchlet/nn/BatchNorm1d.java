package dev.torchlet.nn;

/** Batch norm for (N, C) features or (N, C, L) sequences. */
public class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(BatchNormOptions options) {
        super(options, 2, 3);
    }

    public BatchNorm1d(int numFeatures) {
        this(BatchNormOptions.of(numFeatures));
    }

    /** Prefer {@code new BatchNorm1d(BatchNormOptions.of(c).withEps(e).withMomentum(m))}: it names the numbers. */
    public BatchNorm1d(int numFeatures, double eps, double momentum, boolean affine) {
        this(new BatchNormOptions(numFeatures, eps, momentum, affine));
    }
}
