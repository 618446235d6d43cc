package dev.torchlet.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.autograd.Node;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.RecurrentLayer;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a traced forward pass as ONNX nodes: starting from the output, every tensor becomes a graph value. The
 * example input is the graph input; parameters and buffers become initializers under their state-dict names;
 * tensors an op recorded become that op's ONNX nodes ({@link ExportOps}); the outputs of recurrent layers become
 * ONNX LSTM/GRU/RNN nodes ({@link ExportRecurrent}); any other tensor is a constant.
 *
 * <p>Dynamic batch: the graph input's dimension 0 is symbolic. Reshapes keep dimension 0 symbolic (0 = copy it when
 * it is unchanged, -1 = infer it when the reshape folds it with another dimension), expands of a size-1 leading
 * dimension to the traced batch read the batch size from the input's shape.
 */
final class ExportTracer {
    /** One recorded call of a recurrent layer: its inputs, output and final states (null when not returned). */
    record RecurrentCall(RecurrentLayer layer, List<Object> inputs, Tensor output, Tensor hidden, Tensor cell) {}

    final ExportGraph graph;
    final boolean dynamicBatch;
    private final Tensor input;
    private final String inputName;
    private final Map<Tensor, String> values = new IdentityHashMap<>();
    private final Map<Tensor, String> stateNames;
    private final Map<Tensor, RecurrentCall> recurrentCalls;
    private String batchSize;

    ExportTracer(
            ExportGraph graph,
            Tensor input,
            String inputName,
            boolean dynamicBatch,
            Map<Tensor, String> stateNames,
            Map<Tensor, RecurrentCall> recurrentCalls) {
        this.graph = graph;
        this.input = input;
        this.inputName = inputName;
        this.dynamicBatch = dynamicBatch;
        this.stateNames = stateNames;
        this.recurrentCalls = recurrentCalls;
        values.put(input, inputName);
    }

    /** The graph value of {@code t}, emitting whatever computes it first (null for null). */
    String valueOf(Tensor t) {
        if (t == null) {
            return null;
        }
        String known = values.get(t);
        if (known != null) {
            return known;
        }
        String name;
        String state = stateNames.get(t);
        RecurrentCall call = recurrentCalls.get(t);
        Node node = t.gradFn();
        if (state != null) {
            name = graph.reserve(state) ? state : graph.fresh(state);
            graph.initializer(name, t);
        } else if (call != null) {
            ExportRecurrent.emit(this, call);
            name = values.get(t);
        } else if (node != null) {
            name = ExportOps.emit(this, t, node);
        } else if (isViewOfInput(t)) {
            name = graph.node("Reshape", new String[] {inputName, reshapeTarget(input.shape(), t.shape())});
        } else if (dynamicBatch && isUniformLikeInput(t)) {
            // e.g. all-zero token type ids as many as the input ids: follow the input's (dynamic) shape
            Tensor first = t.reshape(-1).narrow(0, 0, 1).reshape(1);
            String shape = graph.node("Shape", new String[] {inputName});
            name = graph.node("ConstantOfShape", new String[] {shape}, "value", ExportGraph.tensor("value", first));
            if (!java.util.Arrays.equals(t.shape(), input.shape())) {
                name = graph.node("Reshape", new String[] {name, reshapeTarget(input.shape(), t.shape())});
            }
        } else {
            name = graph.constant("const", t);
        }
        values.put(t, name);
        return name;
    }

    /** Names {@code t} (for ops with several outputs, such as recurrent layers). */
    void define(Tensor t, String name) {
        if (t != null) {
            values.put(t, name);
        }
    }

    int traceBatch() {
        return input.dim() == 0 ? 1 : input.size(0);
    }

    /** An int64 (1) value holding the input's batch size at run time. */
    String batchSize() {
        if (batchSize == null) {
            String shape = graph.node("Shape", new String[] {inputName});
            batchSize = graph.node("Slice", new String[] {shape, graph.int64s(0), graph.int64s(1), graph.int64s(0)});
        }
        return batchSize;
    }

    /** The Reshape shape input for {@code from} -> {@code to}, keeping dimension 0 symbolic when dynamic. */
    String reshapeTarget(int[] from, int[] to) {
        long[] target = new long[to.length];
        for (int i = 0; i < to.length; i++) {
            target[i] = to[i];
        }
        if (dynamicBatch && to.length > 0 && from.length > 0) {
            target[0] = from[0] == to[0] ? 0 : -1;
        }
        return graph.int64s(target);
    }

    /** A tensor without history that shares the input's storage and elements: input.reshape(...) of int ids. */
    private boolean isViewOfInput(Tensor t) {
        return TensorInternals.storage(t) == TensorInternals.storage(input)
                && t.numel() == input.numel()
                && t.offset() == input.offset()
                && t.isContiguous()
                && input.isContiguous();
    }

    private boolean isUniformLikeInput(Tensor t) {
        if (t.numel() != input.numel() || t.numel() < 2 || t.numel() > 1 << 20) {
            return false;
        }
        double[] v = t.to(dev.torchlet.DType.FLOAT64).toDoubleArray();
        for (double x : v) {
            if (x != v[0]) {
                return false;
            }
        }
        return true;
    }
}
