package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** Quadratic below beta (default 1), linear above; see {@link F#smoothL1Loss}. */
public final class SmoothL1Loss extends Loss {
    private final float beta;

    public SmoothL1Loss() {
        this(Reduction.MEAN, 1f);
    }

    public SmoothL1Loss(Reduction reduction, float beta) {
        super(reduction);
        this.beta = beta;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.smoothL1Loss(input, target, reduction, beta);
    }
}
