package dev.torchlet.compress.quantization;

import java.util.function.Supplier;

/**
 * Which observers (post-training) or fake-quantizers (quantization-aware training) watch activations and weights,
 * PyTorch's {@code QConfig}. Weights are always per-channel symmetric int8 here; activations quint8 affine.
 *
 * @param activation a fresh observer per observed activation (post-training) — null in a QAT config
 * @param qat        true: activations and weights go through {@link FakeQuantize} while training
 */
public record QConfig(String name, Supplier<Observer> activation, boolean qat) {
    /**
     * PyTorch's fbgemm/x86 post-training recipe: histogram observer with reduced range (0..127) for activations,
     * per-channel symmetric min/max for weights.
     */
    public static QConfig histogram() {
        return new QConfig("histogram", () -> new HistogramObserver(true), false);
    }

    /** Min/max of all calibration data (fast, outlier-sensitive). */
    public static QConfig minMax() {
        return new QConfig(
                "minmax", () -> new MinMaxObserver(QuantDType.QUINT8, QScheme.PER_TENSOR_AFFINE, true), false);
    }

    /** Moving average of each batch's min/max (constant 0.01). */
    public static QConfig movingAverage() {
        return new QConfig(
                "moving-average",
                () -> new MovingAverageMinMaxObserver(0.01f, QuantDType.QUINT8, QScheme.PER_TENSOR_AFFINE, true),
                false);
    }

    /** Quantization-aware training: PyTorch's default QAT qconfig (moving-average fake quantization). */
    public static QConfig defaultQat() {
        return new QConfig("qat", null, true);
    }

    /** By the names the command line uses: histogram, minmax, moving-average. */
    public static QConfig byName(String name) {
        return switch (name) {
            case "histogram" -> histogram();
            case "minmax" -> minMax();
            case "moving-average" -> movingAverage();
            default ->
                throw new IllegalArgumentException(
                        "unknown observer '" + name + "'; available: histogram, minmax, " + "moving-average");
        };
    }

    /** The module that watches one activation: an observer, or a fake-quantizer under QAT. */
    Observer newActivationObserver() {
        return qat
                ? new MovingAverageMinMaxObserver(0.01f, QuantDType.QUINT8, QScheme.PER_TENSOR_AFFINE, true)
                : activation.get();
    }
}
