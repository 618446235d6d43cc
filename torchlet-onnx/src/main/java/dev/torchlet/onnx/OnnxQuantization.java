package dev.torchlet.onnx;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Arrays;
import java.util.Map;

/**
 * ONNX's integer operators as ONNX Runtime computes them: DynamicQuantizeLinear (uint8, per tensor),
 * MatMulInteger and ConvInteger (exact: int32 results via float64, whose 53-bit mantissa holds every sum of 8-bit
 * products of these sizes), DequantizeLinear and QuantizeLinear (per tensor or per axis), QLinearMatMul and
 * QLinearConv (exact integer accumulation, then one float32 requantization). Integers travel as Torchlet int64
 * tensors; whether a quantized output is uint8 or int8 follows its zero point's ONNX type
 * ({@link OnnxElementTypes}). Not differentiable (integers have no gradient).
 */
final class OnnxQuantization {
    private OnnxQuantization() {}

    /** The operators added after DynamicQuantizeLinear, MatMulInteger and DequantizeLinear (those are in OnnxOps). */
    static void register(Map<String, OnnxOps.Op> ops) {
        ops.put("QuantizeLinear", OnnxQuantization::quantizeLinear);
        ops.put("QLinearMatMul", OnnxQuantization::qLinearMatMul);
        ops.put("QLinearConv", OnnxQuantization::qLinearConv);
        ops.put("ConvInteger", OnnxQuantization::convInteger);
    }

    /**
     * y = saturate(round(x / y_scale) + y_zero_point), round half to even; y_scale and y_zero_point per tensor or,
     * 1-D, along axis (default 1). The range is uint8's 0..255, or int8's -128..127 when y_zero_point is int8.
     */
    static Tensor[] quantizeLinear(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0].to(DType.FLOAT32);
        Tensor zp = in.length > 2 ? in[2] : null;
        int axis = OnnxOps.axis(n.i("axis", 1), x.dim());
        Tensor scale = perAxis(n, in[1].to(DType.FLOAT32), x, axis);
        Tensor q = x.div(scale); // float32 division, as ONNX Runtime's QuantizeLinear
        if (zp != null) {
            q = rint(q).add(perAxis(n, zp.to(DType.FLOAT32), x, axis));
        }
        return new Tensor[] {saturate(q, outputRange(n, 2, zp))};
    }

    /**
     * y = saturate(round((a - a_zero_point) @ (b - b_zero_point) * (a_scale * b_scale / y_scale)) + y_zero_point):
     * the product exact in integers, the rescale in float32 (ONNX Runtime's requantization). a's scale and zero
     * point are per tensor or per row (M), b's per tensor or per column (N).
     */
    static Tensor[] qLinearMatMul(OnnxNode n, Tensor[] in, boolean training) {
        Tensor a = in[0].to(DType.FLOAT64).sub(rows(in[2].to(DType.FLOAT64)));
        Tensor b = in[3].to(DType.FLOAT64).sub(in[5].to(DType.FLOAT64));
        Tensor acc = a.matmul(b).to(DType.FLOAT32); // (..., M, N), exact integers
        Tensor multiplier =
                rows(in[1].to(DType.FLOAT32)).mul(in[4].to(DType.FLOAT32)).div(in[6].to(DType.FLOAT32));
        Tensor q = rint(acc.mul(multiplier)).add(in[7].to(DType.FLOAT32));
        return new Tensor[] {saturate(q, outputRange(n, 7, in[7]))};
    }

    /**
     * Conv of (x - x_zero_point) and (w - w_zero_point[m]) in integers, + bias B (int32), then
     * y = saturate(round(acc * (x_scale * w_scale[m] / y_scale)) + y_zero_point); w's scale and zero point per
     * tensor or per output channel m. The Conv attributes (pads, strides, dilations, group, auto_pad) as Conv.
     */
    static Tensor[] qLinearConv(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0].to(DType.FLOAT64).sub(in[2].to(DType.FLOAT64));
        Tensor w = in[3].to(DType.FLOAT64).sub(perChannel(in[5].to(DType.FLOAT64), 4));
        Tensor bias = in.length > 8 && in[8] != null ? in[8].to(DType.FLOAT64) : null;
        Tensor acc = conv(n, x, w, bias).to(DType.FLOAT32); // (N, M, H', W')
        Tensor multiplier = in[1].to(DType.FLOAT32)
                .mul(perChannel(in[4].to(DType.FLOAT32), 3))
                .div(in[6].to(DType.FLOAT32));
        Tensor q = rint(acc.mul(multiplier)).add(in[7].to(DType.FLOAT32));
        return new Tensor[] {saturate(q, outputRange(n, 7, in[7]))};
    }

    /** int32 conv of (x - x_zero_point) and (w - w_zero_point[m]); w's zero point per tensor or per channel. */
    static Tensor[] convInteger(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0].to(DType.FLOAT64);
        Tensor w = in[1].to(DType.FLOAT64);
        if (in.length > 2 && in[2] != null) {
            x = x.sub(in[2].to(DType.FLOAT64));
        }
        if (in.length > 3 && in[3] != null) {
            w = w.sub(perChannel(in[3].to(DType.FLOAT64), 4));
        }
        return new Tensor[] {conv(n, x, w, null).to(DType.INT64)};
    }

    /** Conv with this node's attributes (the Conv operator's own code, run in float64). */
    private static Tensor conv(OnnxNode n, Tensor x, Tensor w, Tensor bias) {
        return OnnxOps.OPS.get("Conv").apply(n, new Tensor[] {x, w, bias}, false)[0];
    }

    /** A per-row (M) vector -> (M, 1), so it lines up with the rows of an (..., M, K) or (..., M, N) matrix. */
    private static Tensor rows(Tensor v) {
        return v.dim() == 1 && v.numel() > 1 ? v.unsqueeze(1) : v;
    }

    /** A per-output-channel (M) vector -> (M, 1, 1, 1) for weights (rank 4) or (M, 1, 1) for outputs (rank 3). */
    private static Tensor perChannel(Tensor v, int rank) {
        if (v.dim() == 0 || v.numel() == 1) {
            return v.reshape();
        }
        int[] shape = new int[rank];
        Arrays.fill(shape, 1);
        shape[0] = v.numel();
        return v.reshape(shape);
    }

    /** A 1-D scale or zero point with more than one value -> shaped to broadcast along axis of x. */
    private static Tensor perAxis(OnnxNode n, Tensor v, Tensor x, int axis) {
        if (v.numel() == 1) {
            return v.reshape();
        }
        if (v.dim() != 1 || x.dim() <= axis || x.size(axis) != v.numel()) {
            throw new IllegalArgumentException(n.describe() + ": a scale or zero point of shape "
                    + Arrays.toString(v.shape()) + " does not fit axis " + axis + " of " + Arrays.toString(x.shape()));
        }
        int[] shape = new int[x.dim()];
        Arrays.fill(shape, 1);
        shape[axis] = v.numel();
        return v.reshape(shape);
    }

    /**
     * {min, max} of the node's quantized output: int8 or uint8 by the zero point input's ONNX type. Where the graph
     * does not tell the type (a computed zero point without value_info), uint8 unless a zero point is negative.
     */
    private static long[] outputRange(OnnxNode n, int zeroPointInput, Tensor zeroPoint) {
        int type = OnnxElementTypes.zeroPointType(n, zeroPointInput);
        if (type == OnnxElementTypes.UNKNOWN && zeroPoint != null) {
            boolean negative = Arrays.stream(zeroPoint.toLongArray()).anyMatch(v -> v < 0);
            type = negative ? OnnxTensors.INT8 : OnnxTensors.UINT8;
        }
        return switch (type) {
            case OnnxTensors.UINT8 -> new long[] {0, 255};
            case OnnxTensors.INT8 -> new long[] {-128, 127};
            default ->
                throw new IllegalArgumentException(
                        n.describe() + ": quantizes to " + OnnxTensors.typeName(type) + "; supported: UINT8, INT8");
        };
    }

    /** Round half to even, element by element (float32). */
    private static Tensor rint(Tensor t) {
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.rint(v[i]);
        }
        return Torch.tensor(v, t.shape());
    }

    /** Rounded float values clamped to range and stored as int64 (rounds half to even first, if not yet integer). */
    private static Tensor saturate(Tensor q, long[] range) {
        float[] v = q.toFloatArray();
        long[] y = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            y[i] = Math.max(range[0], Math.min(range[1], (long) Math.rint(v[i])));
        }
        return Torch.tensor(y, q.shape());
    }

    /**
     * x -> (y uint8, y_scale, y_zero_point): range [min(0, min x), max(0, max x)] over 0..255,
     * zero point = round(clamp(0 - min / scale)), y = clamp(round(x / scale) + zero point); round half to even.
     */
    static Tensor[] dynamicQuantizeLinear(OnnxNode n, Tensor[] in, boolean training) {
        float[] x = in[0].to(DType.FLOAT32).toFloatArray();
        float min = 0f;
        float max = 0f;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float scale = max == min ? 1f : (max - min) / 255f;
        float initialZero = 0f - min / scale;
        long zero = (long) Math.rint(Math.max(0f, Math.min(255f, initialZero)));
        long[] y = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0, Math.min(255, (long) Math.rint(x[i] / scale) + zero));
        }
        return new Tensor[] {
            Torch.tensor(y, in[0].shape()), Torch.tensor(new float[] {scale}), Torch.tensor(new long[] {zero})
        };
    }

    /** (A - a_zero_point) @ (B - b_zero_point) in integers; zero points are scalars, or per row of A / column of B. */
    static Tensor[] matMulInteger(OnnxNode n, Tensor[] in, boolean training) {
        Tensor a = in[0].to(DType.FLOAT64);
        Tensor b = in[1].to(DType.FLOAT64);
        if (in.length > 2 && in[2] != null) {
            Tensor zp = in[2].to(DType.FLOAT64);
            a = a.sub(zp.dim() == 1 && zp.numel() > 1 ? zp.unsqueeze(1) : zp);
        }
        if (in.length > 3 && in[3] != null) {
            b = b.sub(in[3].to(DType.FLOAT64));
        }
        return new Tensor[] {a.matmul(b).to(DType.INT64)};
    }

    /** y = (x - zero_point) * scale, per tensor or along axis (default 1) for 1-D scales. */
    static Tensor[] dequantizeLinear(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0].to(DType.FLOAT32);
        Tensor scale = in[1].to(DType.FLOAT32);
        Tensor zp = in.length > 2 && in[2] != null ? in[2].to(DType.FLOAT32) : null;
        if (scale.numel() > 1) {
            int axis = OnnxOps.axis(n.i("axis", 1), x.dim());
            int[] shape = new int[x.dim()];
            java.util.Arrays.fill(shape, 1);
            shape[axis] = scale.numel();
            scale = scale.reshape(shape);
            zp = zp == null ? null : zp.reshape(shape);
        }
        return new Tensor[] {(zp == null ? x : x.sub(zp)).mul(scale)};
    }
}
