package dev.torchlet.compress.quantization;

/**
 * The activation parameters that dynamic quantization picks on the fly for each input, fbgemm's
 * {@code ChooseQuantizationParams} as PyTorch's dynamic Linear/LSTM/GRU use it
 * ({@code torch._choose_qparams_per_tensor}):
 *
 * <pre>
 *   min = min(min(x), 0), max = max(max(x), 0)
 *   scale = (max - min) / (qmax - qmin)        in double; 0.1 if that is 0 or its float reciprocal overflows
 *   zeroPoint = the one of qmin - min/scale and qmax - max/scale with the smaller |q| + |x/scale| error,
 *               rounded half to even and clamped to [qmin, qmax]
 * </pre>
 *
 * Activations are quint8 with the reduced range 0..127 (fbgemm's {@code reduce_range}), which keeps the int8
 * kernels' u8 x s8 pair sums inside int16.
 */
public final class DynamicQParams {
    /** quint8 with reduce_range: 0..127. */
    public static final int QMIN = 0;

    public static final int QMAX = 127;

    private DynamicQParams() {}

    /** Per-tensor parameters for values in [min, max] and the integer range [qmin, qmax]. */
    public static QParams choose(float min, float max, int qmin, int qmax) {
        min = Math.min(min, 0f);
        max = Math.max(max, 0f);
        double scale = ((double) Math.max(max, min) - min) / ((double) qmax - qmin);
        if (scale == 0 || (float) scale == 0 || Float.isInfinite(1.0f / (float) scale)) {
            scale = 0.1;
        }
        double fromMin = qmin - min / scale;
        double fromMax = qmax - max / scale;
        double fromMinError = Math.abs(qmin) + Math.abs(min / scale);
        double fromMaxError = Math.abs(qmax) + Math.abs(max / scale);
        double initial = fromMinError < fromMaxError ? fromMin : fromMax;
        int zeroPoint = initial < qmin ? qmin : initial > qmax ? qmax : (int) Math.rint(initial);
        return QParams.perTensor((float) scale, zeroPoint);
    }

    /** {@link #choose} over the values of x[off, off + len) with the reduced quint8 range. */
    public static QParams choose(float[] x, int off, int len) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) {
            lo = Math.min(lo, x[i]);
            hi = Math.max(hi, x[i]);
        }
        if (len == 0) {
            lo = 0;
            hi = 0;
        }
        return choose(lo, hi, QMIN, QMAX);
    }
}
