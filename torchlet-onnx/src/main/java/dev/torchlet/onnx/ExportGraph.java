package dev.torchlet.onnx;

import com.google.protobuf.ByteString;
import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.onnx.proto.Onnx.AttributeProto;
import dev.torchlet.onnx.proto.Onnx.GraphProto;
import dev.torchlet.onnx.proto.Onnx.NodeProto;
import dev.torchlet.onnx.proto.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The ONNX graph an export builds: nodes in topological order, initializers (parameters, buffers and constants) and
 * fresh value names. Attribute values are Java ints, longs, floats, strings or int/long/float arrays.
 */
final class ExportGraph {
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> int64Constants = new HashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();

    GraphProto.Builder proto() {
        return graph;
    }

    /** A value name not used yet, from {@code base} ("conv" -> "conv_3"). */
    String fresh(String base) {
        String name;
        do {
            name = base + "_" + counters.merge(base, 1, Integer::sum);
        } while (!names.add(name));
        return name;
    }

    /** Reserves an exact name (graph inputs, outputs and named initializers); false if it is taken. */
    boolean reserve(String name) {
        return names.add(name);
    }

    /** Adds one node with a single output; returns the output's name. */
    String node(String op, String[] inputs, Object... attributes) {
        return nodeWithOutputs(op, inputs, 1, attributes)[0];
    }

    /** Adds one node with {@code outputs} outputs; returns their names. */
    String[] nodeWithOutputs(String op, String[] inputs, int outputs, Object... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(fresh(op));
        for (String in : inputs) {
            node.addInput(in == null ? "" : in);
        }
        String[] out = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            out[i] = fresh(op.toLowerCase(java.util.Locale.ROOT));
            node.addOutput(out[i]);
        }
        for (int i = 0; i + 1 < attributes.length; i += 2) {
            node.addAttribute(attribute((String) attributes[i], attributes[i + 1]));
        }
        graph.addNode(node);
        return out;
    }

    /** Adds {@code value} as an initializer named {@code name}. */
    void initializer(String name, Tensor value) {
        graph.addInitializer(tensor(name, value));
    }

    /** A fresh initializer holding {@code value}; returns its name. */
    String constant(String base, Tensor value) {
        String name = fresh(base);
        initializer(name, value);
        return name;
    }

    /** An int64 vector initializer (shapes, axes, indices), shared between nodes that use the same values. */
    String int64s(long... values) {
        String key = java.util.Arrays.toString(values);
        return int64Constants.computeIfAbsent(key, k -> {
            String name = fresh("const_i64");
            TensorProto.Builder t = TensorProto.newBuilder()
                    .setName(name)
                    .setDataType(OnnxTensors.INT64)
                    .addDims(values.length);
            for (long v : values) {
                t.addInt64Data(v);
            }
            graph.addInitializer(t);
            return name;
        });
    }

    /** A 0-d int64 initializer (Gather indices that drop the axis). */
    String int64Scalar(long value) {
        String name = fresh("const_i64");
        graph.addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(OnnxTensors.INT64)
                .addInt64Data(value));
        return name;
    }

    /** A 0-d float initializer in {@code dtype} (scalar operands of Add, Mul, Pow, ...). */
    String scalar(double value, DType dtype) {
        return constant("const", dev.torchlet.Torch.full(dtype, value));
    }

    static TensorProto tensor(String name, Tensor value) {
        Tensor t = value.detach().contiguous();
        TensorProto.Builder b = TensorProto.newBuilder().setName(name);
        for (int d : t.shape()) {
            b.addDims(d);
        }
        int n = (int) t.numel();
        ByteBuffer raw;
        switch (t.dtype()) {
            case FLOAT32 -> {
                b.setDataType(OnnxTensors.FLOAT);
                raw = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                raw.asFloatBuffer().put(t.toFloatArray());
            }
            case FLOAT64 -> {
                b.setDataType(OnnxTensors.DOUBLE);
                raw = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                raw.asDoubleBuffer().put(t.toDoubleArray());
            }
            case INT64 -> {
                b.setDataType(OnnxTensors.INT64);
                raw = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                raw.asLongBuffer().put(t.toLongArray());
            }
            case BOOL -> {
                b.setDataType(OnnxTensors.BOOL);
                raw = ByteBuffer.allocate(n);
                for (long v : t.toLongArray()) {
                    raw.put((byte) (v != 0 ? 1 : 0));
                }
            }
            default -> throw new IllegalArgumentException("ONNX export: tensor '" + name + "' has dtype " + t.dtype());
        }
        return b.setRawData(ByteString.copyFrom(raw.array())).build();
    }

    private static AttributeProto attribute(String name, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        switch (value) {
            case Integer i -> a.setType(AttributeProto.AttributeType.INT).setI(i);
            case Long l -> a.setType(AttributeProto.AttributeType.INT).setI(l);
            case Boolean z -> a.setType(AttributeProto.AttributeType.INT).setI(z ? 1 : 0);
            case Float f -> a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
            case Double d -> a.setType(AttributeProto.AttributeType.FLOAT).setF(d.floatValue());
            case String s -> a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
            case TensorProto t -> a.setType(AttributeProto.AttributeType.TENSOR).setT(t);
            case int[] ints -> {
                a.setType(AttributeProto.AttributeType.INTS);
                for (int v : ints) {
                    a.addInts(v);
                }
            }
            case long[] longs -> {
                a.setType(AttributeProto.AttributeType.INTS);
                for (long v : longs) {
                    a.addInts(v);
                }
            }
            case String[] strings -> {
                a.setType(AttributeProto.AttributeType.STRINGS);
                for (String v : strings) {
                    a.addStrings(ByteString.copyFromUtf8(v));
                }
            }
            case float[] floats -> {
                a.setType(AttributeProto.AttributeType.FLOATS);
                for (float v : floats) {
                    a.addFloats(v);
                }
            }
            default ->
                throw new IllegalArgumentException("ONNX export: attribute '" + name + "' has unsupported type "
                        + value.getClass().getSimpleName());
        }
        return a.build();
    }
}
