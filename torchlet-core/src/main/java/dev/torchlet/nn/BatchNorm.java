package dev.torchlet.nn;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.ops.Normalization;

/**
 * Batch normalization over channel dim 1, as torch.nn.BatchNorm1d/2d: training normalizes with
 * batch statistics and updates {@code running_mean}/{@code running_var} (momentum 0.1, unbiased
 * variance) and {@code num_batches_tracked}; eval uses the running statistics. Affine weight
 * starts at 1, bias at 0.
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private final int[] allowedRanks;

    BatchNorm(int numFeatures, double eps, double momentum, boolean affine, int... allowedRanks) {
        if (numFeatures <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": numFeatures must be positive, got "
                    + numFeatures);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.allowedRanks = allowedRanks;
        registerParameter("weight", affine ? Torch.ones(numFeatures) : null);
        registerParameter("bias", affine ? Torch.zeros(numFeatures) : null);
        registerBuffer("running_mean", Torch.zeros(numFeatures));
        registerBuffer("running_var", Torch.ones(numFeatures));
        registerBuffer("num_batches_tracked", Torch.zeros(DType.INT64));
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    @Override
    public Tensor forward(Tensor x) {
        boolean ok = false;
        for (int r : allowedRanks) {
            ok |= x.dim() == r;
        }
        if (!ok) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected input of rank "
                    + java.util.Arrays.toString(allowedRanks) + ", got shape " + java.util.Arrays.toString(x.shape()));
        }
        if (isTraining()) {
            long[] n = buffer("num_batches_tracked").storage().longs();
            n[0]++;
        }
        return Normalization.batchNorm(x, buffer("running_mean"), buffer("running_var"), weight(), bias(),
                isTraining(), momentum, eps);
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (weight() != null ? "True"
                : "False") + ", track_running_stats=True";
    }
}
