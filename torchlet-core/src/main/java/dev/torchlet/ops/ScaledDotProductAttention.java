package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import java.util.Arrays;

/**
 * PyTorch 2's {@code F.scaled_dot_product_attention} on (..., L, E) queries, (..., S, E) keys and
 * (..., S, Ev) values (the same leading batch dims):
 * <pre>
 *   scores = scale * Q K^T (+ mask)          (..., L, S), scale = 1/sqrt(E) unless given
 *   out    = dropout(softmax(scores), p) V   (..., L, Ev)
 * </pre>
 * Masks: boolean, True = the key takes part (PyTorch 2's meaning, the opposite of
 * MultiheadAttention's), False = -inf on the score; float, added to the scores; either
 * broadcastable to (..., L, S). {@code isCausal} hides key j from query i when j > i (a top-left
 * aligned lower triangle, as PyTorch, also when L != S). A query whose keys are all masked gets
 * NaN, as softmax over -inf does in PyTorch's math path. Dropout (p > 0) draws
 * {@code Torch.rand(..., L, S)} and keeps {@code rand >= p} scaled by 1/(1-p), as {@code F.dropout}.
 *
 * <p>When Ev = E and the mask needs no gradient this runs the fused attention op ({@link Attention}:
 * one task per batch entry, float32 on the SIMD kernels); otherwise it is composed of tensor ops
 * (gradients for a float mask that requires them, Ev != E). From 1024 keys on without dropout the
 * fused op runs blocked kernels that never hold the (L, S) scores; isCausal there skips the hidden
 * key blocks instead of adding a mask.
 */
public final class ScaledDotProductAttention {
    private static final String OP = "scaled_dot_product_attention";

    private ScaledDotProductAttention() {}

    /**
     * @param scale the factor on Q K^T, or NaN for 1/sqrt(E)
     */
    public static Tensor apply(
            Tensor q, Tensor k, Tensor v, Tensor attnMask, double dropoutP, boolean isCausal, double scale) {
        int[] qs = TensorInternals.shapeRef(q);
        int[] ks = TensorInternals.shapeRef(k);
        int[] vs = TensorInternals.shapeRef(v);
        int n = qs.length;
        if (n < 2
                || ks.length != n
                || vs.length != n
                || !Arrays.equals(qs, 0, n - 2, ks, 0, n - 2)
                || !Arrays.equals(qs, 0, n - 2, vs, 0, n - 2)
                || qs[n - 1] != ks[n - 1]
                || ks[n - 2] != vs[n - 2]) {
            throw new IllegalArgumentException(OP
                    + ": expected query (..., L, E), key (..., S, E) and value (..., S, Ev)"
                    + " with the same batch dims, got " + Shape.str(qs) + ", " + Shape.str(ks) + ", " + Shape.str(vs));
        }
        DType dt = q.dtype();
        if ((dt != DType.FLOAT32 && dt != DType.FLOAT64) || k.dtype() != dt || v.dtype() != dt) {
            throw new IllegalArgumentException(OP + ": expected float32 or float64 query, key and value of one dtype,"
                    + " got " + dt + ", " + k.dtype() + ", " + v.dtype());
        }
        if (!(dropoutP >= 0 && dropoutP <= 1)) {
            throw new IllegalArgumentException(OP + ": dropout probability must be in [0, 1], got " + dropoutP);
        }
        if (isCausal && attnMask != null) {
            throw new IllegalArgumentException(OP + ": give either attnMask or isCausal, not both");
        }
        int l = qs[n - 2];
        int s = ks[n - 2];
        int e = qs[n - 1];
        int ev = vs[n - 1];
        int[] batch = Arrays.copyOf(qs, n - 2);
        int b = 1;
        for (int d : batch) {
            b *= d;
        }
        Tensor additive = attnMask == null ? null : additive(attnMask, qs, l, s, dt);
        double sc = Double.isNaN(scale) ? 1 / Math.sqrt(e) : scale;
        boolean fused = ev == e && b > 0 && l > 0 && s > 0 && e > 0 && (additive == null || !additive.requiresGrad());
        if (!fused) {
            if (isCausal) {
                additive = causal(l, s, dt);
            }
            Tensor scores = q.matmul(k.transpose(-2, -1)).mul((float) sc); // (..., L, S)
            if (additive != null) {
                scores = scores.add(additive);
            }
            Tensor p = scores.softmax(-1);
            if (dropoutP > 0) {
                p = dropoutP >= 1
                        ? p.mul(0f)
                        : p.mul(DropoutMask.scaledKeep(Torch.rand(TensorInternals.shapeRef(p)), dropoutP, dt));
            }
            return p.matmul(v);
        }
        Tensor mask3 = null; // (1 or b, L, S)
        if (additive != null) {
            mask3 = additive.numel() == (long) l * s
                    ? additive.reshape(1, l, s)
                    : additive.expand(concat(batch, l, s)).reshape(b, l, s);
        }
        // the fused op scales by 1/sqrt(E); another scale goes onto the queries
        Tensor qq = Double.isNaN(scale) ? q : q.mul((float) (scale * Math.sqrt(e)));
        Tensor o = Attention.attention(
                qq.reshape(b * l, e),
                k.reshape(b * s, e),
                v.reshape(b * s, e),
                b,
                1,
                mask3,
                dropoutP,
                dropoutP > 0,
                null,
                isCausal);
        return o.reshape(concat(batch, l, e));
    }

    /** The additive (L, S) causal mask: 0 where j <= i, -inf above the diagonal. */
    static Tensor causal(int l, int s, DType dt) {
        float[] m = new float[l * s];
        for (int i = 0; i < l; i++) {
            Arrays.fill(m, i * s + Math.min(i + 1, s), (i + 1) * s, Float.NEGATIVE_INFINITY);
        }
        Tensor t = Torch.tensor(m, l, s);
        return dt == DType.FLOAT32 ? t : t.to(dt);
    }

    private static Tensor additive(Tensor mask, int[] qs, int l, int s, DType dt) {
        int[] ms = TensorInternals.shapeRef(mask);
        int n = qs.length;
        boolean ok = ms.length <= n && ms.length >= 1;
        for (int i = 1; ok && i <= ms.length; i++) {
            int want = i == 1 ? s : i == 2 ? l : qs[n - i];
            ok = ms[ms.length - i] == want || ms[ms.length - i] == 1;
        }
        if (!ok) {
            throw new IllegalArgumentException(OP + ": attnMask of shape " + Shape.str(ms)
                    + " does not broadcast to the scores " + Shape.str(concat(Arrays.copyOf(qs, n - 2), l, s)));
        }
        if (mask.dtype() == DType.BOOL) {
            return Torch.where(mask, Torch.zeros(dt, 1), Torch.full(dt, Double.NEGATIVE_INFINITY, 1));
        }
        if (mask.dtype() != DType.FLOAT32 && mask.dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException(OP + ": attnMask must be bool or float, got " + mask.dtype());
        }
        return mask.dtype() == dt ? mask : mask.to(dt);
    }

    private static int[] concat(int[] batch, int a, int c) {
        int[] r = Arrays.copyOf(batch, batch.length + 2);
        r[batch.length] = a;
        r[batch.length + 1] = c;
        return r;
    }
}
