package dev.torchlet.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.onnx.proto.Onnx.AttributeProto;
import dev.torchlet.onnx.proto.Onnx.NodeProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A graph node with typed attribute access and its name for error messages; also the ONNX element types of its
 * inputs where the graph tells them ({@link OnnxElementTypes}) and its subgraphs (If / Loop bodies).
 */
final class OnnxNode {
    final NodeProto proto;
    final int opset;
    private final Map<String, AttributeProto> attributes = new HashMap<>();
    private final int[] inputTypes;
    private final Map<String, OnnxGraph> subgraphs;
    private final List<String> implicitInputs;
    private final List<OnnxNode> replaced; // a fused node: the original nodes it stands for, in order

    OnnxNode(NodeProto proto, int opset) {
        this(proto, opset, new int[0], Map.of());
    }

    /**
     * A fused node ({@link OnnxGraphOptimizer}): {@code proto} in the {@link OnnxFusedOps#DOMAIN} domain, standing
     * for {@code replaced}, which its implementation runs instead where a run-time check does not hold.
     */
    OnnxNode(NodeProto proto, int opset, List<OnnxNode> replaced) {
        this(proto, opset, new int[0], Map.of(), replaced);
    }

    OnnxNode(NodeProto proto, int opset, int[] inputTypes, Map<String, OnnxGraph> subgraphs) {
        this(proto, opset, inputTypes, subgraphs, List.of());
    }

    /** inputTypes: ONNX element type per input (0: unknown); subgraphs: graph attributes by name. */
    private OnnxNode(
            NodeProto proto, int opset, int[] inputTypes, Map<String, OnnxGraph> subgraphs, List<OnnxNode> replaced) {
        this.proto = proto;
        this.replaced = List.copyOf(replaced);
        this.opset = opset;
        for (AttributeProto a : proto.getAttributeList()) {
            attributes.put(a.getName(), a);
        }
        this.inputTypes = inputTypes.clone();
        this.subgraphs = Map.copyOf(subgraphs);
        Set<String> outer = new LinkedHashSet<>();
        subgraphs.values().forEach(g -> outer.addAll(g.outerNames()));
        this.implicitInputs = List.copyOf(outer);
    }

    /** The ONNX element type (TensorProto.DataType) of input k, or 0 when the graph does not say. */
    int inputType(int k) {
        return k < inputTypes.length ? inputTypes[k] : OnnxElementTypes.UNKNOWN;
    }

    /** The subgraph in attribute {@code name}, or null. */
    OnnxGraph graph(String name) {
        return subgraphs.get(name);
    }

    /**
     * Values of enclosing graphs that this node's subgraphs read; the executor passes them after the explicit
     * inputs, in this order.
     */
    List<String> implicitInputs() {
        return implicitInputs;
    }

    /** The implicit inputs by name, from the tail of {@code in}. */
    Map<String, Tensor> outerValues(Tensor[] in) {
        Map<String, Tensor> values = new HashMap<>();
        int explicit = proto.getInputCount();
        for (int k = 0; k < implicitInputs.size(); k++) {
            values.put(implicitInputs.get(k), in[explicit + k]);
        }
        return values;
    }

    String op() {
        return proto.getOpType();
    }

    /** The operator with its domain when it is not the default one: "Conv", "torchlet.LayerNorm". */
    String qualifiedOp() {
        String domain = proto.getDomain();
        return domain.isEmpty() || domain.equals("ai.onnx") ? op() : domain + "." + op();
    }

    /** The original nodes a fused node stands for (empty for a node of the file). */
    List<OnnxNode> replaced() {
        return replaced;
    }

    /** "Conv node 'conv1' (opset 17)" for error messages. */
    String describe() {
        String name = proto.getName().isEmpty() ? "#" + String.join(",", proto.getOutputList()) : proto.getName();
        return qualifiedOp() + " node '" + name + "' (opset " + opset + ")";
    }

    boolean has(String name) {
        return attributes.containsKey(name);
    }

    long i(String name, long fallback) {
        AttributeProto a = attributes.get(name);
        return a == null ? fallback : a.getI();
    }

    float f(String name, float fallback) {
        AttributeProto a = attributes.get(name);
        return a == null ? fallback : a.getF();
    }

    String s(String name, String fallback) {
        AttributeProto a = attributes.get(name);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    int[] ints(String name, int[] fallback) {
        AttributeProto a = attributes.get(name);
        if (a == null) {
            return fallback;
        }
        int[] out = new int[a.getIntsCount()];
        for (int k = 0; k < out.length; k++) {
            out[k] = Math.toIntExact(a.getInts(k));
        }
        return out;
    }

    String[] strings(String name, String[] fallback) {
        AttributeProto a = attributes.get(name);
        if (a == null) {
            return fallback;
        }
        String[] out = new String[a.getStringsCount()];
        for (int k = 0; k < out.length; k++) {
            out[k] = a.getStrings(k).toStringUtf8();
        }
        return out;
    }

    float[] floats(String name, float[] fallback) {
        AttributeProto a = attributes.get(name);
        if (a == null) {
            return fallback;
        }
        float[] out = new float[a.getFloatsCount()];
        for (int k = 0; k < out.length; k++) {
            out[k] = a.getFloats(k);
        }
        return out;
    }

    Tensor tensor(String name) {
        AttributeProto a = attributes.get(name);
        if (a == null) {
            return null;
        }
        try {
            return OnnxTensors.read(a.getT(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(describe() + ": attribute '" + name + "': " + e.getMessage(), e);
        }
    }
}
