package dev.torchlet.compress.quantization;

import java.util.Arrays;

/**
 * Affine quantization parameters: {@code q = clamp(rint(x / scale) + zeroPoint)}, {@code x ~ (q - zeroPoint) * scale}.
 * Per tensor: one scale and zero point, {@code axis == -1}. Per channel: one pair per index along {@code axis}.
 */
public record QParams(float[] scales, int[] zeroPoints, int axis) {
    public QParams {
        if (scales.length != zeroPoints.length || scales.length == 0) {
            throw new IllegalArgumentException(
                    "QParams: " + scales.length + " scales and " + zeroPoints.length + " zero points");
        }
        if (axis < 0 && (axis != -1 || scales.length != 1)) {
            throw new IllegalArgumentException("QParams: per-tensor parameters need axis -1 and one scale, got axis "
                    + axis + " and " + scales.length + " scales");
        }
        for (float s : scales) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException(
                        "QParams: scales must be positive and finite, got " + Arrays.toString(scales));
            }
        }
    }

    public static QParams perTensor(float scale, int zeroPoint) {
        return new QParams(new float[] {scale}, new int[] {zeroPoint}, -1);
    }

    public static QParams perChannel(float[] scales, int[] zeroPoints, int axis) {
        return new QParams(scales.clone(), zeroPoints.clone(), axis);
    }

    public boolean isPerChannel() {
        return axis >= 0;
    }

    public float scale() {
        requirePerTensor();
        return scales[0];
    }

    public int zeroPoint() {
        requirePerTensor();
        return zeroPoints[0];
    }

    private void requirePerTensor() {
        if (isPerChannel()) {
            throw new IllegalStateException("per-channel parameters (axis " + axis + ") have no single scale");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QParams p
                && axis == p.axis
                && Arrays.equals(scales, p.scales)
                && Arrays.equals(zeroPoints, p.zeroPoints);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(scales) + Arrays.hashCode(zeroPoints)) + axis;
    }

    @Override
    public String toString() {
        return isPerChannel()
                ? "QParams(per channel, axis " + axis + ", " + scales.length + " scales)"
                : "QParams(scale " + scales[0] + ", zero point " + zeroPoints[0] + ")";
    }
}
