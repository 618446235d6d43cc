package dev.torchlet.kernels;

import static dev.torchlet.kernels.Simd.load;
import static dev.torchlet.kernels.Simd.store;
import static dev.torchlet.kernels.Simd.tail;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention without the (Tq, Tk) score matrix (FlashAttention-2's scheme), for long sequences: per
 * (batch, head) task, queries in blocks of {@link #BLOCK_Q} rows against keys in blocks of
 * {@link #BLOCK_K}, with an online softmax:
 * <pre>
 *   S = scale Q_i K_j^T + mask_ij                       (BQ, BK) scratch
 *   m' = max(m, rowmax S);  P = exp(S - m');  l = l e^(m - m') + rowsum P;  O = O e^(m - m') + P V_j
 *   at the end: O /= l;  L = m + log l                  (the row's log-sum-exp, saved for backward)
 * backward, with D = rowsum(dO * O):
 *   P = exp(S - L);  dV_j += P^T dO_i;  dP = dO_i V_j^T;  dS = P (dP - D)
 *   dQ_i += scale dS K_j;  dK_j += scale dS^T Q_i
 * </pre>
 * Memory is O(T) per head instead of O(T^2); backward recomputes S. With {@code causal} (key j
 * hidden from query i when j > i) key blocks after a query block are skipped, about half the work.
 * No dropout here (the op uses {@link AttentionKernels} when dropout is on). A query whose keys
 * are all masked gets NaN (0/0), as softmax over -inf does. Operands are addressed as in {@link AttentionKernels}.
 * {@link FlashAttentionReference} is the plain-loop oracle.
 */
public final class FlashAttentionKernels {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    public static final int BLOCK_Q = 64;
    public static final int BLOCK_K = 128;

    private FlashAttentionKernels() {}

    /**
     * @param mask additive (Bm, Tq, Tk) at maskOff with batch stride maskBatchStride (0 = shared), or null
     * @param lse out: (B, heads, Tq) row log-sum-exp of the scaled, masked scores
     */
    public static void forward(
            int b,
            int heads,
            int tq,
            int tk,
            int hd,
            float scale,
            AttentionKernels.Operand q,
            AttentionKernels.Operand k,
            AttentionKernels.Operand v,
            float[] mask,
            int maskOff,
            int maskBatchStride,
            boolean causal,
            float[] lse,
            AttentionKernels.Operand out) {
        Parallel.forRange(b * heads, 1, (s0, e0) -> {
            float[] s = new float[BLOCK_Q * BLOCK_K];
            float[] o = new float[BLOCK_Q * hd];
            float[] m = new float[BLOCK_Q];
            float[] l = new float[BLOCK_Q];
            for (int task = s0; task < e0; task++) {
                int bi = task / heads;
                int h = task % heads;
                for (int i0 = 0; i0 < tq; i0 += BLOCK_Q) {
                    int bq = Math.min(BLOCK_Q, tq - i0);
                    java.util.Arrays.fill(o, 0, bq * hd, 0f);
                    java.util.Arrays.fill(m, 0, bq, Float.NEGATIVE_INFINITY);
                    java.util.Arrays.fill(l, 0, bq, 0f);
                    int jEnd = causal ? Math.min(tk, i0 + bq) : tk; // causal: later key blocks are all hidden
                    for (int j0 = 0; j0 < jEnd; j0 += BLOCK_K) {
                        int bk = Math.min(BLOCK_K, tk - j0);
                        scores(
                                q,
                                k,
                                bi,
                                h,
                                tq,
                                tk,
                                hd,
                                scale,
                                i0,
                                bq,
                                j0,
                                bk,
                                mask,
                                maskOff,
                                maskBatchStride,
                                causal,
                                s);
                        for (int r = 0; r < bq; r++) {
                            int row = r * bk;
                            float mx = rowMax(s, row, bk);
                            float mNew = Math.max(m[r], mx);
                            if (mNew == Float.NEGATIVE_INFINITY) { // nothing seen yet: P = 0, O and l unchanged
                                java.util.Arrays.fill(s, row, row + bk, 0f);
                                continue;
                            }
                            float alpha = (float) Math.exp(m[r] - mNew); // 0 when m was -inf
                            l[r] = l[r] * alpha + expRow(s, row, bk, mNew);
                            m[r] = mNew;
                            if (alpha != 1f) {
                                scaleRow(o, r * hd, hd, alpha);
                            }
                        }
                        GemmKernels.sgemm(
                                false,
                                false,
                                bq,
                                hd,
                                bk,
                                1f,
                                s,
                                0,
                                bk,
                                v.a(),
                                v.at(bi, tk, h, hd) + j0 * v.ld(),
                                v.ld(),
                                1f,
                                o,
                                0,
                                hd);
                    }
                    int outRow = out.at(bi, tq, h, hd) + i0 * out.ld();
                    int lseOff = task * tq + i0;
                    for (int r = 0; r < bq; r++) {
                        float inv = 1f / l[r]; // l = 0 (all keys masked): 0 * inf = NaN, as PyTorch
                        for (int c = 0; c < hd; c++) {
                            out.a()[outRow + r * out.ld() + c] = o[r * hd + c] * inv;
                        }
                        lse[lseOff + r] = m[r] + (float) Math.log(l[r]);
                    }
                }
            }
        });
    }

    /**
     * @param o    the forward's output, addressed like out; lse its saved row log-sum-exp
     * @param dq   out, addressed like q (same for dk, dv); the head's slices are overwritten
     */
    public static void backward(
            int b,
            int heads,
            int tq,
            int tk,
            int hd,
            float scale,
            AttentionKernels.Operand q,
            AttentionKernels.Operand k,
            AttentionKernels.Operand v,
            float[] mask,
            int maskOff,
            int maskBatchStride,
            boolean causal,
            float[] lse,
            AttentionKernels.Operand o,
            AttentionKernels.Operand dOut,
            AttentionKernels.Operand dq,
            AttentionKernels.Operand dk,
            AttentionKernels.Operand dv) {
        Parallel.forRange(b * heads, 1, (s0, e0) -> {
            float[] p = new float[BLOCK_Q * BLOCK_K];
            float[] dp = new float[BLOCK_Q * BLOCK_K];
            float[] dRow = new float[tq];
            for (int task = s0; task < e0; task++) {
                int bi = task / heads;
                int h = task % heads;
                int go = dOut.at(bi, tq, h, hd);
                int oo = o.at(bi, tq, h, hd);
                for (int i = 0; i < tq; i++) {
                    dRow[i] = dot(dOut.a(), go + i * dOut.ld(), o.a(), oo + i * o.ld(), hd);
                }
                zero(dq, dq.at(bi, tq, h, hd), tq, hd);
                zero(dk, dk.at(bi, tk, h, hd), tk, hd);
                zero(dv, dv.at(bi, tk, h, hd), tk, hd);
                for (int j0 = 0; j0 < tk; j0 += BLOCK_K) {
                    int bk = Math.min(BLOCK_K, tk - j0);
                    int kOff = k.at(bi, tk, h, hd) + j0 * k.ld();
                    int vOff = v.at(bi, tk, h, hd) + j0 * v.ld();
                    for (int i0 = 0; i0 < tq; i0 += BLOCK_Q) {
                        int bq = Math.min(BLOCK_Q, tq - i0);
                        if (causal && i0 + bq <= j0) {
                            continue; // every query of the block precedes every key of the block
                        }
                        int qOff = q.at(bi, tq, h, hd) + i0 * q.ld();
                        int gOff = go + i0 * dOut.ld();
                        scores(
                                q,
                                k,
                                bi,
                                h,
                                tq,
                                tk,
                                hd,
                                scale,
                                i0,
                                bq,
                                j0,
                                bk,
                                mask,
                                maskOff,
                                maskBatchStride,
                                causal,
                                p);
                        for (int r = 0; r < bq; r++) {
                            expRow(p, r * bk, bk, lse[task * tq + i0 + r]);
                        }
                        // dV_j += P^T dO_i ; dP = dO_i V_j^T
                        GemmKernels.sgemm(
                                true,
                                false,
                                bk,
                                hd,
                                bq,
                                1f,
                                p,
                                0,
                                bk,
                                dOut.a(),
                                gOff,
                                dOut.ld(),
                                1f,
                                dv.a(),
                                dv.at(bi, tk, h, hd) + j0 * dv.ld(),
                                dv.ld());
                        GemmKernels.sgemm(
                                false, true, bq, bk, hd, 1f, dOut.a(), gOff, dOut.ld(), v.a(), vOff, v.ld(), 0f, dp, 0,
                                bk);
                        for (int r = 0; r < bq; r++) {
                            softmaxGrad(p, dp, r * bk, bk, dRow[i0 + r]);
                        }
                        // dQ_i += scale dS K_j ; dK_j += scale dS^T Q_i
                        GemmKernels.sgemm(
                                false,
                                false,
                                bq,
                                hd,
                                bk,
                                scale,
                                dp,
                                0,
                                bk,
                                k.a(),
                                kOff,
                                k.ld(),
                                1f,
                                dq.a(),
                                dq.at(bi, tq, h, hd) + i0 * dq.ld(),
                                dq.ld());
                        GemmKernels.sgemm(
                                true,
                                false,
                                bk,
                                hd,
                                bq,
                                scale,
                                dp,
                                0,
                                bk,
                                q.a(),
                                qOff,
                                q.ld(),
                                1f,
                                dk.a(),
                                dk.at(bi, tk, h, hd) + j0 * dk.ld(),
                                dk.ld());
                    }
                }
            }
        });
    }

    /** s (bq, bk) = scale Q[i0..] K[j0..]^T + mask block; causal: -inf where key j > query i. */
    private static void scores(
            AttentionKernels.Operand q,
            AttentionKernels.Operand k,
            int bi,
            int h,
            int tq,
            int tk,
            int hd,
            float scale,
            int i0,
            int bq,
            int j0,
            int bk,
            float[] mask,
            int maskOff,
            int maskBatchStride,
            boolean causal,
            float[] s) {
        GemmKernels.sgemm(
                false,
                true,
                bq,
                bk,
                hd,
                scale,
                q.a(),
                q.at(bi, tq, h, hd) + i0 * q.ld(),
                q.ld(),
                k.a(),
                k.at(bi, tk, h, hd) + j0 * k.ld(),
                k.ld(),
                0f,
                s,
                0,
                bk);
        if (mask != null) {
            int mo = maskOff + bi * maskBatchStride + i0 * tk + j0;
            for (int r = 0; r < bq; r++) {
                int row = r * bk;
                int mrow = mo + r * tk;
                for (int j = 0; j < bk; j += S.length()) {
                    VectorMask<Float> vm = tail(j, bk);
                    store(load(s, row + j, vm).add(load(mask, mrow + j, vm)), s, row + j, vm);
                }
            }
        }
        if (causal) {
            for (int r = 0; r < bq; r++) {
                int from = Math.max(0, i0 + r + 1 - j0);
                if (from < bk) {
                    java.util.Arrays.fill(s, r * bk + from, r * bk + bk, Float.NEGATIVE_INFINITY);
                }
            }
        }
    }

    private static float rowMax(float[] a, int off, int n) {
        float mx = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            mx = Math.max(mx, a[off + j]);
        }
        return mx;
    }

    /** a[j] = exp(a[j] - shift) in place; returns the sum (lane partial sums in lane order). */
    private static float expRow(float[] a, int off, int n, float shift) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> vm = tail(j, n);
            FloatVector e = Simd.exp(load(a, off + j, vm).sub(shift));
            store(e, a, off + j, vm);
            acc = vm == null ? acc.add(e) : acc.add(e, vm);
        }
        return Simd.sumLanes(acc);
    }

    private static void scaleRow(float[] a, int off, int n, float f) {
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> vm = tail(j, n);
            store(load(a, off + j, vm).mul(f), a, off + j, vm);
        }
    }

    /** In place on dp: dS = P (dP - d). */
    private static void softmaxGrad(float[] p, float[] dp, int off, int n, float d) {
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> vm = tail(j, n);
            store(load(p, off + j, vm).mul(load(dp, off + j, vm).sub(d)), dp, off + j, vm);
        }
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> vm = tail(j, n);
            acc = load(a, ao + j, vm).fma(load(b, bo + j, vm), acc);
        }
        return Simd.sumLanes(acc);
    }

    private static void zero(AttentionKernels.Operand t, int off, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(t.a(), off + r * t.ld(), off + r * t.ld() + cols, 0f);
        }
    }
}
