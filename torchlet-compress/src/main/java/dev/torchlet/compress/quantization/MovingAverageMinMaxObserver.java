package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;

/**
 * Exponential moving average of each batch's minimum and maximum, PyTorch's {@code MovingAverageMinMaxObserver}:
 * the first batch sets them, then {@code min += c * (batchMin - min)} (same for max), {@code c = 0.01} by default.
 */
public class MovingAverageMinMaxObserver extends MinMaxObserver {
    private final float averagingConstant;

    public MovingAverageMinMaxObserver() {
        this(0.01f, QuantDType.QUINT8, QScheme.PER_TENSOR_AFFINE, false);
    }

    public MovingAverageMinMaxObserver(
            float averagingConstant, QuantDType dtype, QScheme qscheme, boolean reduceRange) {
        super(dtype, qscheme, reduceRange);
        if (!(averagingConstant > 0 && averagingConstant <= 1)) {
            throw new IllegalArgumentException(
                    "MovingAverageMinMaxObserver: averaging constant must be in (0, 1], " + "got " + averagingConstant);
        }
        this.averagingConstant = averagingConstant;
    }

    @Override
    protected void observe(Tensor x) {
        float[] mm = aminmax(x.toFloatArray());
        if (!hasObserved()) {
            minVal = mm[0];
            maxVal = mm[1];
        } else {
            minVal = minVal + averagingConstant * (mm[0] - minVal);
            maxVal = maxVal + averagingConstant * (mm[1] - maxVal);
        }
    }
}
