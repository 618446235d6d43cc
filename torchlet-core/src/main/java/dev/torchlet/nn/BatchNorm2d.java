package dev.torchlet.nn;

/** Batch norm for (N, C, H, W) feature maps. */
public class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(BatchNormOptions options) {
        super(options, 4);
    }

    public BatchNorm2d(int numFeatures) {
        this(BatchNormOptions.of(numFeatures));
    }

    /** Prefer {@code new BatchNorm2d(BatchNormOptions.of(c).withEps(e).withMomentum(m))}: it names the numbers. */
    public BatchNorm2d(int numFeatures, double eps, double momentum, boolean affine) {
        this(new BatchNormOptions(numFeatures, eps, momentum, affine));
    }
}
