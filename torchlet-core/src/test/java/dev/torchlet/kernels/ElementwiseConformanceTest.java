package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fast elementwise kernels ({@link UnaryKernels}, {@link BinaryKernels}, the column and lane sums of
 * {@link ReduceKernels}, {@link AdamKernels}) against their plain-loop twins on awkward sizes
 * (1, 7, 17, 33, 257, a size above the parallel grain) at non-zero offsets, with NaN, -0 and
 * infinities mixed in. These are exact ops (select, max, one add), so results must match bit for
 * bit (compared via Float.floatToIntBits, NaN canonicalized).
 */
class ElementwiseConformanceTest {
    private static final int[] SIZES = {1, 7, 17, 33, 257, UnaryKernels.GRAIN * 2 + 13};

    private static float[] data(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = switch (r.nextInt(12)) {
                case 0 -> Float.NaN;
                case 1 -> -0f;
                case 2 -> 0f;
                case 3 -> Float.POSITIVE_INFINITY;
                case 4 -> Float.NEGATIVE_INFINITY;
                default -> r.nextFloat() * 2 - 1;
            };
        }
        return a;
    }

    private static void assertSame(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            int a = Float.isNaN(want[i]) ? 0x7fc00000 : Float.floatToIntBits(want[i]);
            int b = Float.isNaN(got[i]) ? 0x7fc00000 : Float.floatToIntBits(got[i]);
            if (a != b) {
                throw new AssertionError(what + ": element " + i + ": want " + want[i] + ", got " + got[i]);
            }
        }
    }

    @Test
    void reluMatchesReference() {
        Random r = new Random(1);
        for (int n : SIZES) {
            float[] x = data(r, n + 3);
            float[] want = new float[n + 2];
            float[] got = new float[n + 2];
            UnaryReference.relu(x, 3, want, 2, n);
            UnaryKernels.relu(x, 3, got, 2, n);
            assertSame(want, got, "relu n=" + n);
        }
    }

    @Test
    void reluBackwardMatchesReference() {
        Random r = new Random(2);
        for (int n : SIZES) {
            float[] g = data(r, n + 1);
            float[] y = data(r, n + 5);
            float[] want = new float[n + 4];
            float[] got = new float[n + 4];
            UnaryReference.reluBackward(g, 1, y, 5, want, 4, n);
            UnaryKernels.reluBackward(g, 1, y, 5, got, 4, n);
            assertSame(want, got, "reluBackward n=" + n);
        }
    }

    @Test
    void addInPlaceMatchesReference() {
        Random r = new Random(3);
        for (int n : SIZES) {
            float[] x = data(r, n + 7);
            float[] want = data(r, n + 2);
            float[] got = want.clone();
            BinaryReference.addInPlace(want, 2, x, 7, n);
            BinaryKernels.addInPlace(got, 2, x, 7, n);
            assertSame(want, got, "addInPlace n=" + n);
        }
    }

    /** The plain sequential float sum of each column, rows in order (what a bias gradient must equal). */
    private static void sequentialColumnSum(float[] x, int xOff, int rows, int cols, float[] out, int oOff) {
        for (int j = 0; j < cols; j++) {
            float acc = 0f;
            for (int r = 0; r < rows; r++) {
                acc += x[xOff + r * cols + j];
            }
            out[oOff + j] = acc;
        }
    }

    @Test
    void columnSumMatchesSequentialFloatSum() {
        Random r = new Random(4);
        int[][] shapes = {{1, 1}, {7, 17}, {17, 33}, {64, 257}, {3, 128}, {257, 7}};
        for (int[] s : shapes) {
            float[] x = data(r, s[0] * s[1] + 3);
            float[] want = new float[s[1] + 1];
            float[] got = new float[s[1] + 1];
            sequentialColumnSum(x, 3, s[0], s[1], want, 1);
            ReduceKernels.columnSum(x, 3, s[0], s[1], got, 1);
            assertSame(want, got, "columnSum " + s[0] + "x" + s[1]);
        }
    }

    @Test
    void sumMatchesSequentialSum() {
        Random r = new Random(5);
        for (int n : SIZES) {
            float[] x = new float[n + 3];
            double want = 0;
            double mag = 0;
            for (int i = 0; i < n; i++) {
                x[3 + i] = r.nextFloat() * 2 - 1;
                want += x[3 + i];
                mag += Math.abs(x[3 + i]);
            }
            float got = ReduceKernels.laneSum(x, 3, n);
            // float accumulation in another order: within n ulps of the magnitude
            assertEquals(want, got, 1e-7 * n * (1 + mag), "sum n=" + n);
        }
    }

    @Test
    void adamUpdateMatchesReference() {
        Random r = new Random(6);
        for (int n : SIZES) {
            for (int mode = 0; mode < 3; mode++) { // no decay, L2, decoupled
                float wd = mode == 0 ? 0f : 0.01f;
                boolean decoupled = mode == 2;
                float[] p = data(r, n);
                float[] grad = data(r, n + 2);
                float[] m = new float[n];
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    m[i] = r.nextFloat() - 0.5f;
                    v[i] = r.nextFloat();
                }
                float[] p2 = p.clone();
                float[] m2 = m.clone();
                float[] v2 = v.clone();
                for (int step = 0; step < 2; step++) {
                    AdamReference.update(
                            p,
                            grad,
                            2,
                            m,
                            v,
                            0,
                            n,
                            0.9f,
                            0.999f,
                            1e-8f,
                            wd,
                            decoupled,
                            1 - 1e-3f * wd,
                            1e-3f / 0.1f,
                            0.0316f);
                    AdamKernels.update(
                            p2,
                            grad,
                            2,
                            m2,
                            v2,
                            n,
                            0.9f,
                            0.999f,
                            1e-8f,
                            wd,
                            decoupled,
                            1 - 1e-3f * wd,
                            1e-3f / 0.1f,
                            0.0316f);
                }
                assertSame(p, p2, "adam p n=" + n + " mode " + mode);
                assertSame(m, m2, "adam m n=" + n + " mode " + mode);
                assertSame(v, v2, "adam v n=" + n + " mode " + mode);
            }
        }
    }
}
