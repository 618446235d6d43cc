package dev.torchlet.nn;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.ops.Normalization;
import java.util.Arrays;

/**
 * Batch normalization over channel dim 1, as torch.nn.BatchNorm1d/2d: training normalizes with
 * batch statistics and updates {@code running_mean}/{@code running_var} (momentum 0.1, unbiased
 * variance) and {@code num_batches_tracked}; eval uses the running statistics. Affine weight
 * starts at 1, bias at 0. Configure it with {@link BatchNormOptions}.
 */
public abstract class BatchNorm extends Module {
    private final BatchNormOptions options;
    private final int[] allowedRanks;

    BatchNorm(BatchNormOptions options, int... allowedRanks) {
        this.options = options;
        this.allowedRanks = allowedRanks;
        int c = options.numFeatures();
        registerParameter("weight", options.affine() ? Torch.ones(c) : null);
        registerParameter("bias", options.affine() ? Torch.zeros(c) : null);
        registerBuffer("running_mean", Torch.zeros(c));
        registerBuffer("running_var", Torch.ones(c));
        registerBuffer("num_batches_tracked", Torch.zeros(DType.INT64));
    }

    /** The options this layer was built with. */
    public BatchNormOptions options() {
        return options;
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    @Override
    public Tensor forward(Tensor x) {
        return forwardAddClamped(x, null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /**
     * clamp(forward(x) + addend, lo, hi) without this module's hooks; addend (x's shape) may be null. A frozen
     * network's residual block ends (batch norm, shortcut, ReLU) in one pass over x this way when x is channels-last
     * ({@link Normalization#batchNormAddClamped}); for blocks that checked {@link #hasForwardHooks()}.
     */
    public Tensor forwardAddClamped(Tensor x, Tensor addend, float lo, float hi) {
        countBatch(x);
        return Normalization.batchNormAddClamped(
                x,
                buffer("running_mean"),
                buffer("running_var"),
                weight(),
                bias(),
                isTraining(),
                options.momentum(),
                options.eps(),
                addend,
                lo,
                hi);
    }

    /** Checks x's rank; in training, counts the batch in num_batches_tracked. */
    private void countBatch(Tensor x) {
        boolean ok = false;
        for (int r : allowedRanks) {
            ok |= x.dim() == r;
        }
        if (!ok) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected input of rank "
                    + Arrays.toString(allowedRanks) + ", got shape " + Arrays.toString(x.shape()));
        }
        if (isTraining()) {
            Tensor count = buffer("num_batches_tracked"); // int64 scalar, as PyTorch's add_(1)
            count.copyFrom(count.add(Torch.tensor(new long[] {1})));
        }
    }

    @Override
    protected String extraRepr() {
        return options.numFeatures() + ", eps=" + options.eps() + ", momentum=" + options.momentum() + ", affine="
                + (options.affine() ? "True" : "False") + ", track_running_stats=True";
    }
}
