package dev.torchlet.autograd;

import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;

/** Records ops into the graph: the only entry point ops use. */
public final class Autograd {
    private Autograd() {}

    /** True if an op on these inputs must be recorded: grad mode is on and some input requires grad. */
    public static boolean needsGrad(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Attaches a backward node to {@code out} if any input requires grad (and grad mode is on).
     *
     * @param name     PyTorch's node name, e.g. "MulBackward0"
     * @param out      the forward result
     * @param inputs   the op's tensor inputs, in the order the backward returns their grads
     * @param saved    tensors the backward formula needs (freed after backward unless retained)
     * @param backward the formula
     * @return out, for chaining
     */
    public static Tensor record(String name, Tensor out, Tensor[] inputs, Tensor[] saved, BackwardFn backward) {
        if (needsGrad(inputs)) {
            Node node = new Node(name, inputs, saved, backward);
            TensorInternals.attachGradFn(out, node);
            LAST_RECORDED.set(node);
        }
        return out;
    }

    private static final ThreadLocal<Node> LAST_RECORDED = new ThreadLocal<>();

    /**
     * Describes the op that just recorded {@code out} (e.g. {@code annotate(out, "dim", dim)}), for tracers that
     * rebuild the forward computation from the graph (the ONNX exporter). Nothing happens when {@code out} was not
     * recorded by the latest {@link #record} call on this thread (no grad needed, or an op that returned its input).
     *
     * @param keyValues name, value, name, value, ...; values are boxed numbers, int[]/long[]/double[], booleans,
     *                  strings or tensors
     * @return out, for chaining
     */
    public static Tensor annotate(Tensor out, Object... keyValues) {
        Node node = out.gradFn();
        if (node != null && node == LAST_RECORDED.get()) {
            node.addAttributes(keyValues);
        }
        return out;
    }

    /**
     * Internal: runs {@code action} when the op that just recorded {@code out} frees its saved tensors, after the
     * backward pass that does not retain the graph (never, if no such pass comes): an op hands a pooled buffer its
     * backward reads back to the pool there. Nothing happens when {@code out} was not recorded by the latest
     * {@link #record} call on this thread.
     */
    public static void onRelease(Tensor out, Runnable action) {
        Node node = out.gradFn();
        if (node != null && node == LAST_RECORDED.get()) {
            node.onRelease(action);
        }
    }

    /** Shorthand when the saved tensors are the inputs themselves. */
    public static Tensor record(String name, Tensor out, Tensor[] inputs, BackwardFn backward) {
        return record(name, out, inputs, inputs, backward);
    }
}
