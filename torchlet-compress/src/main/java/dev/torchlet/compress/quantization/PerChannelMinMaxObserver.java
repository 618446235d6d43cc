package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import java.util.Arrays;

/**
 * Running minimum and maximum per index along {@code chAxis}, PyTorch's {@code PerChannelMinMaxObserver};
 * with an averaging constant it is {@code MovingAveragePerChannelMinMaxObserver} (QAT's weight observer).
 * Weights: qint8, per-channel symmetric, axis 0 ({@link #forWeights()}), PyTorch's
 * {@code default_per_channel_weight_observer}.
 */
public class PerChannelMinMaxObserver extends Observer {
    private final int chAxis;
    private final float averagingConstant; // 0 = running min/max, else moving average
    private float[] minVal;
    private float[] maxVal;

    public PerChannelMinMaxObserver(int chAxis, QuantDType dtype, QScheme qscheme, boolean reduceRange) {
        this(chAxis, 0f, dtype, qscheme, reduceRange);
    }

    public PerChannelMinMaxObserver(
            int chAxis, float averagingConstant, QuantDType dtype, QScheme qscheme, boolean reduceRange) {
        super(dtype, qscheme, reduceRange);
        if (!qscheme.isPerChannel()) {
            throw new IllegalArgumentException("PerChannelMinMaxObserver needs a per-channel scheme, got " + qscheme);
        }
        this.chAxis = chAxis;
        this.averagingConstant = averagingConstant;
    }

    /** qint8, per-channel symmetric along the output channels: how weights are quantized. */
    public static PerChannelMinMaxObserver forWeights() {
        return new PerChannelMinMaxObserver(0, QuantDType.QINT8, QScheme.PER_CHANNEL_SYMMETRIC, false);
    }

    /** The moving-average weight observer of quantization-aware training (constant 0.01). */
    public static PerChannelMinMaxObserver movingAverageForWeights() {
        return new PerChannelMinMaxObserver(0, 0.01f, QuantDType.QINT8, QScheme.PER_CHANNEL_SYMMETRIC, false);
    }

    @Override
    protected void observe(Tensor x) {
        int[] shape = x.shape();
        if (chAxis >= shape.length) {
            throw new IllegalArgumentException("PerChannelMinMaxObserver: channel axis " + chAxis + " of a tensor of "
                    + "shape " + Arrays.toString(shape));
        }
        int channels = shape[chAxis];
        int inner = QTensor.inner(shape, chAxis);
        float[] v = x.toFloatArray();
        float[] lo = new float[channels];
        float[] hi = new float[channels];
        Arrays.fill(lo, Float.POSITIVE_INFINITY);
        Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        for (int start = 0; start < v.length; start += inner) {
            int c = (start / inner) % channels;
            for (int i = start; i < start + inner; i++) {
                lo[c] = Math.min(lo[c], v[i]);
                hi[c] = Math.max(hi[c], v[i]);
            }
        }
        if (minVal == null) {
            minVal = lo;
            maxVal = hi;
            return;
        }
        if (minVal.length != channels) {
            throw new IllegalArgumentException(
                    "PerChannelMinMaxObserver: saw " + minVal.length + " channels before, " + "now " + channels);
        }
        for (int c = 0; c < channels; c++) {
            if (averagingConstant == 0f) {
                minVal[c] = Math.min(minVal[c], lo[c]);
                maxVal[c] = Math.max(maxVal[c], hi[c]);
            } else {
                minVal[c] = minVal[c] + averagingConstant * (lo[c] - minVal[c]);
                maxVal[c] = maxVal[c] + averagingConstant * (hi[c] - maxVal[c]);
            }
        }
    }

    @Override
    public boolean hasObserved() {
        return minVal != null;
    }

    public int chAxis() {
        return chAxis;
    }

    public float[] minVal() {
        return minVal == null ? null : minVal.clone();
    }

    public float[] maxVal() {
        return maxVal == null ? null : maxVal.clone();
    }

    @Override
    public QParams calculateQParams() {
        requireObserved();
        return qparamsFromMinMax(minVal, maxVal, chAxis);
    }
}
