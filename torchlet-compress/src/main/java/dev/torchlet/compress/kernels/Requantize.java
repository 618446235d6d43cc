package dev.torchlet.compress.kernels;

/** int32 accumulators to uint8 (static quantization) or float (dynamic quantization). */
public final class Requantize {
    private Requantize() {}

    public static void toUint8(
            int m,
            int n,
            int[] acc,
            int aZeroPoint,
            float aScale,
            int[] rowSums,
            float[] wScale,
            float[] bias,
            float outScale,
            int outZeroPoint,
            boolean relu,
            byte[] out,
            int outOff) {
        int lo = relu ? outZeroPoint : 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float v =
                        aScale * wScale[j] * (acc[i * n + j] - aZeroPoint * rowSums[j]) + (bias == null ? 0f : bias[j]);
                int q = (int) Math.rint(v / outScale) + outZeroPoint;
                out[outOff + i * n + j] = (byte) Math.max(lo, Math.min(255, q));
            }
        }
    }

    public static void toFloat(
            int m,
            int n,
            int[] acc,
            int aZeroPoint,
            float aScale,
            int[] rowSums,
            float[] wScale,
            float[] bias,
            float[] out,
            int outOff) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                out[outOff + i * n + j] =
                        aScale * wScale[j] * (acc[i * n + j] - aZeroPoint * rowSums[j]) + (bias == null ? 0f : bias[j]);
            }
        }
    }
}
