package dev.torchlet.nn;

import dev.torchlet.Tensor;

/**
 * Base of the loss modules that compare an input with a target, like torch.nn's {@code _Loss}:
 * {@code loss.call(input, target)} (hooks run) or {@code loss.forward(input, target)}. Losses are
 * modules, so they can be children of a model and hooks see them; they hold only options
 * (reduction, weights), no trainable parameters.
 */
public abstract class Loss extends Module {
    protected final Reduction reduction;

    protected Loss(Reduction reduction) {
        if (reduction == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": reduction must not be null");
        }
        this.reduction = reduction;
    }

    /** The loss of input against target, reduced as configured. */
    public abstract Tensor forward(Tensor input, Tensor target);

    /** Runs the loss through its forward hooks, like PyTorch's {@code loss_fn(input, target)}. */
    public final Tensor call(Tensor input, Tensor target) {
        return callWithHooks(args -> forward((Tensor) args[0], (Tensor) args[1]), input, target);
    }

    /** A loss needs a target: always throws, naming the two-input call. */
    @Override
    public final Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " takes (input, target): use call(input," + " target)");
    }

    public Reduction reduction() {
        return reduction;
    }
}
