package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * Stochastic depth on a residual branch, as torchvision.ops.StochasticDepth(p, mode): in training,
 * mode "row" zeroes each sample of the batch with probability p and "batch" the whole input, scaling
 * what is kept by 1 / (1 - p); identity in eval. Random draws come from the default generator
 * ({@link dev.torchlet.Torch#manualSeed}). EfficientNet puts one after each residual MBConv block.
 */
public class StochasticDepth extends Module {
    private final double p;
    private final String mode;

    /**
     * @param p    drop probability in [0, 1]
     * @param mode "row" (per sample) or "batch" (all or nothing)
     */
    public StochasticDepth(double p, String mode) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(
                    "StochasticDepth: drop probability has to be between 0 and 1, but got " + p);
        }
        if (!"row".equals(mode) && !"batch".equals(mode)) {
            throw new IllegalArgumentException(
                    "StochasticDepth: mode has to be either 'batch' or 'row', but got " + mode);
        }
        this.p = p;
        this.mode = mode;
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    /** "row" or "batch". */
    public String mode() {
        return mode;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.stochasticDepth(x, p, mode, isTraining());
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + ", mode=" + mode;
    }
}
