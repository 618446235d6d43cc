package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** In training, zeroes whole channels of (N, C, H, W) with probability p; identity in eval. */
public class Dropout2d extends Module {
    private final double p;

    public Dropout2d(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout2d: probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout2d(x, p, isTraining());
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + ", inplace=False";
    }
}
