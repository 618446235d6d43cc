package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** In training, zeroes each element with probability p and scales the rest by 1/(1-p); identity in eval. */
public class Dropout extends Module {
    private final double p;

    public Dropout() {
        this(0.5);
    }

    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining());
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + ", inplace=False";
    }
}
