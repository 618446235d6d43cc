package dev.torchlet.onnx;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;

/**
 * ONNX's integer operators as ONNX Runtime computes them: DynamicQuantizeLinear (uint8, per tensor),
 * MatMulInteger (exact: int32 results via float64, whose 53-bit mantissa holds every sum of 8-bit products of
 * these sizes), DequantizeLinear (per tensor or per axis). Integers travel as Torchlet int64 tensors. Not
 * differentiable (integers have no gradient).
 */
final class OnnxQuantization {
    private OnnxQuantization() {}

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
