package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/** GELU, exact (approximate "none", the default) or with the tanh approximation ("tanh"). */
public class GELU extends Activation {
    public GELU() {
        this("none");
    }

    public GELU(String approximate) {
        super(x -> F.gelu(x, approximate), "approximate='" + approximate + "'");
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
        }
    }
}
