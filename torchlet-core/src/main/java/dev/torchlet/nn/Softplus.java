package dev.torchlet.nn;

/** log(1 + e^(beta x)) / beta, linear above the threshold (defaults beta 1, threshold 20). */
public class Softplus extends Activation {
    public Softplus() {
        this(1f, 20f);
    }

    public Softplus(float beta, float threshold) {
        super(x -> x.softplus(beta, threshold), "beta=" + beta + ", threshold=" + threshold);
    }
}
