package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fast elementwise kernels ({@link Elementwise}) against their plain-loop twins on awkward sizes
 * (1, 7, 17, 33, 257, a size above the parallel grain) at non-zero offsets, with NaN, -0 and
 * infinities mixed in. These are exact ops (select, max, one add), so results must match bit for
 * bit (compared via Float.floatToIntBits, NaN canonicalized).
 */
class ElementwiseConformanceTest {
    private static final int[] SIZES = {1, 7, 17, 33, 257, Elementwise.GRAIN * 2 + 13};

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
            ElementwiseReference.relu(x, 3, want, 2, n);
            Elementwise.relu(x, 3, got, 2, n);
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
            ElementwiseReference.reluBackward(g, 1, y, 5, want, 4, n);
            Elementwise.reluBackward(g, 1, y, 5, got, 4, n);
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
            ElementwiseReference.addInPlace(want, 2, x, 7, n);
            Elementwise.addInPlace(got, 2, x, 7, n);
            assertSame(want, got, "addInPlace n=" + n);
        }
    }

    @Test
    void columnSumMatchesReference() {
        Random r = new Random(4);
        int[][] shapes = {{1, 1}, {7, 17}, {17, 33}, {64, 257}, {3, 128}, {257, 7}};
        for (int[] s : shapes) {
            float[] x = data(r, s[0] * s[1] + 3);
            float[] want = new float[s[1] + 1];
            float[] got = new float[s[1] + 1];
            ElementwiseReference.columnSum(x, 3, s[0], s[1], want, 1);
            Elementwise.columnSum(x, 3, s[0], s[1], got, 1);
            assertSame(want, got, "columnSum " + s[0] + "x" + s[1]);
        }
    }
}
