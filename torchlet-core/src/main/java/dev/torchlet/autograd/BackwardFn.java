package dev.torchlet.autograd;

import dev.torchlet.Tensor;

/**
 * The backward formula of one op: given the gradient of the op's output and the tensors the
 * forward saved, returns one gradient per input (null where an input needs none).
 * Gradients may have a broadcast shape; the engine sums them back to each input's shape.
 */
@FunctionalInterface
public interface BackwardFn {
    Tensor[] apply(Tensor gradOutput, Tensor[] saved);
}
