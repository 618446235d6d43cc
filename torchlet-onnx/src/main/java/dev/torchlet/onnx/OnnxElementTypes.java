package dev.torchlet.onnx;

import dev.torchlet.onnx.proto.Onnx.AttributeProto;
import dev.torchlet.onnx.proto.Onnx.GraphProto;
import dev.torchlet.onnx.proto.Onnx.TensorProto;
import dev.torchlet.onnx.proto.Onnx.ValueInfoProto;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The ONNX element types of a graph's values, worked out once at load time. Torchlet keeps every integer as int64,
 * so a tensor alone cannot tell uint8 from int8; the int8 operators need to know (QuantizeLinear saturates to
 * 0..255 or -128..127 by its zero point's type). Types come from initializers, declared inputs, outputs and
 * value_info, Constant nodes, and a few forward rules (Cast, the quantizing operators, shape-only operators that
 * keep their input's type). {@link #UNKNOWN} where none of these says.
 */
final class OnnxElementTypes {
    private OnnxElementTypes() {}

    /** TensorProto.DataType.UNDEFINED. */
    static final int UNKNOWN = 0;

    /** Operators whose output 0 has the element type of input 0 (they move or pick elements, never compute). */
    private static final Set<String> KEEPS_TYPE = Set.of(
            "Identity",
            "Reshape",
            "Transpose",
            "Squeeze",
            "Unsqueeze",
            "Flatten",
            "Slice",
            "Gather",
            "Concat",
            "Split",
            "Pad",
            "Expand",
            "Tile",
            "Dropout",
            "MaxPool");

    /** outer + the types a graph declares: initializers, inputs, outputs, value_info (a mutable copy). */
    static Map<String, Integer> declared(GraphProto graph, Map<String, Integer> outer) {
        Map<String, Integer> types = new HashMap<>(outer);
        for (TensorProto t : graph.getInitializerList()) {
            types.put(t.getName(), t.getDataType());
        }
        for (var list : java.util.List.of(graph.getInputList(), graph.getOutputList(), graph.getValueInfoList())) {
            for (ValueInfoProto v : list) {
                if (v.getType().hasTensorType() && v.getType().getTensorType().getElemType() != UNKNOWN) {
                    types.put(v.getName(), v.getType().getTensorType().getElemType());
                }
            }
        }
        return types;
    }

    /** The element type of each of the node's outputs that follows from its operator and input types. */
    static int[] outputs(OnnxNode n) {
        int[] out = new int[n.proto.getOutputCount()];
        Arrays.fill(out, UNKNOWN);
        if (out.length == 0) {
            return out;
        }
        switch (n.op()) {
            case "Cast" -> out[0] = (int) n.i("to", UNKNOWN);
            case "Constant" -> out[0] = constantType(n);
            case "QuantizeLinear" -> out[0] = zeroPointType(n, 2);
            case "QLinearMatMul", "QLinearConv" -> out[0] = zeroPointType(n, 7);
            case "MatMulInteger", "ConvInteger" -> out[0] = OnnxTensors.INT32;
            case "DequantizeLinear" -> out[0] = OnnxTensors.FLOAT;
            case "DynamicQuantizeLinear" -> {
                out[0] = OnnxTensors.UINT8;
                if (out.length > 2) {
                    out[1] = OnnxTensors.FLOAT;
                    out[2] = OnnxTensors.UINT8;
                }
            }
            default -> {
                if (KEEPS_TYPE.contains(n.op()) && n.proto.getInputCount() > 0) {
                    Arrays.fill(out, n.inputType(0));
                }
            }
        }
        return out;
    }

    /** The quantized output's type: its zero point's, uint8 when the zero point is left out (the spec's default). */
    static int zeroPointType(OnnxNode n, int zeroPointInput) {
        boolean given = n.proto.getInputCount() > zeroPointInput
                && !n.proto.getInput(zeroPointInput).isEmpty();
        return given ? n.inputType(zeroPointInput) : OnnxTensors.UINT8;
    }

    private static int constantType(OnnxNode n) {
        for (AttributeProto a : n.proto.getAttributeList()) {
            switch (a.getName()) {
                case "value" -> {
                    return a.getT().getDataType();
                }
                case "value_float", "value_floats" -> {
                    return OnnxTensors.FLOAT;
                }
                case "value_int", "value_ints" -> {
                    return OnnxTensors.INT64;
                }
                default -> {}
            }
        }
        return UNKNOWN;
    }
}
