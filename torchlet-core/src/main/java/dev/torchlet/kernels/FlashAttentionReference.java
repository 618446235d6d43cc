package dev.torchlet.kernels;

/**
 * Plain-loop oracle for {@link FlashAttentionKernels}, in double (also the float64 path of the op):
 * whole rows at a time, no blocks; causal hides key j from query i when j > i. Forward writes O and
 * the row log-sum-exp L; backward recomputes
 * P = exp(scale q.k + mask - L) and forms dV = P^T dO, dS = P (dO V^T - rowsum(dO O)),
 * dQ = scale dS K, dK = scale dS^T Q.
 */
public final class FlashAttentionReference {
    private FlashAttentionReference() {}

    public static void forward(
            int b,
            int heads,
            int tq,
            int tk,
            int hd,
            double scale,
            AttentionReference.Operand q,
            AttentionReference.Operand k,
            AttentionReference.Operand v,
            double[] mask,
            int maskOff,
            int maskBatchStride,
            boolean causal,
            double[] lse,
            AttentionReference.Operand out) {
        double[] p = new double[tk];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                int c0 = h * hd;
                for (int i = 0; i < tq; i++) {
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tk; j++) {
                        p[j] = score(q, k, bi, tq, tk, hd, c0, i, j, scale, mask, maskOff, maskBatchStride, causal);
                        mx = Math.max(mx, p[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < tk; j++) {
                        p[j] = mx == Double.NEGATIVE_INFINITY ? 0 : Math.exp(p[j] - mx);
                        sum += p[j];
                    }
                    for (int c = 0; c < hd; c++) {
                        double acc = 0;
                        for (int j = 0; j < tk; j++) {
                            acc += p[j] * v.get(bi, tk, j, c0 + c);
                        }
                        out.set(bi, tq, i, c0 + c, acc / sum);
                    }
                    lse[(bi * heads + h) * tq + i] = mx + Math.log(sum);
                }
            }
        }
    }

    public static void backward(
            int b,
            int heads,
            int tq,
            int tk,
            int hd,
            double scale,
            AttentionReference.Operand q,
            AttentionReference.Operand k,
            AttentionReference.Operand v,
            double[] mask,
            int maskOff,
            int maskBatchStride,
            boolean causal,
            double[] lse,
            AttentionReference.Operand o,
            AttentionReference.Operand dOut,
            AttentionReference.Operand dq,
            AttentionReference.Operand dk,
            AttentionReference.Operand dv) {
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                int c0 = h * hd;
                for (int r = 0; r < tq; r++) {
                    for (int c = 0; c < hd; c++) {
                        dq.set(bi, tq, r, c0 + c, 0);
                    }
                }
                for (int r = 0; r < tk; r++) {
                    for (int c = 0; c < hd; c++) {
                        dk.set(bi, tk, r, c0 + c, 0);
                        dv.set(bi, tk, r, c0 + c, 0);
                    }
                }
                for (int i = 0; i < tq; i++) {
                    double d = 0;
                    for (int c = 0; c < hd; c++) {
                        d += dOut.get(bi, tq, i, c0 + c) * o.get(bi, tq, i, c0 + c);
                    }
                    double l = lse[(bi * heads + h) * tq + i];
                    for (int j = 0; j < tk; j++) {
                        double p = Math.exp(
                                score(q, k, bi, tq, tk, hd, c0, i, j, scale, mask, maskOff, maskBatchStride, causal)
                                        - l);
                        double dp = 0;
                        for (int c = 0; c < hd; c++) {
                            double g = dOut.get(bi, tq, i, c0 + c);
                            dp += g * v.get(bi, tk, j, c0 + c);
                            dv.set(bi, tk, j, c0 + c, dv.get(bi, tk, j, c0 + c) + p * g);
                        }
                        double ds = p * (dp - d) * scale;
                        for (int c = 0; c < hd; c++) {
                            dq.set(bi, tq, i, c0 + c, dq.get(bi, tq, i, c0 + c) + ds * k.get(bi, tk, j, c0 + c));
                            dk.set(bi, tk, j, c0 + c, dk.get(bi, tk, j, c0 + c) + ds * q.get(bi, tq, i, c0 + c));
                        }
                    }
                }
            }
        }
    }

    private static double score(
            AttentionReference.Operand q,
            AttentionReference.Operand k,
            int bi,
            int tq,
            int tk,
            int hd,
            int c0,
            int i,
            int j,
            double scale,
            double[] mask,
            int maskOff,
            int maskBatchStride,
            boolean causal) {
        if (causal && j > i) {
            return Double.NEGATIVE_INFINITY;
        }
        double acc = 0;
        for (int c = 0; c < hd; c++) {
            acc += q.get(bi, tq, i, c0 + c) * k.get(bi, tk, j, c0 + c);
        }
        acc *= scale;
        return mask == null ? acc : acc + mask[maskOff + bi * maskBatchStride + i * tk + j];
    }
}
