package dev.torchlet.autograd;

import dev.torchlet.Tensor;

/**
 * One recorded op in the autograd graph: its inputs (edges to their nodes or leaves), the
 * tensors its backward needs, and the backward formula. Saved tensors are freed after a
 * backward pass unless the graph is retained.
 */
public final class Node {
    private final String name;
    private final Tensor[] inputs;
    private final BackwardFn backward;
    private Tensor[] saved;
    private final boolean savesTensors;

    Node(String name, Tensor[] inputs, Tensor[] saved, BackwardFn backward) {
        this.name = name;
        this.inputs = inputs;
        this.saved = saved;
        this.savesTensors = saved.length > 0;
        this.backward = backward;
    }

    /** The op name, as PyTorch prints it in {@code grad_fn=<...>}, e.g. {@code MulBackward0}. */
    public String name() {
        return name;
    }

    Tensor[] inputs() {
        return inputs;
    }

    Tensor[] apply(Tensor gradOutput) {
        if (saved == null) {
            throw new IllegalStateException("Trying to backward through the graph a second time (op " + name
                    + "): its saved tensors were freed after the first backward. Pass retainGraph=true to the "
                    + "first backward(...) call if you need to backward twice.");
        }
        return backward.apply(gradOutput, saved);
    }

    void releaseSaved() {
        if (savesTensors) {
            saved = null;
        }
    }
}
