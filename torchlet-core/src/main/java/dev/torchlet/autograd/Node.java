package dev.torchlet.autograd;

import dev.torchlet.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One recorded op in the autograd graph: its inputs (edges to their nodes or leaves), the
 * tensors its backward needs, and the backward formula. Saved tensors are freed after a
 * backward pass unless the graph is retained. An op may also describe itself with {@link #attributes()}
 * (stride, dim, scalar operand, ...), which tracers such as the ONNX exporter read.
 */
public final class Node {
    private final String name;
    private final Tensor[] inputs;
    private final BackwardFn backward;
    private Tensor[] saved;
    private final boolean savesTensors;
    private Map<String, Object> attributes = Map.of();
    private Runnable onRelease;

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

    /** The op's tensor inputs in the order its backward returns their gradients (null: an omitted optional one). */
    public List<Tensor> inputList() {
        return Collections.unmodifiableList(Arrays.asList(inputs));
    }

    /** What the op was called with besides its tensor inputs (e.g. "stride" -> int[]), in recording order. */
    public Map<String, Object> attributes() {
        return attributes;
    }

    void addAttributes(Object... keyValues) {
        Map<String, Object> merged = new LinkedHashMap<>(attributes);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            merged.put((String) keyValues[i], keyValues[i + 1]);
        }
        attributes = Collections.unmodifiableMap(merged);
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
        if (onRelease != null) {
            Runnable action = onRelease;
            onRelease = null;
            action.run();
        }
    }

    void onRelease(Runnable action) {
        onRelease = action;
    }
}
