package dev.torchlet.compress.kernels;

import dev.torchlet.kernels.Simd;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per-tensor affine quantize / dequantize on the hot path (activations of every quantized layer), vectorized.
 *
 * <p>PyTorch's arithmetic, matched exactly: {@code quantize_per_tensor} (ATen's {@code quantize_val} and fbgemm's
 * {@code Quantize}, scalar and AVX2) computes {@code q = clamp(zeroPoint + nearbyint(x * (1.0f / scale)), qmin,
 * qmax)}: a float multiply by the float reciprocal, not {@code x / scale} (the two differ in the last bit now and
 * then: scale 0.00214854861f, x 0.273939937f gives 127.5 by the reciprocal, rounded to 128, and 127.49999 by the
 * division), round half to even, the zero point added after rounding. Dequantize is {@code (q - zeroPoint) * scale}
 * in float.
 */
public final class QuantizeKernels {
    static final VectorSpecies<Float> F = Simd.FLOAT;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int VL = F.length();
    /** Bytes with as many lanes as F. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(VL * 8));
    /**
     * 1.5 * 2^23: (v + M) - M rounds v to an integer, half to even, for |v| <= 2^22. Larger |v| may be off by one,
     * but those saturate anyway: callers convert to int (Java's saturating cast) and clamp in the int domain, to
     * q - zero point bounds far below 2^22. (Float min/max cost C2 several instructions each for Java's NaN and -0.0
     * rules; int min/max are one.)
     */
    static final float ROUND_MAGIC = 12582912f;

    private QuantizeKernels() {}

    /** Round half to even of v, for |v| <= 2^22 (see ROUND_MAGIC for larger values). */
    static float rint(float v) {
        return (v + ROUND_MAGIC) - ROUND_MAGIC;
    }

    /**
     * {@code q[qOff + i] = clamp(rint(x[xOff + i] * (1.0f / scale)) + zeroPoint, qmin, qmax)} for i < len, stored
     * as a byte (uint8 ranges 0..255 as their low byte, int8 -128..127 as is). NaN gives the zero point (clamped;
     * undefined behaviour in PyTorch).
     */
    public static void quantize(
            float[] x, int xOff, int len, float scale, int zeroPoint, int qmin, int qmax, byte[] q, int qOff) {
        checkRange("quantize", x.length, xOff, len, q.length, qOff);
        if (qmin > qmax
                || Math.abs(zeroPoint) > (1 << 16)
                || Math.abs(qmin) > (1 << 16)
                || Math.abs(qmax) > (1 << 16)) {
            throw new IllegalArgumentException(
                    "quantize: expected qmin <= qmax and |zeroPoint|, |qmin|, |qmax| <= 65536," + " got zeroPoint="
                            + zeroPoint + ", qmin=" + qmin + ", qmax=" + qmax);
        }
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("quantize: scale must be positive and finite, got " + scale);
        }
        float inv = 1.0f / scale;
        int lo = qmin - zeroPoint;
        int hi = qmax - zeroPoint;
        int i = 0;
        for (; i <= len - VL; i += VL) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i)
                    .mul(inv)
                    .add(ROUND_MAGIC)
                    .sub(ROUND_MAGIC);
            ((IntVector) v.convert(VectorOperators.F2I, 0))
                    .max(lo)
                    .min(hi)
                    .add(zeroPoint)
                    .convertShape(VectorOperators.I2B, B, 0)
                    .reinterpretAsBytes()
                    .intoArray(q, qOff + i);
        }
        for (; i < len; i++) {
            q[qOff + i] = (byte) (Math.min(Math.max((int) rint(x[xOff + i] * inv), lo), hi) + zeroPoint);
        }
    }

    /** {@code x[xOff + i] = ((q[qOff + i] & 0xFF) - zeroPoint) * scale}: uint8 values. */
    public static void dequantizeUint8(byte[] q, int qOff, int len, float scale, int zeroPoint, float[] x, int xOff) {
        checkRange("dequantizeUint8", x.length, xOff, len, q.length, qOff);
        int i = 0;
        for (; i <= len - VL; i += VL) {
            IntVector v = (IntVector)
                    ByteVector.fromArray(B, q, qOff + i).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            ((FloatVector) v.sub(zeroPoint).convert(VectorOperators.I2F, 0))
                    .mul(scale)
                    .intoArray(x, xOff + i);
        }
        for (; i < len; i++) {
            x[xOff + i] = ((q[qOff + i] & 0xFF) - zeroPoint) * scale;
        }
    }

    /** {@code x[xOff + i] = (q[qOff + i] - zeroPoint) * scale}: int8 values. */
    public static void dequantizeInt8(byte[] q, int qOff, int len, float scale, int zeroPoint, float[] x, int xOff) {
        checkRange("dequantizeInt8", x.length, xOff, len, q.length, qOff);
        int i = 0;
        for (; i <= len - VL; i += VL) {
            IntVector v = (IntVector) ByteVector.fromArray(B, q, qOff + i).convertShape(VectorOperators.B2I, I, 0);
            ((FloatVector) v.sub(zeroPoint).convert(VectorOperators.I2F, 0))
                    .mul(scale)
                    .intoArray(x, xOff + i);
        }
        for (; i < len; i++) {
            x[xOff + i] = (q[qOff + i] - zeroPoint) * scale;
        }
    }

    private static void checkRange(String op, int xLen, int xOff, int len, int qLen, int qOff) {
        if (len < 0 || xOff < 0 || qOff < 0 || xOff + (long) len > xLen || qOff + (long) len > qLen) {
            throw new IllegalArgumentException(op + ": " + len + " elements at offsets " + xOff + " (float[" + xLen
                    + "]) and " + qOff + " (byte[" + qLen + "]) do not fit");
        }
    }
}
