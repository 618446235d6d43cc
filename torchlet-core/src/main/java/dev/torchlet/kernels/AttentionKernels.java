package dev.torchlet.kernels;

import static dev.torchlet.kernels.Simd.load;
import static dev.torchlet.kernels.Simd.store;
import static dev.torchlet.kernels.Simd.tail;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-head scaled dot-product attention on float arrays, one (batch, head) pair per task:
 * <pre>
 *   P  = softmax(scale Q K^T + mask)        (Tq, Tk) per pair, saved
 *   Pd = P * keep / (1 - p)                 dropout (keep = draw >= p), drawn again in the backward (Pd = P without)
 *   O  = Pd V
 * backward, with dO:
 *   dPd = dO V^T,   dV = Pd^T dO
 *   dS  = Pd * dPd - P * rowsum(Pd * dPd)   (= P * (dP - rowsum(P dP)) with dP = dPd keep / (1 - p))
 *   dQ  = scale dS K,   dK = scale dS^T Q
 * </pre>
 * Q, K, V are read in place from row-major (rows, cols) arrays: row r of batch b is at
 * {@code off + (b*T + r)*ld}, head h's columns start at {@code h*hd}; so the heads of a packed
 * (B*T, 3E) projection are addressed without a split/transpose copy. O, dQ, dK, dV are written the
 * same way (merged heads, ready for out_proj). The mask is additive (Bm, Tq, Tk), Bm = 1 or B.
 * {@link AttentionReference} is the plain-loop oracle.
 */
public final class AttentionKernels {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    /** Up to this many query rows per head, attention takes the general GEMM (as the GEMM does for x @ W^T). */
    static final int PANEL_MIN_QUERIES = 8;

    private AttentionKernels() {}

    /** Where one operand lives: array, offset, row stride (leading dim). */
    public record Operand(float[] a, int off, int ld) {
        int at(int batch, int rows, int head, int hd) {
            return off + batch * rows * ld + head * hd;
        }
    }

    /**
     * @param mask additive (Bm, Tq, Tk) at maskOff with batch stride maskBatchStride (0 = shared) and row stride
     *             maskRowStride (0 = one row for every query), or null
     * @param drops the stream whose draws (B, heads, Tq, Tk), in row-major order, decide dropout with probability
     *              p (kept where draw &gt;= p), or null for no dropout
     * @param probs out: P (B, heads, Tq, Tk); with dropout, Pd = P * mask lives only in a per-thread scratch block
     *              (the backward draws the mask again). Null when nothing reads P again (no dropout then): each
     *              (batch, head) block of it lives in a (Tq, Tk) scratch block of its thread
     */
    public static void forward(
            int b,
            int heads,
            int tq,
            int tk,
            int hd,
            float scale,
            Operand q,
            Operand k,
            Operand v,
            float[] mask,
            int maskOff,
            int maskBatchStride,
            int maskRowStride,
            RandomKernels.Draws drops,
            float p,
            float[] probs,
            Operand out) {
        // a few query rows (a decoder's step) go the general way: packing the keys would cost more than it saves
        if (drops == null
                && tq > PANEL_MIN_QUERIES
                && GemmF32.readsRowsInPlace()
                && hd <= GemmF32.KC
                && tk <= GemmF32.NC) {
            forwardOnPanels(
                    b, heads, tq, tk, hd, scale, q, k, v, mask, maskOff, maskBatchStride, maskRowStride, probs, out);
            return;
        }
        float keepScale = keepScale(p);
        if (probs == null && drops != null) {
            throw new IllegalArgumentException("attention: dropout needs the probabilities array");
        }
        Parallel.forRange(b * heads, 1, (s, e) -> {
            float[] pdBlock = drops == null ? null : new float[tq * tk];
            float[] pa = probs != null ? probs : ScratchBuffers.take(blockFloats(tq, tk)); // P, or a block of it
            for (int task = s; task < e; task++) {
                int bi = task / heads;
                int h = task % heads;
                int pOff = probs != null ? task * tq * tk : 0;
                GemmKernels.sgemm(
                        false,
                        true,
                        tq,
                        tk,
                        hd,
                        scale,
                        q.a,
                        q.at(bi, tq, h, hd),
                        q.ld,
                        k.a,
                        k.at(bi, tk, h, hd),
                        k.ld,
                        0f,
                        pa,
                        pOff,
                        tk);
                maskedSoftmax(pa, pOff, tq, tk, mask, maskOff + bi * maskBatchStride, maskRowStride);
                float[] pd = pa;
                int pdOff = pOff;
                if (drops != null) {
                    dropBlock(drops, p, keepScale, pa, pOff, tq * tk, pdBlock);
                    pd = pdBlock;
                    pdOff = 0;
                }
                GemmKernels.sgemm(
                        false,
                        false,
                        tq,
                        hd,
                        tk,
                        1f,
                        pd,
                        pdOff,
                        tk,
                        v.a,
                        v.at(bi, tk, h, hd),
                        v.ld,
                        0f,
                        out.a,
                        out.at(bi, tq, h, hd),
                        out.ld);
            }
            if (probs == null) {
                ScratchBuffers.give(pa);
            }
        });
    }

    /**
     * Floats of a scratch block for one (batch, head) of P: Tq * Tk rounded up to a power of two, so that a decoder's
     * steps (one more key each) keep reusing the block they grew last.
     */
    private static int blockFloats(int tq, int tk) {
        int n = Math.max(1, tq * tk);
        return n == 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /**
     * {@link #forward} without dropout on the GEMM's 6-row tile, Q and P read in place: per (batch, head), K^T
     * (hd, Tk) times scale and V (Tk, hd) are packed into the tile's panels once (at most 256 keys of V at a time)
     * and the rows of Q, then of P, run straight over them. Through the general GEMM, the scaled Q and P were
     * packed per head as well (a strided copy costing as much as the multiply) and P V took the unpacked path:
     * 3.6 ms for MiniLM's 8 x 12 heads x 128 x 32.
     */
    private static void forwardOnPanels(
            int b,
            int heads,
            int tq,
            int tk,
            int hd,
            float scale,
            Operand q,
            Operand k,
            Operand v,
            float[] mask,
            int maskOff,
            int maskBatchStride,
            int maskRowStride,
            float[] probs,
            Operand out) {
        int nr = GemmF32.NR;
        int kPanels = (tk + nr - 1) / nr;
        int vPanels = (hd + nr - 1) / nr;
        int vDepth = Math.min(tk, GemmF32.KC);
        int panelFloats = Math.max(kPanels * nr * hd, vPanels * nr * vDepth);
        Parallel.forRange(b * heads, 1, (s, e) -> {
            float[] panels = ScratchBuffers.take(panelFloats);
            float[] pa = probs != null ? probs : ScratchBuffers.take(blockFloats(tq, tk)); // P, or a block of it
            try {
                for (int task = s; task < e; task++) {
                    int bi = task / heads;
                    int h = task % heads;
                    int pOff = probs != null ? task * tq * tk : 0;
                    // S = Q (scale K^T): (Tq, hd) x (hd, Tk)
                    GemmPacking.packB(true, k.a, k.at(bi, tk, h, hd), k.ld, 0, 0, hd, tk, nr, panels, 0, kPanels);
                    scaleInPlace(panels, kPanels * nr * hd, scale);
                    GemmF32.rowsTimesPanels(tq, tk, hd, q.a, q.at(bi, tq, h, hd), q.ld, panels, pa, pOff, tk, false);
                    maskedSoftmax(pa, pOff, tq, tk, mask, maskOff + bi * maskBatchStride, maskRowStride);
                    // O = P V: (Tq, Tk) x (Tk, hd), in slices of at most KC keys
                    int vOff = v.at(bi, tk, h, hd);
                    int oOff = out.at(bi, tq, h, hd);
                    for (int pc = 0; pc < tk; pc += GemmF32.KC) {
                        int kc = Math.min(GemmF32.KC, tk - pc);
                        GemmPacking.packB(false, v.a, vOff, v.ld, pc, 0, kc, hd, nr, panels, 0, vPanels);
                        GemmF32.rowsTimesPanels(tq, hd, kc, pa, pOff + pc, tk, panels, out.a, oOff, out.ld, pc > 0);
                    }
                }
            } finally {
                ScratchBuffers.give(panels);
                if (probs == null) {
                    ScratchBuffers.give(pa);
                }
            }
        });
    }

    /**
     * P = softmax(S + mask) in place over the (Tq, Tk) block at pOff; mask row i at maskRow + i * maskRowStride, or
     * no mask.
     */
    private static void maskedSoftmax(
            float[] p, int pOff, int tq, int tk, float[] mask, int maskRow, int maskRowStride) {
        if (mask != null) {
            for (int i = 0; i < tq; i++) {
                addRow(p, pOff + i * tk, mask, maskRow + i * maskRowStride, tk);
            }
        }
        SoftmaxKernels.rowsInPlace(p, pOff, tq, tk);
    }

    private static void scaleInPlace(float[] a, int n, float s) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, i).mul(s).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] *= s;
        }
    }

    /** 1 / (1 - p), or 0 when everything is dropped (p = 1). */
    private static float keepScale(float p) {
        return p >= 1 ? 0f : 1f / (1f - p);
    }

    /**
     * Pd = P * (draw &gt;= p ? 1/(1-p) : 0), exactly as F.dropout computes it, for the block of n probabilities at
     * pOff (draws pOff ..), written to block from 0.
     */
    private static void dropBlock(
            RandomKernels.Draws drops, float p, float keepScale, float[] probs, int pOff, int n, float[] block) {
        RandomKernels.dropoutRange(drops, p, keepScale, probs, 0, block, -pOff, pOff, pOff + n);
    }

    private static void addRow(float[] a, int aOff, float[] m, int mOff, int n) {
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> vm = tail(j, n);
            store(load(a, aOff + j, vm).add(load(m, mOff + j, vm)), a, aOff + j, vm);
        }
    }

    /**
     * @param dOut gradient of O, addressed like the output
     * @param dq out, addressed like q (same for dk, dv); each written once per (batch, head) block
     */
    public static void backward(
            int b,
            int heads,
            int tq,
            int tk,
            int hd,
            float scale,
            Operand q,
            Operand k,
            Operand v,
            float[] probs,
            RandomKernels.Draws drops,
            float p,
            Operand dOut,
            Operand dq,
            Operand dk,
            Operand dv) {
        float keepScale = keepScale(p);
        Parallel.forRange(b * heads, 1, (s, e) -> {
            float[] ds = new float[tq * tk];
            float[] pdBlock = drops == null ? null : new float[tq * tk];
            for (int task = s; task < e; task++) {
                int bi = task / heads;
                int h = task % heads;
                int pOff = task * tq * tk;
                float[] pd = probs;
                int pdOff = pOff;
                if (drops != null) { // the forward's mask, drawn again
                    dropBlock(drops, p, keepScale, probs, pOff, tq * tk, pdBlock);
                    pd = pdBlock;
                    pdOff = 0;
                }
                int go = dOut.at(bi, tq, h, hd);
                // dPd = dO V^T ; dV = Pd^T dO
                GemmKernels.sgemm(
                        false,
                        true,
                        tq,
                        tk,
                        hd,
                        1f,
                        dOut.a,
                        go,
                        dOut.ld,
                        v.a,
                        v.at(bi, tk, h, hd),
                        v.ld,
                        0f,
                        ds,
                        0,
                        tk);
                GemmKernels.sgemm(
                        true,
                        false,
                        tk,
                        hd,
                        tq,
                        1f,
                        pd,
                        pdOff,
                        tk,
                        dOut.a,
                        go,
                        dOut.ld,
                        0f,
                        dv.a,
                        dv.at(bi, tk, h, hd),
                        dv.ld);
                for (int i = 0; i < tq; i++) {
                    softmaxRowBackward(probs, pOff + i * tk, pd, pdOff + i * tk, ds, i * tk, tk);
                }
                // dQ = scale dS K ; dK = scale dS^T Q
                GemmKernels.sgemm(
                        false,
                        false,
                        tq,
                        hd,
                        tk,
                        scale,
                        ds,
                        0,
                        tk,
                        k.a,
                        k.at(bi, tk, h, hd),
                        k.ld,
                        0f,
                        dq.a,
                        dq.at(bi, tq, h, hd),
                        dq.ld);
                GemmKernels.sgemm(
                        true,
                        false,
                        tk,
                        hd,
                        tq,
                        scale,
                        ds,
                        0,
                        tk,
                        q.a,
                        q.at(bi, tq, h, hd),
                        q.ld,
                        0f,
                        dk.a,
                        dk.at(bi, tk, h, hd),
                        dk.ld);
            }
        });
    }

    /** In place on g (= dPd): dS = Pd * g - P * sum(Pd * g); lane partial sums added in lane order. */
    private static void softmaxRowBackward(float[] p, int pOff, float[] pd, int pdOff, float[] g, int gOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> m = tail(j, n);
            acc = load(pd, pdOff + j, m).fma(load(g, gOff + j, m), acc);
        }
        float dot = Simd.sumLanes(acc);
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> m = tail(j, n);
            FloatVector gv = load(g, gOff + j, m);
            FloatVector pv = load(p, pOff + j, m);
            store(load(pd, pdOff + j, m).mul(gv).sub(pv.mul(dot)), g, gOff + j, m);
        }
    }
}
