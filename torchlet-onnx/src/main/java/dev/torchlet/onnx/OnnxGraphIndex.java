package dev.torchlet.onnx;

import dev.torchlet.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who produces and who reads each value of a node list, for {@link OnnxGraphOptimizer}'s pattern matching; also the
 * values known at load time (constants: not the float initializers, which are trainable parameters).
 */
final class OnnxGraphIndex {
    private final Map<String, OnnxNode> producers = new HashMap<>();
    private final Map<String, List<OnnxNode>> consumers = new HashMap<>();
    private final Set<String> graphOutputs;
    private final Map<String, Tensor> constants;
    private final Map<String, Tensor> scalarParameters;

    /**
     * {@code scalarParameters}: one-element float32 initializers (parameters, e.g. the scalars of Torchlet's own
     * exports); patterns may read their values, and a fused node then checks them at run time ({@link
     * OnnxFusedOps#lookup}).
     */
    OnnxGraphIndex(
            List<OnnxNode> nodes,
            Set<String> graphOutputs,
            Map<String, Tensor> constants,
            Map<String, Tensor> scalarParameters) {
        this.graphOutputs = graphOutputs;
        this.constants = constants;
        this.scalarParameters = scalarParameters;
        for (OnnxNode node : nodes) {
            for (String out : node.proto.getOutputList()) {
                producers.put(out, node);
            }
            for (String in : reads(node)) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
            }
        }
    }

    /** Every value a node reads: its explicit inputs and its subgraphs' outer names. */
    static List<String> reads(OnnxNode node) {
        List<String> names = new ArrayList<>();
        for (String in : node.proto.getInputList()) {
            if (!in.isEmpty()) {
                names.add(in);
            }
        }
        names.addAll(node.implicitInputs());
        return names;
    }

    /** The node producing {@code value} if it is {@code op} (a default-domain operator), else null. */
    OnnxNode producer(String value, String op) {
        OnnxNode node = producers.get(value);
        return node != null && node.qualifiedOp().equals(op) ? node : null;
    }

    /** The nodes reading {@code value}. */
    List<OnnxNode> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** The only node reading {@code value} if it is {@code op} and the value is no graph output, else null. */
    OnnxNode soleConsumer(String value, String op) {
        List<OnnxNode> readers = consumers(value);
        if (readers.size() != 1 || graphOutputs.contains(value)) {
            return null;
        }
        OnnxNode node = readers.get(0);
        return node.qualifiedOp().equals(op) ? node : null;
    }

    /** True when every value the region's nodes produce, except {@code output}, is read only inside the region. */
    boolean closed(Collection<OnnxNode> region, String output) {
        for (OnnxNode node : region) {
            for (String out : node.proto.getOutputList()) {
                if (out.isEmpty() || out.equals(output)) {
                    continue;
                }
                if (graphOutputs.contains(out) || !region.containsAll(consumers(out))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The single value of a one-element constant or scalar parameter, or null. */
    Double scalar(String value) {
        Tensor t = constants.containsKey(value) ? constants.get(value) : scalarParameters.get(value);
        if (t == null || t.numel() != 1 || !t.dtype().isFloatingPoint() && t.dtype() != dev.torchlet.DType.INT64) {
            return null;
        }
        return t.to(dev.torchlet.DType.FLOAT64).itemDouble();
    }

    boolean isConstant(String value) {
        return constants.containsKey(value);
    }
}
