package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/** x for x &gt; 0, negativeSlope * x otherwise (default slope 0.01). */
public class LeakyReLU extends Activation {
    public LeakyReLU() {
        this(0.01f);
    }

    public LeakyReLU(float negativeSlope) {
        super(x -> F.leakyRelu(x, negativeSlope), "negative_slope=" + negativeSlope);
    }
}
