package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;

/** Running minimum and maximum of everything observed, PyTorch's {@code MinMaxObserver} (per tensor). */
public class MinMaxObserver extends Observer {
    protected float minVal = Float.POSITIVE_INFINITY;
    protected float maxVal = Float.NEGATIVE_INFINITY;

    /** quint8, per-tensor affine, full range: PyTorch's defaults. */
    public MinMaxObserver() {
        this(QuantDType.QUINT8, QScheme.PER_TENSOR_AFFINE, false);
    }

    public MinMaxObserver(QuantDType dtype, QScheme qscheme, boolean reduceRange) {
        super(dtype, qscheme, reduceRange);
        if (qscheme.isPerChannel()) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName() + " is per tensor; got " + qscheme + " (use PerChannelMinMaxObserver)");
        }
    }

    @Override
    protected void observe(Tensor x) {
        float[] mm = aminmax(x.toFloatArray());
        minVal = Math.min(minVal, mm[0]);
        maxVal = Math.max(maxVal, mm[1]);
    }

    @Override
    public boolean hasObserved() {
        return minVal <= maxVal;
    }

    public float minVal() {
        return minVal;
    }

    public float maxVal() {
        return maxVal;
    }

    @Override
    public QParams calculateQParams() {
        requireObserved();
        return qparamsFromMinMax(new float[] {minVal}, new float[] {maxVal}, -1);
    }
}
