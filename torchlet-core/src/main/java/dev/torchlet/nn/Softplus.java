package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/** log(1 + e^(beta x)) / beta, linear above the threshold (defaults beta 1, threshold 20). */
public class Softplus extends Activation {
    public Softplus() {
        this(1f, 20f);
    }

    public Softplus(float beta, float threshold) {
        super(x -> F.softplus(x, beta, threshold), "beta=" + beta + ", threshold=" + threshold);
    }
}
