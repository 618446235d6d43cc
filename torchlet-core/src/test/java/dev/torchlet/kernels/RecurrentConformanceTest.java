package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused recurrent kernels (float32, Vector API) against the plain-loop float64 reference on
 * awkward sizes (hidden 1, 7, 17, 33: vector tails and 1-wide rows; batch and steps 1..5), with
 * non-zero array offsets, for every cell kind. Tolerance atol 1e-5, rtol 1e-4 on values of order 1
 * (the vector exp/tanh are within a few ulp; the recurrence adds float rounding per step).
 */
class RecurrentConformanceTest {
    // the last three are large enough for the packed (blocked) GEMM path
    private static final int[][] SIZES = {
        {1, 1, 1}, {3, 4, 7}, {2, 5, 17}, {4, 3, 33}, {1, 2, 16}, {5, 3, 64}, {19, 2, 150}, {40, 2, 128}
    };

    private static float[] rand(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    private static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static void assertClose(String what, double[] expected, float[] actual, int n) {
        for (int i = 0; i < n; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= 1e-5 + 1e-4 * Math.abs(expected[i]))) {
                fail(what + "[" + i + "]: fast " + actual[i] + " vs reference " + expected[i]);
            }
        }
    }

    @Test
    void fastMatchesReference() {
        Random rnd = new Random(11);
        for (int mode = 0; mode < 4; mode++) {
            for (int[] sz : SIZES) {
                check(rnd, mode, sz[0], sz[1], sz[2]);
            }
        }
    }

    private static void check(Random rnd, int mode, int b, int t, int h) {
        String what = "mode " + mode + " B=" + b + " T=" + t + " H=" + h;
        int gh = RecurrentKernels.gates(mode) * h;
        int off = 3; // non-zero offsets into the input arrays
        float[] xp = rand(rnd, off + b * t * gh, 1);
        float[] h0 = rand(rnd, off + b * h, 0.5);
        float[] c0 = rand(rnd, off + b * h, 0.5);
        float[] whh = rand(rnd, off + gh * h, 1 / Math.sqrt(h));
        float[] bx = rand(rnd, gh, 0.3);
        float[] bh = rand(rnd, gh, 0.3);
        float[] dy = rand(rnd, off + b * t * h, 1);
        float[] dcn = rand(rnd, off + b * h, 1);
        int n = b * t * h;
        float[] hs = new float[n];
        float[] gates = new float[b * t * gh];
        float[] aux = new float[n];
        RecurrentKernels.forward(mode, b, t, h, xp, off, h0, off, c0, off, whh, off, bx, bh, hs, gates, aux);
        double[] rhs = new double[n];
        double[] rgates = new double[b * t * gh];
        double[] raux = new double[n];
        RecurrentReference.forward(
                mode,
                b,
                t,
                h,
                widen(xp),
                off,
                widen(h0),
                off,
                widen(c0),
                off,
                widen(whh),
                off,
                widen(bx),
                widen(bh),
                rhs,
                rgates,
                raux);
        assertClose(what + " h", rhs, hs, n);
        if (mode == RecurrentKernels.LSTM || mode == RecurrentKernels.GRU) {
            assertClose(what + " gates", rgates, gates, gates.length);
            assertClose(what + " aux", raux, aux, n);
        }
        float[] dxp = new float[b * t * gh];
        float[] dh0 = new float[b * h];
        float[] dc0 = new float[b * h];
        float[] dw = new float[gh * h];
        float[] dbx = new float[gh];
        float[] dbh = new float[gh];
        RecurrentKernels.backward(
                mode, b, t, h, dy, off, dcn, off, whh, off, h0, off, c0, off, hs, gates, aux, dxp, dh0, dc0, dw, dbx,
                dbh);
        double[] rdxp = new double[b * t * gh];
        double[] rdh0 = new double[b * h];
        double[] rdc0 = new double[b * h];
        double[] rdw = new double[gh * h];
        double[] rdbx = new double[gh];
        double[] rdbh = new double[gh];
        RecurrentReference.backward(
                mode,
                b,
                t,
                h,
                widen(dy),
                off,
                widen(dcn),
                off,
                widen(whh),
                off,
                widen(h0),
                off,
                widen(c0),
                off,
                rhs,
                rgates,
                raux,
                rdxp,
                rdh0,
                rdc0,
                rdw,
                rdbx,
                rdbh);
        assertClose(what + " dxp", rdxp, dxp, dxp.length);
        assertClose(what + " dh0", rdh0, dh0, dh0.length);
        if (mode == RecurrentKernels.LSTM) {
            assertClose(what + " dc0", rdc0, dc0, dc0.length);
        }
        assertClose(what + " dW_hh", rdw, dw, dw.length);
        assertClose(what + " db_ih", rdbx, dbx, gh);
        assertClose(what + " db_hh", rdbh, dbh, gh);
    }
}
