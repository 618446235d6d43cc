package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/** x for x &gt; 0, alpha (e^x - 1) otherwise (default alpha 1). */
public class ELU extends Activation {
    public ELU() {
        this(1f);
    }

    public ELU(float alpha) {
        super(x -> F.elu(x, alpha), "alpha=" + alpha);
    }
}
