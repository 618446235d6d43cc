package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** Quadratic up to delta (default 1), linear above; see {@link F#huberLoss}. */
public final class HuberLoss extends Loss {
    private final float delta;

    public HuberLoss() {
        this(Reduction.MEAN, 1f);
    }

    public HuberLoss(Reduction reduction, float delta) {
        super(reduction);
        this.delta = delta;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.huberLoss(input, target, reduction, delta);
    }
}
