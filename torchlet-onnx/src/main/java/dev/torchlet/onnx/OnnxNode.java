package dev.torchlet.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.onnx.proto.Onnx.AttributeProto;
import dev.torchlet.onnx.proto.Onnx.NodeProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/** A graph node with typed attribute access and its name for error messages. */
final class OnnxNode {
    final NodeProto proto;
    final int opset;
    private final Map<String, AttributeProto> attributes = new HashMap<>();

    OnnxNode(NodeProto proto, int opset) {
        this.proto = proto;
        this.opset = opset;
        for (AttributeProto a : proto.getAttributeList()) {
            attributes.put(a.getName(), a);
        }
    }

    String op() {
        return proto.getOpType();
    }

    /** "Conv node 'conv1' (opset 17)" for error messages. */
    String describe() {
        String name = proto.getName().isEmpty() ? "#" + String.join(",", proto.getOutputList()) : proto.getName();
        return op() + " node '" + name + "' (opset " + opset + ")";
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
