package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;

/** Normalizes (N, C, ...) over groups of C/numGroups channels; per-channel affine weight 1 and bias 0. */
public class GroupNorm extends Module {
    private final int numGroups;
    private final int numChannels;
    private final double eps;

    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups <= 0 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException(
                    "GroupNorm: numChannels " + numChannels + " must be divisible by numGroups " + numGroups);
        }
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        registerParameter("weight", affine ? Torch.ones(numChannels) : null);
        registerParameter("bias", affine ? Torch.zeros(numChannels) : null);
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.groupNorm(x, numGroups, parameter("weight"), parameter("bias"), eps);
    }

    /**
     * silu(this(x)): as one op ({@link F#groupNormSilu}, the same values and gradients) unless a hook on this
     * module must see its output, then the module and SiLU in turn.
     */
    public Tensor forwardSilu(Tensor x) {
        if (hasForwardHooks()) {
            return F.silu(call(x));
        }
        return F.groupNormSilu(x, numGroups, parameter("weight"), parameter("bias"), eps);
    }

    /**
     * silu(this(x + shift[:, :, None, ...])) for shift (N, C): as one op ({@link F#groupNormSilu(Tensor, Tensor, int,
     * Tensor, Tensor, double)}, x + shift never stored) unless a hook on this module must see its input and output,
     * then the addition, the module and SiLU in turn.
     */
    public Tensor forwardSilu(Tensor x, Tensor shift) {
        if (hasForwardHooks() && x.dim() >= 2 && shift.dim() == 2) {
            int[] s = new int[x.dim()]; // (N, C, 1, ...)
            java.util.Arrays.fill(s, 1);
            s[0] = shift.size(0);
            s[1] = shift.size(1);
            return F.silu(call(x.add(shift.reshape(s))));
        }
        return F.groupNormSilu(x, shift, numGroups, parameter("weight"), parameter("bias"), eps);
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + eps + ", affine="
                + (parameter("weight") != null ? "True" : "False");
    }
}
