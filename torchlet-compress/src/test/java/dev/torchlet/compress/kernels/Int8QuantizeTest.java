package dev.torchlet.compress.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** QuantizeKernels and Requantize against scalar formulas written out here (double rint, no magic numbers). */
class Int8QuantizeTest {
    /** PyTorch's quantize_val: zero_point + nearbyint(x * (1.0f / scale)), clamped. */
    private static int quantizeOne(float x, float scale, int zp, int qmin, int qmax) {
        float inv = 1.0f / scale;
        double r = Math.rint(x * inv);
        return (int) Math.max(qmin, Math.min(qmax, r + zp));
    }

    @Test
    void quantizeRoundsHalfToEvenAfterMultiplyingByTheReciprocal() {
        float[] x = {
            0.5f,
            1.5f,
            2.5f,
            -0.5f,
            -1.5f,
            -2.5f,
            3.5f,
            0.49999997f,
            126.5f,
            127.5f,
            -128.5f,
            1e30f,
            -1e30f,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            0f,
            -0f
        };
        byte[] q = new byte[x.length];
        QuantizeKernels.quantize(x, 0, x.length, 1f, 0, -128, 127, q, 0);
        int[] want = {0, 2, 2, 0, -2, -2, 4, 0, 126, 127, -128, 127, -128, 127, -128, 0, 0};
        for (int i = 0; i < x.length; i++) {
            assertEquals(want[i], q[i], "x=" + x[i]);
        }
        // fbgemm's own example: x * (1/scale) is exactly 127.5 (rounds to 128), x / scale is 127.49999 (127)
        float scale = 0.00214854861f;
        float v = 0.273939937f;
        assertEquals(127.5f, v * (1.0f / scale));
        byte[] one = new byte[1];
        QuantizeKernels.quantize(new float[] {v}, 0, 1, scale, 0, 0, 255, one, 0);
        assertEquals(128, one[0] & 0xFF);
        // zero point added after rounding: 0.5 + 3 -> rint(0.5) + 3 = 3 (rint(3.5) would be 4)
        QuantizeKernels.quantize(new float[] {0.5f}, 0, 1, 1f, 3, 0, 255, one, 0);
        assertEquals(3, one[0]);
    }

    @Test
    void quantizeAndDequantizeMatchScalarFormulaOnLongRuns() {
        Random r = new Random(3);
        for (int len : new int[] {0, 1, 7, 8, 9, 31, 64, 100}) {
            float[] x = new float[len + 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextGaussian() * 3);
                if (i % 5 == 0) {
                    x[i] = (r.nextInt(600) - 300) * 0.5f * 0.05f; // exact halves of the step
                }
            }
            float scale = 0.05f;
            for (int[] p : new int[][] {{0, 0, 255}, {128, 0, 255}, {0, -128, 127}, {-3, -127, 127}, {200, 0, 127}}) {
                byte[] q = new byte[len + 2];
                QuantizeKernels.quantize(x, 3, len, scale, p[0], p[1], p[2], q, 2);
                for (int i = 0; i < len; i++) {
                    assertEquals((byte) quantizeOne(x[3 + i], scale, p[0], p[1], p[2]), q[2 + i], "i=" + i);
                }
                float[] back = new float[len + 1];
                if (p[1] >= 0) {
                    QuantizeKernels.dequantizeUint8(q, 2, len, scale, p[0], back, 1);
                    for (int i = 0; i < len; i++) {
                        assertEquals(((q[2 + i] & 0xFF) - p[0]) * scale, back[1 + i]);
                    }
                } else {
                    QuantizeKernels.dequantizeInt8(q, 2, len, scale, p[0], back, 1);
                    for (int i = 0; i < len; i++) {
                        assertEquals((q[2 + i] - p[0]) * scale, back[1 + i]);
                    }
                }
            }
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> QuantizeKernels.quantize(new float[4], 1, 4, 1f, 0, 0, 255, new byte[4], 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> QuantizeKernels.quantize(new float[4], 0, 4, 0f, 0, 0, 255, new byte[4], 0));
    }

    private static float value(int acc, int zp, float aScale, int rowSum, float wScale, float bias) {
        float s = aScale * wScale;
        return s * (float) (acc - zp * rowSum) + bias;
    }

    private static byte requant(float v, float outScale, int outZp, boolean relu) {
        double q = Math.rint(v / outScale) + outZp;
        return (byte) (int) Math.max(relu ? outZp : 0, Math.min(255, q));
    }

    @Test
    void requantizeMatchesScalarFormula() {
        Random r = new Random(5);
        for (int[] mn : new int[][] {{1, 1}, {3, 7}, {5, 8}, {4, 17}, {7, 64}, {2, 129}}) {
            int m = mn[0];
            int n = mn[1];
            int[] acc = new int[m * n];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = r.nextInt(200_000) - 100_000;
            }
            int[] rowSums = new int[n];
            float[] wScale = new float[n];
            float[] bias = new float[n];
            for (int j = 0; j < n; j++) {
                rowSums[j] = r.nextInt(2000) - 1000;
                wScale[j] = 0.001f + r.nextFloat() * 0.01f;
                bias[j] = (float) r.nextGaussian();
            }
            float aScale = 0.02f;
            int aZp = 37;
            float outScale = 0.07f;
            int outZp = 60;
            for (boolean relu : new boolean[] {false, true}) {
                for (float[] b : new float[][] {bias, null}) {
                    byte[] out = new byte[m * n + 3];
                    Requantize.toUint8(
                            m, n, acc, aZp, aScale, rowSums, wScale, b, outScale, outZp, relu, 255, out, 3 - 3);
                    float[] f = new float[m * n + 2];
                    Requantize.toFloat(m, n, acc, aZp, aScale, rowSums, wScale, b, f, 2);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            float v = value(acc[i * n + j], aZp, aScale, rowSums[j], wScale[j], b == null ? 0f : b[j]);
                            assertEquals(v, f[2 + i * n + j]);
                            assertEquals(requant(v, outScale, outZp, relu), out[i * n + j], "i=" + i + " j=" + j);
                        }
                    }
                    // planar: the same numbers seen as (batch = m, channels = 1.. ) with the channel per plane
                    int plane = n;
                    int channels = 3;
                    int batch = 2;
                    int[] pacc = new int[batch * channels * plane];
                    for (int i = 0; i < pacc.length; i++) {
                        pacc[i] = acc[i % acc.length] + i;
                    }
                    byte[] pout = new byte[pacc.length];
                    float[] pf = new float[pacc.length];
                    float[] cb = b == null ? null : new float[] {0.5f, -1f, 2f};
                    int[] crs = {rowSums[0], -rowSums[0], 17};
                    float[] cws = {0.003f, 0.004f, 0.009f};
                    Requantize.toUint8Planar(
                            batch, channels, plane, pacc, aZp, aScale, crs, cws, cb, outScale, outZp, relu, 255, pout,
                            0);
                    Requantize.toFloatPlanar(batch, channels, plane, pacc, aZp, aScale, crs, cws, cb, pf, 0);
                    for (int i = 0; i < pacc.length; i++) {
                        int c = (i / plane) % channels;
                        float v = value(pacc[i], aZp, aScale, crs[c], cws[c], cb == null ? 0f : cb[c]);
                        assertEquals(v, pf[i]);
                        assertEquals(requant(v, outScale, outZp, relu), pout[i]);
                    }
                }
            }
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> Requantize.toUint8(
                        2, 2, new int[4], 0, 1f, new int[1], new float[2], null, 1f, 0, false, 255, new byte[4], 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> Requantize.toFloat(2, 2, new int[3], 0, 1f, new int[2], new float[2], null, new float[4], 0));
    }

    @Test
    void requantizeRoundsHalfToEven() {
        // v / outScale exactly k + 0.5: acc chosen so that v = 2.5, 3.5, -0.5 with scale 1, zero point 10
        int[] acc = {5, 7, -1, 3};
        byte[] out = new byte[4];
        Requantize.toUint8(1, 4, acc, 0, 0.5f, new int[4], new float[] {1, 1, 1, 1}, null, 1f, 10, false, 255, out, 0);
        assertArrayEquals(new byte[] {12, 14, 10, 12}, out);
        Requantize.toUint8(1, 4, acc, 0, 0.5f, new int[4], new float[] {1, 1, 1, 1}, null, 1f, 10, false, 12, out, 0);
        assertArrayEquals(new byte[] {12, 12, 10, 12}, out, "clamped at qmax 12");
    }
}
