package dev.torchlet.compress.kernels;

/** Affine quantize / dequantize of float arrays, PyTorch's arithmetic. */
public final class QuantizeKernels {
    private QuantizeKernels() {}

    /** q = clamp(rint(x * (1/scale)) + zeroPoint, qmin, qmax). */
    public static void quantize(
            float[] x, int xOff, int len, float scale, int zeroPoint, int qmin, int qmax, byte[] q, int qOff) {
        float inv = 1f / scale;
        for (int i = 0; i < len; i++) {
            double v = Math.rint(x[xOff + i] * inv) + zeroPoint; // float product, as PyTorch; no int overflow
            q[qOff + i] = (byte) (int) Math.max(qmin, Math.min(qmax, v));
        }
    }

    public static void dequantizeUint8(byte[] q, int qOff, int len, float scale, int zeroPoint, float[] x, int xOff) {
        for (int i = 0; i < len; i++) {
            x[xOff + i] = ((q[qOff + i] & 0xFF) - zeroPoint) * scale;
        }
    }

    public static void dequantizeInt8(byte[] q, int qOff, int len, float scale, int zeroPoint, float[] x, int xOff) {
        for (int i = 0; i < len; i++) {
            x[xOff + i] = (q[qOff + i] - zeroPoint) * scale;
        }
    }
}
