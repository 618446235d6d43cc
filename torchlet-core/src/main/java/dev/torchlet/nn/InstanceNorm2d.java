package dev.torchlet.nn;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import java.util.Arrays;

/**
 * Instance normalization of (N, C, H, W) or unbatched (C, H, W), as torch.nn.InstanceNorm2d: each
 * (n, c) plane is normalized by its own mean and biased variance, y = (x - mean) / sqrt(var + eps)
 * (* weight[c] + bias[c] when affine). PyTorch's defaults: no affine, no running statistics. With
 * {@code trackRunningStats}, training updates {@code running_mean}/{@code running_var} (the batch
 * mean of the per-instance statistics, variance unbiased) and eval mode normalizes with them; the
 * state dict then also holds {@code num_batches_tracked}, which, as in PyTorch, instance norm never
 * increments.
 */
public class InstanceNorm2d extends Module {
    private final InstanceNormOptions options;

    public InstanceNorm2d(InstanceNormOptions options) {
        this.options = options;
        int c = options.numFeatures();
        registerParameter("weight", options.affine() ? Torch.ones(c) : null);
        registerParameter("bias", options.affine() ? Torch.zeros(c) : null);
        if (options.trackRunningStats()) {
            registerBuffer("running_mean", Torch.zeros(c));
            registerBuffer("running_var", Torch.ones(c));
            registerBuffer("num_batches_tracked", Torch.zeros(DType.INT64));
        }
    }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, no affine, no running statistics. */
    public InstanceNorm2d(int numFeatures) {
        this(InstanceNormOptions.of(numFeatures));
    }

    /** With a learned per-channel affine (weight 1, bias 0), the usual choice in generators. */
    public InstanceNorm2d(int numFeatures, boolean affine) {
        this(InstanceNormOptions.of(numFeatures).withAffine(affine));
    }

    public InstanceNormOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() == 3) { // unbatched (C, H, W)
            return normalize(x.unsqueeze(0)).squeeze(0);
        }
        return normalize(x);
    }

    private Tensor normalize(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(
                    "InstanceNorm2d: expected a 3-D or 4-D input, got shape " + Arrays.toString(x.shape()));
        }
        if ((options.affine() || options.trackRunningStats()) && x.size(1) != options.numFeatures()) {
            throw new IllegalArgumentException("InstanceNorm2d: expected input with " + options.numFeatures()
                    + " channels, got shape " + Arrays.toString(x.shape()));
        }
        boolean useInputStats = isTraining() || !options.trackRunningStats();
        return F.instanceNorm(
                x,
                buffer("running_mean"),
                buffer("running_var"),
                parameter("weight"),
                parameter("bias"),
                useInputStats,
                options.momentum(),
                options.eps());
    }

    @Override
    protected String extraRepr() {
        return options.numFeatures() + ", eps=" + options.eps() + ", momentum=" + options.momentum() + ", affine="
                + (options.affine() ? "True" : "False") + ", track_running_stats="
                + (options.trackRunningStats() ? "True" : "False");
    }
}
