package dev.torchlet.nn;

import dev.torchlet.Tensor;

/**
 * A loss function object, like torch.nn's loss modules: {@code loss.forward(input, target)}.
 * Holds only options (reduction, weights), no trainable parameters.
 */
public abstract class Loss {
    protected final Reduction reduction;

    protected Loss(Reduction reduction) {
        this.reduction = reduction;
    }

    public abstract Tensor forward(Tensor input, Tensor target);

    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "()";
    }
}
