package dev.torchlet.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.GRU;
import dev.torchlet.nn.LSTM;
import dev.torchlet.nn.RecurrentLayer;
import dev.torchlet.nn.RecurrentOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A call of {@link LSTM}, {@link GRU} or {@link dev.torchlet.nn.RNN} -> one ONNX LSTM/GRU/RNN node per layer
 * (directions inside the node). PyTorch stacks the gates as LSTM [i, f, g, o] and GRU [r, z, n]; ONNX as LSTM
 * [i, o, f, c] and GRU [z, r, h], so the exported W, R and B are the parameters with their gate blocks reordered.
 * GRU uses linear_before_reset = 1, PyTorch's formula.
 */
final class ExportRecurrent {
    private ExportRecurrent() {}

    private static final int[] LSTM_GATES = {0, 3, 1, 2};
    private static final int[] GRU_GATES = {1, 0, 2};
    private static final int[] RNN_GATES = {0};

    /** Emits the call's layers and names its output, final hidden state and (LSTM) cell state. */
    static void emit(ExportTracer tr, ExportTracer.RecurrentCall call) {
        ExportGraph g = tr.graph;
        RecurrentLayer layer = call.layer();
        RecurrentOptions o = layer.options();
        Tensor input = (Tensor) call.inputs().get(0);
        if (input.dim() != 3 || o.projSize() > 0) {
            throw new IllegalArgumentException(
                    "ONNX export: " + layer.getClass().getSimpleName()
                            + " exports batched (3-D) input without projections; got input "
                            + java.util.Arrays.toString(input.shape()) + ", proj_size " + o.projSize());
        }
        boolean lstm = layer instanceof LSTM;
        String op = lstm ? "LSTM" : layer instanceof GRU ? "GRU" : "RNN";
        int[] order = lstm ? LSTM_GATES : layer instanceof GRU ? GRU_GATES : RNN_GATES;
        int dirs = o.numDirections();
        int h = o.hiddenSize();
        Tensor h0 = call.inputs().size() > 1 ? (Tensor) call.inputs().get(1) : null;
        Tensor c0 = call.inputs().size() > 2 ? (Tensor) call.inputs().get(2) : null;
        String x = tr.valueOf(input);
        if (o.batchFirst()) { // ONNX's layout 0 is (T, B, in)
            x = g.node("Transpose", new String[] {x}, "perm", new int[] {1, 0, 2});
        }
        Map<String, Tensor> params = layer.namedParameters();
        List<String> hiddens = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        for (int k = 0; k < o.numLayers(); k++) {
            Tensor[] w = new Tensor[dirs];
            Tensor[] r = new Tensor[dirs];
            Tensor[] b = new Tensor[dirs];
            for (int d = 0; d < dirs; d++) {
                String sfx = k + (d == 1 ? "_reverse" : "");
                w[d] = reorder(params.get("weight_ih_l" + sfx), order, h);
                r[d] = reorder(params.get("weight_hh_l" + sfx), order, h);
                b[d] = o.bias()
                        ? Torch.cat(
                                List.of(
                                        reorder(params.get("bias_ih_l" + sfx), order, h),
                                        reorder(params.get("bias_hh_l" + sfx), order, h)),
                                0)
                        : Torch.zeros(2 * order.length * h);
            }
            String prefix = op.toLowerCase(java.util.Locale.ROOT) + "_l" + k;
            String[] inputs = {
                x,
                g.constant(prefix + "_W", Torch.stack(List.of(w), 0)),
                g.constant(prefix + "_R", Torch.stack(List.of(r), 0)),
                g.constant(prefix + "_B", Torch.stack(List.of(b), 0)),
                "",
                h0 == null ? "" : sliceLayer(tr, h0, k, dirs),
                lstm ? (c0 == null ? "" : sliceLayer(tr, c0, k, dirs)) : null
            };
            String[] outs = g.nodeWithOutputs(
                    op, lstm ? inputs : java.util.Arrays.copyOf(inputs, 6), lstm ? 3 : 2, attributes(op, o, dirs));
            hiddens.add(outs[1]);
            if (lstm) {
                cells.add(outs[2]);
            }
            // Y (T, D, B, H) -> (T, B, D*H), the next layer's input
            String y = g.node("Transpose", new String[] {outs[0]}, "perm", new int[] {0, 2, 1, 3});
            x = g.node("Reshape", new String[] {y, g.int64s(0, 0, -1)});
        }
        String output = o.batchFirst() ? g.node("Transpose", new String[] {x}, "perm", new int[] {1, 0, 2}) : x;
        tr.define(call.output(), output);
        tr.define(call.hidden(), concat(g, hiddens));
        if (lstm) {
            tr.define(call.cell(), concat(g, cells));
        }
    }

    private static Object[] attributes(String op, RecurrentOptions o, int dirs) {
        String direction = dirs == 2 ? "bidirectional" : "forward";
        return switch (op) {
            case "GRU" ->
                new Object[] {"hidden_size", o.hiddenSize(), "direction", direction, "linear_before_reset", 1};
            case "RNN" -> {
                String activation = o.nonlinearity().equals("relu") ? "Relu" : "Tanh";
                String[] activations = dirs == 2 ? new String[] {activation, activation} : new String[] {activation};
                yield new Object[] {"hidden_size", o.hiddenSize(), "direction", direction, "activations", activations};
            }
            default -> new Object[] {"hidden_size", o.hiddenSize(), "direction", direction};
        };
    }

    /** (G*H, ...) with gate blocks in {@code order}. */
    private static Tensor reorder(Tensor p, int[] order, int h) {
        List<Tensor> blocks = new ArrayList<>();
        for (int gate : order) {
            blocks.add(p.detach().narrow(0, gate * h, h));
        }
        return Torch.cat(blocks, 0).contiguous();
    }

    /** Layer k's initial states (D, B, H) out of (layers*D, B, H). */
    private static String sliceLayer(ExportTracer tr, Tensor state, int k, int dirs) {
        ExportGraph g = tr.graph;
        return g.node(
                "Slice", new String[] {tr.valueOf(state), g.int64s(k * dirs), g.int64s((k + 1) * dirs), g.int64s(0)});
    }

    private static String concat(ExportGraph g, List<String> parts) {
        return parts.size() == 1 ? parts.get(0) : g.node("Concat", parts.toArray(new String[0]), "axis", 0);
    }
}
