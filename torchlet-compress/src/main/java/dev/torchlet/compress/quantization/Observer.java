package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;

/**
 * Records statistics of the tensors that flow through it (returned unchanged) and turns them into quantization
 * parameters, PyTorch's {@code torch.ao.quantization.observer}. Subclasses keep their statistics in fields; the
 * shared part is {@link #qparamsFromMinMax}, PyTorch's {@code _calculate_qparams}:
 *
 * <pre>
 *   minNeg = min(min, 0), maxPos = max(max, 0)
 *   affine:    scale = max((maxPos - minNeg) / (qmax - qmin), eps)
 *              zeroPoint = clamp(qmin - round(minNeg / scale), qmin, qmax)
 *   symmetric: scale = max(max(-minNeg, maxPos) / ((qmax - qmin) / 2), eps)
 *              zeroPoint = 0 for qint8, 128 for quint8
 * </pre>
 *
 * with {@code eps = 2^-23} (float32's machine epsilon), float32 arithmetic and round half to even, as PyTorch.
 * Unlike PyTorch, asking an observer that has seen nothing for parameters is an error (PyTorch warns and returns
 * scale 1, zero point 0, which silently ruins a model that was never calibrated).
 */
public abstract class Observer extends Module {
    /** torch.finfo(torch.float32).eps. */
    static final float EPS = Math.ulp(1f);

    private final QuantDType dtype;
    private final QScheme qscheme;
    private final boolean reduceRange;
    private final int quantMin;
    private final int quantMax;

    protected Observer(QuantDType dtype, QScheme qscheme, boolean reduceRange) {
        this.dtype = dtype;
        this.qscheme = qscheme;
        this.reduceRange = reduceRange;
        int[] range = dtype.range(reduceRange);
        this.quantMin = range[0];
        this.quantMax = range[1];
    }

    /** Records x's statistics; returns x unchanged. */
    @Override
    public final Tensor forward(Tensor x) {
        if (x.numel() > 0) {
            observe(x.detach());
        }
        return x;
    }

    /** Updates the statistics with one tensor (never empty). */
    protected abstract void observe(Tensor x);

    /** True once at least one non-empty tensor was observed. */
    public abstract boolean hasObserved();

    /** The quantization parameters for what was observed so far. */
    public abstract QParams calculateQParams();

    public QuantDType dtype() {
        return dtype;
    }

    public QScheme qscheme() {
        return qscheme;
    }

    public boolean reduceRange() {
        return reduceRange;
    }

    public int quantMin() {
        return quantMin;
    }

    public int quantMax() {
        return quantMax;
    }

    protected final void requireObserved() {
        if (!hasObserved()) {
            throw new IllegalStateException(getClass().getSimpleName() + " has observed no data: run calibration "
                    + "batches through the prepared model before converting it");
        }
    }

    /** PyTorch's {@code _calculate_qparams} for per-tensor ({@code axis == -1}) or per-channel statistics. */
    protected final QParams qparamsFromMinMax(float[] min, float[] max, int axis) {
        int n = min.length;
        float[] scales = new float[n];
        int[] zeroPoints = new int[n];
        float levels = (float) (quantMax - quantMin);
        for (int c = 0; c < n; c++) {
            if (min[c] > max[c]) {
                throw new IllegalStateException("observer: min " + min[c] + " > max " + max[c]);
            }
            float minNeg = Math.min(min[c], 0f);
            float maxPos = Math.max(max[c], 0f);
            if (qscheme.isSymmetric()) {
                float absMax = Math.max(-minNeg, maxPos);
                scales[c] = Math.max(absMax / (levels / 2f), EPS);
                zeroPoints[c] = dtype == QuantDType.QUINT8 ? 128 : 0;
            } else {
                float scale = Math.max((maxPos - minNeg) / levels, EPS);
                scales[c] = scale;
                int zp = quantMin - (int) Math.rint(minNeg / scale);
                zeroPoints[c] = Math.max(quantMin, Math.min(quantMax, zp));
            }
        }
        return axis < 0 ? QParams.perTensor(scales[0], zeroPoints[0]) : new QParams(scales, zeroPoints, axis);
    }

    /** {min, max} of a tensor's values. */
    static float[] aminmax(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return new float[] {lo, hi};
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + dtype.torchName() + ", " + qscheme + ", range [" + quantMin + ", "
                + quantMax + "])";
    }
}
