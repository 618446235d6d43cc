package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused attention kernels (float32) against the float64 plain-loop reference on awkward sizes
 * (head dims 1, 3, 17; Tq != Tk; key lengths 1, 5, 33 for vector tails), with strided operands
 * (a packed (B*T, 3E) block, ld 3E, non-zero offsets), an additive mask with -inf entries and
 * dropout. Tolerance atol 1e-5, rtol 1e-4 (values of order 1; float GEMM and exp rounding).
 */
class AttentionConformanceTest {
    private static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
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

    private static void assertClose(String what, double[] expected, float[] actual) {
        for (int i = 0; i < actual.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= 1e-5 + 1e-4 * Math.abs(expected[i]))) {
                fail(what + "[" + i + "]: fast " + actual[i] + " vs reference " + expected[i]);
            }
        }
    }

    @Test
    void fastMatchesReference() {
        Random rnd = new Random(5);
        // the last three take the panel path without dropout (with AVX-512): MiniLM's head shape, more keys than one
        // packed slice of V (256), and head and key counts that leave edge tiles
        int[][] sizes = {
            {1, 1, 1, 1, 1},
            {2, 2, 5, 3, 3},
            {3, 3, 4, 33, 17},
            {1, 2, 17, 5, 4},
            {2, 2, 128, 128, 32},
            {1, 2, 19, 300, 64},
            {1, 1, 50, 70, 40}
        };
        for (int[] s : sizes) {
            for (boolean masked : new boolean[] {false, true}) {
                for (boolean drop : new boolean[] {false, true}) {
                    check(rnd, s[0], s[1], s[2], s[3], s[4], masked, drop);
                }
            }
        }
    }

    private static void check(Random rnd, int b, int heads, int tq, int tk, int hd, boolean masked, boolean drop) {
        String what = "B=" + b + " heads=" + heads + " Tq=" + tq + " Tk=" + tk + " hd=" + hd + " mask=" + masked
                + " dropout=" + drop;
        int e = heads * hd;
        int off = 2;
        // q from a (B*Tq, 3E) packed block (columns [0, E)), k and v from (B*Tk, 2E) at columns 0 and E
        float[] qa = rand(rnd, off + b * tq * 3 * e);
        float[] kv = rand(rnd, off + b * tk * 2 * e);
        float[] mask = null;
        if (masked) {
            mask = rand(rnd, b * tq * tk);
            for (int i = 0; i < tq && tk > 1; i++) {
                mask[i * tk + (i % tk)] = Float.NEGATIVE_INFINITY; // one masked key per row, never all
            }
        }
        // dropout draws: a SplitMix64 stream the kernel computes itself, materialized for the reference
        RandomKernels.Draws drops = drop ? new RandomKernels.Draws(rnd.nextLong(), rnd.nextLong() | 1) : null;
        double[] rnd01 = null;
        if (drop) {
            rnd01 = new double[b * heads * tq * tk];
            for (int i = 0; i < rnd01.length; i++) {
                rnd01[i] = RandomReference.uniformFloat(drops.seed(), drops.gamma(), i);
            }
        }
        float p = drop ? 0.3f : 0f;
        int n = b * heads * tq * tk;
        float[] probs = new float[n];
        float[] out = new float[b * tq * e];
        var q = new AttentionKernels.Operand(qa, off, 3 * e);
        var k = new AttentionKernels.Operand(kv, off, 2 * e);
        var v = new AttentionKernels.Operand(kv, off + e, 2 * e);
        float scale = (float) (1 / Math.sqrt(hd));
        AttentionKernels.forward(
                b,
                heads,
                tq,
                tk,
                hd,
                scale,
                q,
                k,
                v,
                mask,
                0,
                tq * tk,
                tk,
                drops,
                p,
                probs,
                new AttentionKernels.Operand(out, 0, e));
        if (!drop) { // without the probabilities array (inference): per-thread blocks, the same output bits
            float[] outNoProbs = new float[b * tq * e];
            AttentionKernels.forward(
                    b,
                    heads,
                    tq,
                    tk,
                    hd,
                    scale,
                    q,
                    k,
                    v,
                    mask,
                    0,
                    tq * tk,
                    tk,
                    null,
                    0f,
                    null,
                    new AttentionKernels.Operand(outNoProbs, 0, e));
            assertArrayEquals(out, outNoProbs, what + " without the probabilities array");
            if (mask != null) { // one mask row per batch read for every query (row stride 0) = that row repeated
                float[] rows = new float[b * tk];
                float[] repeated = new float[b * tq * tk];
                for (int bi = 0; bi < b; bi++) {
                    System.arraycopy(mask, bi * tq * tk, rows, bi * tk, tk);
                    for (int i = 0; i < tq; i++) {
                        System.arraycopy(mask, bi * tq * tk, repeated, (bi * tq + i) * tk, tk);
                    }
                }
                float[] want = new float[b * tq * e];
                float[] got = new float[b * tq * e];
                AttentionKernels.forward(
                        b,
                        heads,
                        tq,
                        tk,
                        hd,
                        scale,
                        q,
                        k,
                        v,
                        repeated,
                        0,
                        tq * tk,
                        tk,
                        null,
                        0f,
                        null,
                        new AttentionKernels.Operand(want, 0, e));
                AttentionKernels.forward(
                        b,
                        heads,
                        tq,
                        tk,
                        hd,
                        scale,
                        q,
                        k,
                        v,
                        rows,
                        0,
                        tk,
                        0,
                        null,
                        0f,
                        null,
                        new AttentionKernels.Operand(got, 0, e));
                assertArrayEquals(want, got, what + " with a mask row per batch");
            }
        }
        double[] rprobs = new double[n];
        double[] rdropped = drop ? new double[n] : rprobs;
        double[] rout = new double[b * tq * e];
        var rq = new AttentionReference.Operand(widen(qa), off, 3 * e);
        var rkv = widen(kv);
        var rk = new AttentionReference.Operand(rkv, off, 2 * e);
        var rv = new AttentionReference.Operand(rkv, off + e, 2 * e);
        AttentionReference.forward(
                b,
                heads,
                tq,
                tk,
                hd,
                scale,
                rq,
                rk,
                rv,
                mask == null ? null : widen(mask),
                0,
                tq * tk,
                rnd01,
                p,
                rprobs,
                rdropped,
                new AttentionReference.Operand(rout, 0, e));
        assertClose(what + " probs", rprobs, probs);
        assertClose(what + " out", rout, out);
        float[] g = rand(rnd, b * tq * e);
        float[] dq = new float[b * tq * e];
        float[] dkv = new float[b * tk * 2 * e];
        AttentionKernels.backward(
                b,
                heads,
                tq,
                tk,
                hd,
                scale,
                q,
                k,
                v,
                probs,
                drops,
                p,
                new AttentionKernels.Operand(g, 0, e),
                new AttentionKernels.Operand(dq, 0, e),
                new AttentionKernels.Operand(dkv, 0, 2 * e),
                new AttentionKernels.Operand(dkv, e, 2 * e));
        double[] rdq = new double[b * tq * e];
        double[] rdkv = new double[b * tk * 2 * e];
        AttentionReference.backward(
                b,
                heads,
                tq,
                tk,
                hd,
                scale,
                rq,
                rk,
                rv,
                rprobs,
                rdropped,
                new AttentionReference.Operand(widen(g), 0, e),
                new AttentionReference.Operand(rdq, 0, e),
                new AttentionReference.Operand(rdkv, 0, 2 * e),
                new AttentionReference.Operand(rdkv, e, 2 * e));
        assertClose(what + " dq", rdq, dq);
        assertClose(what + " dk|dv", rdkv, dkv);
    }
}
