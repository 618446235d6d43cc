package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;

/**
 * y = x W^T + b. Input (..., in), output (..., out). Weight (out, in) and bias (out) start
 * as PyTorch's: U(-1/sqrt(in), 1/sqrt(in)) (kaiming uniform with a = sqrt(5)).
 */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException(
                    "Linear: feature counts must be non-negative, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        Tensor w = registerParameter("weight", Torch.zeros(outFeatures, inFeatures));
        Tensor b = registerParameter("bias", bias ? Torch.zeros(outFeatures) : null);
        resetParameters(w, b, inFeatures);
    }

    /** PyTorch's default init shared by Linear and convolutions: bound 1/sqrt(fan_in) for weight and bias. */
    static void resetParameters(Tensor weight, Tensor bias, int fanIn) {
        Init.kaimingUniform(weight, Math.sqrt(5), Init.FanMode.FAN_IN, "leaky_relu");
        if (bias != null) {
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            Init.uniform(bias, -bound, bound);
        }
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.linear(x, weight(), bias());
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias="
                + (bias() != null ? "True" : "False");
    }
}
