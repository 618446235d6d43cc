package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The blocked online-softmax attention kernels (float32) against their float64 plain-loop reference
 * and against the saved-probabilities reference ({@link AttentionReference}, an independent
 * formulation) on awkward sizes: several query and key blocks with ragged last blocks (Tq, Tk 1, 65,
 * 130), head dims 1, 3 and 17, strided operands (a packed (B*T, 3E) block, non-zero offsets), an
 * additive mask with -inf entries including whole -inf key blocks for some rows (the online max
 * starts at -inf). Tolerance atol 2e-5, rtol 2e-4 (float GEMM and exp rounding over long rows).
 */
class FlashAttentionConformanceTest {
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
            if (!(Math.abs(expected[i] - actual[i]) <= 2e-5 + 2e-4 * Math.abs(expected[i]))) {
                fail(what + "[" + i + "]: fast " + actual[i] + " vs reference " + expected[i]);
            }
        }
    }

    private static void assertClose(String what, double[] expected, double[] actual) {
        for (int i = 0; i < actual.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= 1e-10 + 1e-9 * Math.abs(expected[i]))) {
                fail(what + "[" + i + "]: " + actual[i] + " vs " + expected[i]);
            }
        }
    }

    @Test
    void fastMatchesReference() {
        Random rnd = new Random(7);
        int[][] sizes = {{1, 1, 1, 1, 1}, {2, 2, 65, 130, 3}, {1, 3, 130, 65, 17}, {2, 1, 5, 70, 4}};
        for (int[] s : sizes) {
            for (boolean masked : new boolean[] {false, true}) {
                for (boolean causal : new boolean[] {false, true}) {
                    check(rnd, s[0], s[1], s[2], s[3], s[4], masked, causal);
                }
            }
        }
    }

    private static void check(Random rnd, int b, int heads, int tq, int tk, int hd, boolean masked, boolean causal) {
        String what = "B=" + b + " heads=" + heads + " Tq=" + tq + " Tk=" + tk + " hd=" + hd + " mask=" + masked
                + " causal=" + causal;
        int e = heads * hd;
        int off = 2;
        float[] qa = rand(rnd, off + b * tq * 3 * e);
        float[] kv = rand(rnd, off + b * tk * 2 * e);
        float[] mask = null;
        if (masked) {
            mask = rand(rnd, b * tq * tk);
            for (int i = 0; i < tq && tk > 1; i++) {
                // odd rows: the whole first key block is -inf (the row's max is -inf for a while);
                // with causal only key 0 is hidden (row i keeps keys 1..i, row 0 keeps key 0)
                int hide =
                        causal ? (i > 0 ? 1 : 0) : i % 2 == 1 ? Math.min(tk - 1, FlashAttentionKernels.BLOCK_K + 3) : 1;
                for (int bi = 0; bi < b; bi++) {
                    for (int j = 0; j < hide; j++) {
                        mask[bi * tq * tk + i * tk + j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
        }
        float[] out = new float[b * tq * e];
        float[] lse = new float[b * heads * tq];
        var q = new AttentionKernels.Operand(qa, off, 3 * e);
        var k = new AttentionKernels.Operand(kv, off, 2 * e);
        var v = new AttentionKernels.Operand(kv, off + e, 2 * e);
        float scale = (float) (1 / Math.sqrt(hd));
        FlashAttentionKernels.forward(
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
                causal,
                lse,
                new AttentionKernels.Operand(out, 0, e));
        double[] rout = new double[b * tq * e];
        double[] rlse = new double[b * heads * tq];
        var rq = new AttentionReference.Operand(widen(qa), off, 3 * e);
        var rkv = widen(kv);
        var rk = new AttentionReference.Operand(rkv, off, 2 * e);
        var rv = new AttentionReference.Operand(rkv, off + e, 2 * e);
        double[] rmask = mask == null ? null : widen(mask);
        FlashAttentionReference.forward(
                b,
                heads,
                tq,
                tk,
                hd,
                scale,
                rq,
                rk,
                rv,
                rmask,
                0,
                tq * tk,
                causal,
                rlse,
                new AttentionReference.Operand(rout, 0, e));
        assertClose(what + " out", rout, out);
        assertClose(what + " lse", rlse, lse);
        // the probabilities-based reference computes the same output
        double[] pmask = rmask == null && causal ? new double[b * tq * tk] : rmask == null ? null : rmask.clone();
        for (int bi = 0; causal && bi < b; bi++) {
            for (int i = 0; i < tq; i++) {
                for (int j = i + 1; j < tk; j++) {
                    pmask[bi * tq * tk + i * tk + j] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        int n = b * heads * tq * tk;
        double[] probs = new double[n];
        double[] pout = new double[b * tq * e];
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
                pmask,
                0,
                tq * tk,
                null,
                0,
                probs,
                probs,
                new AttentionReference.Operand(pout, 0, e));
        assertClose(what + " out vs probabilities reference", pout, rout);

        float[] g = rand(rnd, b * tq * e);
        float[] dq = new float[b * tq * e];
        float[] dkv = new float[b * tk * 2 * e];
        java.util.Arrays.fill(dkv, Float.NaN); // every head slice must be overwritten
        FlashAttentionKernels.backward(
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
                causal,
                lse,
                new AttentionKernels.Operand(out, 0, e),
                new AttentionKernels.Operand(g, 0, e),
                new AttentionKernels.Operand(dq, 0, e),
                new AttentionKernels.Operand(dkv, 0, 2 * e),
                new AttentionKernels.Operand(dkv, e, 2 * e));
        double[] rdq = new double[b * tq * e];
        double[] rdkv = new double[b * tk * 2 * e];
        var rg = new AttentionReference.Operand(widen(g), 0, e);
        FlashAttentionReference.backward(
                b,
                heads,
                tq,
                tk,
                hd,
                scale,
                rq,
                rk,
                rv,
                rmask,
                0,
                tq * tk,
                causal,
                rlse,
                new AttentionReference.Operand(rout, 0, e),
                rg,
                new AttentionReference.Operand(rdq, 0, e),
                new AttentionReference.Operand(rdkv, 0, 2 * e),
                new AttentionReference.Operand(rdkv, e, 2 * e));
        assertClose(what + " dq", rdq, dq);
        assertClose(what + " dk|dv", rdkv, dkv);
        double[] pdq = new double[b * tq * e];
        double[] pdkv = new double[b * tk * 2 * e];
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
                probs,
                probs,
                rg,
                new AttentionReference.Operand(pdq, 0, e),
                new AttentionReference.Operand(pdkv, 0, 2 * e),
                new AttentionReference.Operand(pdkv, e, 2 * e));
        assertClose(what + " dq vs probabilities reference", pdq, rdq);
        assertClose(what + " dk|dv vs probabilities reference", pdkv, rdkv);
    }
}
