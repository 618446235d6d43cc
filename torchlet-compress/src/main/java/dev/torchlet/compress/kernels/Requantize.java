package dev.torchlet.compress.kernels;

import dev.torchlet.kernels.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * int32 accumulators of {@link Int8Gemm} / {@link Int8Conv2d} back to uint8 (static quantization) or float
 * (dynamic quantization), with the activation zero-point correction, per-channel weight scales and the bias.
 *
 * <p>For an output element with accumulator {@code acc} in output channel j, in float arithmetic and this order:
 *
 * <pre>
 * s = aScale * wScale[j]
 * v = s * (float) (acc - aZeroPoint * rowSums[j]) + bias[j]        (no bias: + 0; a multiply then an add, no FMA)
 * toFloat:  out = v
 * toUint8:  out = clamp(rint(v / outScale) + outZeroPoint, lo, qmax)  lo = relu ? outZeroPoint : 0, rint half to even
 *           (qmax 255 for PyTorch's full quint8 range; 127 keeps activations in the fast kernels' 7 bits)
 * </pre>
 *
 * The int to float conversion is exact while |acc - aZeroPoint * rowSums[j]| < 2^24. Two layouts: row-major (m, n)
 * with j the column (Linear, {@link Int8Gemm}'s output) and planar (batch, channels, plane) with j the channel
 * (NCHW, {@link Int8Conv2d}'s output).
 */
public final class Requantize {
    private static final int VL = QuantizeKernels.VL;

    private Requantize() {}

    /** Row-major (m, n): acc[i*n + j] -> out[outOff + i*n + j] (uint8 in a byte). */
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
            int qmax,
            byte[] out,
            int outOff) {
        check("toUint8", m, n, acc.length, rowSums, wScale, bias, out.length, outOff);
        checkOut(outScale, outZeroPoint);
        float[] s = scales(n, aScale, wScale);
        float[] b = bias != null ? bias : new float[n];
        int lo = relu ? outZeroPoint : 0;
        for (int i = 0; i < m; i++) {
            int row = i * n;
            int j = 0;
            for (; j <= n - VL; j += VL) {
                FloatVector v = value(acc, row + j, aZeroPoint, rowSums, s, b, j);
                store(v, outScale, outZeroPoint, lo, qmax, out, outOff + row + j);
            }
            for (; j < n; j++) {
                float v = s[j] * (float) (acc[row + j] - aZeroPoint * rowSums[j]) + b[j];
                out[outOff + row + j] = quantizeOne(v, outScale, outZeroPoint, lo, qmax);
            }
        }
    }

    /** Row-major (m, n): acc[i*n + j] -> out[outOff + i*n + j]. */
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
        check("toFloat", m, n, acc.length, rowSums, wScale, bias, out.length, outOff);
        float[] s = scales(n, aScale, wScale);
        float[] b = bias != null ? bias : new float[n];
        for (int i = 0; i < m; i++) {
            int row = i * n;
            int j = 0;
            for (; j <= n - VL; j += VL) {
                value(acc, row + j, aZeroPoint, rowSums, s, b, j).intoArray(out, outOff + row + j);
            }
            for (; j < n; j++) {
                out[outOff + row + j] = s[j] * (float) (acc[row + j] - aZeroPoint * rowSums[j]) + b[j];
            }
        }
    }

    /**
     * Planar (batch, channels, plane), channel c = output channel j (NCHW with plane = OH*OW):
     * acc[(bi*channels + c)*plane + x] -> out[outOff + same index].
     */
    public static void toUint8Planar(
            int batch,
            int channels,
            int plane,
            int[] acc,
            int aZeroPoint,
            float aScale,
            int[] rowSums,
            float[] wScale,
            float[] bias,
            float outScale,
            int outZeroPoint,
            boolean relu,
            int qmax,
            byte[] out,
            int outOff) {
        check("toUint8Planar", batch * channels, plane, acc.length, null, null, null, out.length, outOff);
        checkChannels("toUint8Planar", channels, rowSums, wScale, bias);
        checkOut(outScale, outZeroPoint);
        int lo = relu ? outZeroPoint : 0;
        // planes in parallel: at batch 64 this pass is ~5% of a small CNN's int8 time
        Parallel.forRange(batch * channels, Math.max(1, (1 << 15) / Math.max(1, plane)), (p0, p1) -> {
            for (int bc = p0; bc < p1; bc++) {
                planeToUint8(
                        bc,
                        channels,
                        plane,
                        acc,
                        aZeroPoint,
                        aScale,
                        rowSums,
                        wScale,
                        bias,
                        outScale,
                        outZeroPoint,
                        lo,
                        qmax,
                        out,
                        outOff);
            }
        });
    }

    private static void planeToUint8(
            int bc,
            int channels,
            int plane,
            int[] acc,
            int aZeroPoint,
            float aScale,
            int[] rowSums,
            float[] wScale,
            float[] bias,
            float outScale,
            int outZeroPoint,
            int lo,
            int qmax,
            byte[] out,
            int outOff) {
        int c = bc % channels;
        float s = aScale * wScale[c];
        float b = bias != null ? bias[c] : 0f;
        int zr = aZeroPoint * rowSums[c];
        int base = bc * plane;
        int x = 0;
        for (; x <= plane - VL; x += VL) {
            IntVector t = IntVector.fromArray(QuantizeKernels.I, acc, base + x).sub(zr);
            FloatVector v =
                    ((FloatVector) t.convert(VectorOperators.I2F, 0)).mul(s).add(b);
            store(v, outScale, outZeroPoint, lo, qmax, out, outOff + base + x);
        }
        for (; x < plane; x++) {
            out[outOff + base + x] =
                    quantizeOne(s * (float) (acc[base + x] - zr) + b, outScale, outZeroPoint, lo, qmax);
        }
    }

    /** Planar (batch, channels, plane) to float, channel c = output channel j. */
    public static void toFloatPlanar(
            int batch,
            int channels,
            int plane,
            int[] acc,
            int aZeroPoint,
            float aScale,
            int[] rowSums,
            float[] wScale,
            float[] bias,
            float[] out,
            int outOff) {
        check("toFloatPlanar", batch * channels, plane, acc.length, null, null, null, out.length, outOff);
        checkChannels("toFloatPlanar", channels, rowSums, wScale, bias);
        for (int bc = 0; bc < batch * channels; bc++) {
            int c = bc % channels;
            float s = aScale * wScale[c];
            float b = bias != null ? bias[c] : 0f;
            int zr = aZeroPoint * rowSums[c];
            int base = bc * plane;
            int x = 0;
            for (; x <= plane - VL; x += VL) {
                IntVector t =
                        IntVector.fromArray(QuantizeKernels.I, acc, base + x).sub(zr);
                ((FloatVector) t.convert(VectorOperators.I2F, 0)).mul(s).add(b).intoArray(out, outOff + base + x);
            }
            for (; x < plane; x++) {
                out[outOff + base + x] = s * (float) (acc[base + x] - zr) + b;
            }
        }
    }

    private static float[] scales(int n, float aScale, float[] wScale) {
        float[] s = new float[n];
        for (int j = 0; j < n; j++) {
            s[j] = aScale * wScale[j];
        }
        return s;
    }

    /** s[j] * (acc - zp * rowSums[j]) + b[j] for VL columns from j. */
    private static FloatVector value(int[] acc, int off, int zp, int[] rowSums, float[] s, float[] b, int j) {
        IntVector t = IntVector.fromArray(QuantizeKernels.I, acc, off)
                .sub(IntVector.fromArray(QuantizeKernels.I, rowSums, j).mul(zp));
        return ((FloatVector) t.convert(VectorOperators.I2F, 0))
                .mul(FloatVector.fromArray(QuantizeKernels.F, s, j))
                .add(FloatVector.fromArray(QuantizeKernels.F, b, j));
    }

    /** clamp(rint(v / outScale) + zp, lo, hi) into 8 bytes at out[off] (clamped as ints: see ROUND_MAGIC). */
    private static void store(FloatVector v, float outScale, int zp, int lo, int hi, byte[] out, int off) {
        FloatVector r = v.div(outScale).add(QuantizeKernels.ROUND_MAGIC).sub(QuantizeKernels.ROUND_MAGIC);
        ((IntVector) r.convert(VectorOperators.F2I, 0))
                .max(lo - zp)
                .min(hi - zp)
                .add(zp)
                .convertShape(VectorOperators.I2B, QuantizeKernels.B, 0)
                .reinterpretAsBytes()
                .intoArray(out, off);
    }

    private static byte quantizeOne(float v, float outScale, int zp, int lo, int hi) {
        return (byte) (Math.min(Math.max((int) QuantizeKernels.rint(v / outScale), lo - zp), hi - zp) + zp);
    }

    private static void checkOut(float outScale, int outZeroPoint) {
        if (!(outScale > 0) || Float.isInfinite(outScale) || outZeroPoint < 0 || outZeroPoint > 255) {
            throw new IllegalArgumentException("requantize: expected a positive finite output scale and a zero point in"
                    + " 0..255, got scale " + outScale + ", zero point " + outZeroPoint);
        }
    }

    private static void check(
            String op, int m, int n, int accLen, int[] rowSums, float[] wScale, float[] bias, int outLen, int outOff) {
        if (m < 0 || n < 0) {
            throw new IllegalArgumentException(op + ": negative size " + m + " x " + n);
        }
        long size = (long) m * n;
        if (size > accLen || outOff < 0 || outOff + size > outLen) {
            throw new IllegalArgumentException(op + ": " + m + " x " + n + " accumulators (int[" + accLen
                    + "]) into an output of " + outLen + " at offset " + outOff + " do not fit");
        }
        if (rowSums != null) {
            checkChannels(op, n, rowSums, wScale, bias);
        }
    }

    private static void checkChannels(String op, int n, int[] rowSums, float[] wScale, float[] bias) {
        if (rowSums.length < n || wScale.length < n || (bias != null && bias.length < n)) {
            throw new IllegalArgumentException(op + ": " + n + " output channels, got rowSums[" + rowSums.length
                    + "], wScale[" + wScale.length + "]" + (bias != null ? ", bias[" + bias.length + "]" : ""));
        }
    }
}
