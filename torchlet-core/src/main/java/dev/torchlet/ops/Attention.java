package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.InferenceMode;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.GeneratorInternals;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.AttentionKernels;
import dev.torchlet.kernels.AttentionReference;
import dev.torchlet.kernels.FlashAttentionKernels;
import dev.torchlet.kernels.FlashAttentionReference;
import dev.torchlet.kernels.RandomKernels;
import dev.torchlet.kernels.RandomReference;

/**
 * Fused multi-head scaled dot-product attention, one differentiable op:
 * {@code O = dropout(softmax(Q K^T / sqrt(hd) + mask)) V} per (batch, head), with a fused backward
 * (formulas in {@link AttentionKernels}). Q, K, V are 2-D (B*T, E)-shaped row blocks whose heads are
 * column slices, read in place (no split-heads transpose copies); the output is (B*Tq, E) with the
 * heads merged, ready for the output projection. Dropout draws {@code Torch.rand(B, heads, Tq, Tk)}
 * and keeps {@code rand >= p} scaled by 1/(1-p), exactly like {@code F.dropout} on the weights.
 * float32 runs the SIMD kernels, float64 (for gradcheck) the reference loops.
 */
public final class Attention {
    /**
     * From this many keys on, without dropout, the blocked online-softmax kernels run
     * ({@link FlashAttentionKernels}: no (Tq, Tk) matrices saved, O(T) memory per head); below it
     * the saved-probabilities kernels, which are faster for short sequences (measured on a busy
     * 2-core VM: flash about 1.5-3x slower at T = 128-256, comparable at 1024-2048, B*heads = 32, hd = 32;
     * the point of the switch is memory: (B, heads, T, T) floats twice, 1 GB at T = 2048 there).
     */
    static final int FLASH_MIN_KEYS = 1024;

    private Attention() {}

    /**
     * Self-attention on a packed projection.
     *
     * @param qkv  (B*T, 3E): columns [0, E) are Q, [E, 2E) K, [2E, 3E) V
     * @param mask additive float (1 or B, T, T) or null
     */
    public static Tensor selfAttention(Tensor qkv, int b, int heads, Tensor mask, double p, boolean training) {
        if (qkv.dim() != 2 || qkv.size(1) % 3 != 0 || b <= 0 || qkv.size(0) % b != 0) {
            throw new IllegalArgumentException("self_attention: expected qkv of shape (B*T, 3E) with B = " + b
                    + ", got " + Shape.str(TensorInternals.shapeRef(qkv)));
        }
        int e = qkv.size(1) / 3;
        int t = qkv.size(0) / b;
        Tensor out = compute(
                "self_attention",
                new Tensor[] {qkv},
                new int[] {0, 0, 0},
                new int[] {0, e, 2 * e},
                b,
                heads,
                e,
                t,
                t,
                mask,
                p,
                training,
                null,
                false);
        return Autograd.annotate(out, "batch", b, "heads", heads, "mask", mask, "causal", false, "packed", true);
    }

    /**
     * @param q (B*Tq, E); k, v (B*Tk, E), three distinct tensors
     * @param mask additive float (1 or B, Tq, Tk) or null
     */
    public static Tensor attention(
            Tensor q, Tensor k, Tensor v, int b, int heads, Tensor mask, double p, boolean training) {
        return attention(q, k, v, b, heads, mask, p, training, null, false);
    }

    /**
     * As above; flash true/false forces the blocked kernel on or off (tests), null chooses by size;
     * causal hides key j from query i when j > i (on top of mask), which the blocked kernel does
     * without a mask, skipping the hidden key blocks.
     */
    static Tensor attention(
            Tensor q,
            Tensor k,
            Tensor v,
            int b,
            int heads,
            Tensor mask,
            double p,
            boolean training,
            Boolean flash,
            boolean causal) {
        if (q.dim() != 2
                || k.dim() != 2
                || !java.util.Arrays.equals(TensorInternals.shapeRef(k), TensorInternals.shapeRef(v))
                || q.size(1) != k.size(1)
                || b <= 0
                || q.size(0) % b != 0
                || k.size(0) % b != 0) {
            throw new IllegalArgumentException("attention: expected q (B*Tq, E), k and v (B*Tk, E) with B = " + b
                    + ", got " + Shape.str(TensorInternals.shapeRef(q)) + ", " + Shape.str(TensorInternals.shapeRef(k))
                    + ", "
                    + Shape.str(TensorInternals.shapeRef(v)));
        }
        if (q == k || k == v || q == v) {
            throw new IllegalArgumentException(
                    "attention: q, k, v must be distinct tensors (use selfAttention for " + "a packed projection)");
        }
        Tensor out = compute(
                "attention",
                new Tensor[] {q, k, v},
                new int[] {0, 1, 2},
                new int[] {0, 0, 0},
                b,
                heads,
                q.size(1),
                q.size(0) / b,
                k.size(0) / b,
                mask,
                p,
                training,
                flash,
                causal);
        return Autograd.annotate(out, "batch", b, "heads", heads, "mask", mask, "causal", causal, "packed", false);
    }

    /**
     * @param ins   the distinct input tensors
     * @param which for Q, K, V: index into ins
     * @param cols  for Q, K, V: first column of the E-wide block
     */
    private static Tensor compute(
            String op,
            Tensor[] ins,
            int[] which,
            int[] cols,
            int b,
            int heads,
            int e,
            int tq,
            int tk,
            Tensor mask,
            double p,
            boolean training,
            Boolean flash,
            boolean causal) {
        if (heads <= 0 || e % heads != 0) {
            throw new IllegalArgumentException(op + ": embed dim " + e + " is not divisible by heads " + heads);
        }
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(op + ": dropout probability must be in [0, 1], got " + p);
        }
        DType dt = ins[0].dtype();
        for (Tensor x : ins) {
            if (x.dtype() != dt || (dt != DType.FLOAT32 && dt != DType.FLOAT64)) {
                throw new IllegalArgumentException(
                        op + ": expected float32 or float64 tensors of one dtype, got " + x.dtype() + " and " + dt);
            }
        }
        Tensor m = null;
        if (mask != null) {
            if (mask.dim() != 3
                    || (mask.size(0) != 1 && mask.size(0) != b)
                    || mask.size(1) != tq
                    || mask.size(2) != tk) {
                throw new IllegalArgumentException(op + ": expected an additive mask of shape (1 or " + b + ", " + tq
                        + ", " + tk + "), got " + Shape.str(TensorInternals.shapeRef(mask)));
            }
            m = mask.detach();
        }
        int hd = e / heads;
        double scale = 1 / Math.sqrt(hd);
        Tensor[] data = new Tensor[ins.length];
        for (int i = 0; i < ins.length; i++) {
            data[i] = rowMajor(ins[i].detach());
        }
        boolean drop = training && p > 0;
        boolean blocked = !drop && (flash != null ? flash : tk >= FLASH_MIN_KEYS);
        if (causal && !blocked) { // the probabilities kernels take causality as a mask
            Tensor c = ScaledDotProductAttention.causal(tq, tk, dt).reshape(1, tq, tk);
            m = m == null ? c : m.add(c);
        }
        // the float32 probabilities kernels read the mask's rows where they are: a padding mask broadcast over the
        // queries ((B, 1, 1, Tk) expanded) is not copied out to (B, Tq, Tk) floats per call
        boolean maskInPlace = m != null
                && !blocked
                && dt == DType.FLOAT32
                && m.dtype() == DType.FLOAT32
                && (tk == 1 || TensorInternals.stridesRef(m)[2] == 1);
        if (m != null && !maskInPlace) {
            m = Ops.contiguousAs(m, dt);
        }
        int maskStride = m == null || m.size(0) == 1 ? 0 : maskInPlace ? TensorInternals.stridesRef(m)[0] : tq * tk;
        int maskRowStride = maskInPlace && tq > 1 ? TensorInternals.stridesRef(m)[1] : tk;
        if (blocked) {
            return flash(op, ins, which, cols, data, b, heads, e, tq, tk, hd, scale, m, maskStride, causal, dt);
        }
        int n = b * heads * tq * tk;
        // the draws Torch.rand(b, heads, tq, tk) would return, computed inside the kernel; p == 1: F.dropout draws
        // nothing and zeroes everything (the kernel's keep scale is then 0)
        RandomKernels.Draws drops =
                drop ? GeneratorInternals.reserveFloats(Torch.defaultGenerator(), p < 1 ? n : 0) : null;
        // every element is written (the last product of each head overwrites its columns)
        Tensor out = dt == DType.FLOAT32
                ? TensorInternals.wrap(InferenceMode.outputStorage(b * tq * e), new int[] {b * tq, e})
                : Tensor.empty(dt, b * tq, e);
        // without a gradient to record nothing reads the probabilities again: each (batch, head) block of them goes
        // to a scratch block of the kernel's thread, which stays in cache (MiniLM's (8, 12, 128, 128) allocated
        // 6.3 MB per layer), and a decode step with a KV cache leaves no (B, heads, 1, T) garbage per token and layer
        boolean scratch = dt == DType.FLOAT32 && !drop && !Autograd.needsGrad(ins);
        Tensor probs = scratch ? null : Tensor.empty(dt, n);
        // float32 keeps only P: its kernels draw the dropout mask into per-thread blocks, again in the backward
        Tensor dropped = drop && dt == DType.FLOAT64 ? Tensor.empty(dt, n) : probs;
        if (dt == DType.FLOAT32) {
            float[] probsArray = scratch ? null : TensorInternals.storage(probs).floats();
            AttentionKernels.forward(
                    b,
                    heads,
                    tq,
                    tk,
                    hd,
                    (float) scale,
                    f(data[which[0]], cols[0]),
                    f(data[which[1]], cols[1]),
                    f(data[which[2]], cols[2]),
                    m == null ? null : TensorInternals.storage(m).floats(),
                    m == null ? 0 : m.offset(),
                    maskStride,
                    maskRowStride,
                    drops,
                    (float) p,
                    probsArray,
                    f(out, 0));
            if (scratch) {
                return out;
            }
        } else {
            AttentionReference.forward(
                    b,
                    heads,
                    tq,
                    tk,
                    hd,
                    scale,
                    d(data[which[0]], cols[0]),
                    d(data[which[1]], cols[1]),
                    d(data[which[2]], cols[2]),
                    m == null ? null : TensorInternals.storage(m).doubles(),
                    m == null ? 0 : m.offset(),
                    maskStride,
                    drops == null ? null : uniformDraws(drops, n),
                    p,
                    TensorInternals.storage(probs).doubles(),
                    TensorInternals.storage(dropped).doubles(),
                    d(out, 0));
        }
        Tensor[] saved = new Tensor[data.length + 2];
        System.arraycopy(data, 0, saved, 0, data.length);
        saved[data.length] = probs;
        saved[data.length + 1] = dropped;
        return Autograd.record(
                ins.length == 1 ? "SelfAttentionBackward" : "AttentionBackward", out, ins, saved, (g, s) -> {
                    Tensor gc = Ops.contiguousAs(g, dt);
                    Tensor[] grads = new Tensor[ins.length];
                    for (int i = 0; i < ins.length; i++) {
                        grads[i] = Tensor.empty(dt, ins[i].shape());
                    }
                    Tensor sp = s[ins.length];
                    Tensor sd = s[ins.length + 1];
                    if (dt == DType.FLOAT32) {
                        AttentionKernels.backward(
                                b,
                                heads,
                                tq,
                                tk,
                                hd,
                                (float) scale,
                                f(s[which[0]], cols[0]),
                                f(s[which[1]], cols[1]),
                                f(s[which[2]], cols[2]),
                                TensorInternals.storage(sp).floats(),
                                drops,
                                (float) p,
                                f(gc, 0),
                                f(grads[which[0]], cols[0]),
                                f(grads[which[1]], cols[1]),
                                f(grads[which[2]], cols[2]));
                    } else {
                        AttentionReference.backward(
                                b,
                                heads,
                                tq,
                                tk,
                                hd,
                                scale,
                                d(s[which[0]], cols[0]),
                                d(s[which[1]], cols[1]),
                                d(s[which[2]], cols[2]),
                                TensorInternals.storage(sp).doubles(),
                                TensorInternals.storage(sd).doubles(),
                                d(gc, 0),
                                d(grads[which[0]], cols[0]),
                                d(grads[which[1]], cols[1]),
                                d(grads[which[2]], cols[2]));
                    }
                    return grads;
                });
    }

    /** The blocked online-softmax path: saves the output and the row log-sum-exp, not the probabilities. */
    private static Tensor flash(
            String op,
            Tensor[] ins,
            int[] which,
            int[] cols,
            Tensor[] data,
            int b,
            int heads,
            int e,
            int tq,
            int tk,
            int hd,
            double scale,
            Tensor m,
            int maskStride,
            boolean causal,
            DType dt) {
        Tensor lse = Tensor.empty(dt, b * heads * tq);
        Tensor out = Tensor.empty(dt, b * tq, e);
        int maskOff = m == null ? 0 : m.offset();
        if (dt == DType.FLOAT32) {
            float[] mk = m == null ? null : TensorInternals.storage(m).floats();
            FlashAttentionKernels.forward(
                    b,
                    heads,
                    tq,
                    tk,
                    hd,
                    (float) scale,
                    f(data[which[0]], cols[0]),
                    f(data[which[1]], cols[1]),
                    f(data[which[2]], cols[2]),
                    mk,
                    maskOff,
                    maskStride,
                    causal,
                    TensorInternals.storage(lse).floats(),
                    f(out, 0));
        } else {
            double[] mk = m == null ? null : TensorInternals.storage(m).doubles();
            FlashAttentionReference.forward(
                    b,
                    heads,
                    tq,
                    tk,
                    hd,
                    scale,
                    d(data[which[0]], cols[0]),
                    d(data[which[1]], cols[1]),
                    d(data[which[2]], cols[2]),
                    mk,
                    maskOff,
                    maskStride,
                    causal,
                    TensorInternals.storage(lse).doubles(),
                    d(out, 0));
        }
        Tensor[] saved = new Tensor[data.length + 2];
        System.arraycopy(data, 0, saved, 0, data.length);
        saved[data.length] = lse;
        saved[data.length + 1] = out.detach();
        String name = ins.length == 1 ? "SelfAttentionBackward" : "AttentionBackward";
        return Autograd.record(name, out, ins, saved, (g, s) -> {
            Tensor gc = Ops.contiguousAs(g, dt);
            Tensor[] grads = new Tensor[ins.length];
            for (int i = 0; i < ins.length; i++) {
                grads[i] = Tensor.empty(dt, ins[i].shape());
            }
            Tensor sl = s[ins.length];
            Tensor so = s[ins.length + 1];
            if (dt == DType.FLOAT32) {
                float[] mk = m == null ? null : TensorInternals.storage(m).floats();
                FlashAttentionKernels.backward(
                        b,
                        heads,
                        tq,
                        tk,
                        hd,
                        (float) scale,
                        f(s[which[0]], cols[0]),
                        f(s[which[1]], cols[1]),
                        f(s[which[2]], cols[2]),
                        mk,
                        maskOff,
                        maskStride,
                        causal,
                        TensorInternals.storage(sl).floats(),
                        f(so, 0),
                        f(gc, 0),
                        f(grads[which[0]], cols[0]),
                        f(grads[which[1]], cols[1]),
                        f(grads[which[2]], cols[2]));
            } else {
                double[] mk = m == null ? null : TensorInternals.storage(m).doubles();
                FlashAttentionReference.backward(
                        b,
                        heads,
                        tq,
                        tk,
                        hd,
                        scale,
                        d(s[which[0]], cols[0]),
                        d(s[which[1]], cols[1]),
                        d(s[which[2]], cols[2]),
                        mk,
                        maskOff,
                        maskStride,
                        causal,
                        TensorInternals.storage(sl).doubles(),
                        d(so, 0),
                        d(gc, 0),
                        d(grads[which[0]], cols[0]),
                        d(grads[which[1]], cols[1]),
                        d(grads[which[2]], cols[2]));
            }
            return grads;
        });
    }

    /** t itself when its rows are unit-stride with a leading dim covering them, else a contiguous copy. */
    private static Tensor rowMajor(Tensor t) {
        int[] st = TensorInternals.stridesRef(t);
        return (st[1] == 1 || t.size(1) == 1) && (t.size(0) == 1 || st[0] >= t.size(1)) ? t : t.contiguousCopy();
    }

    private static int ld(Tensor t) {
        return t.size(0) == 1 ? t.size(1) : TensorInternals.stridesRef(t)[0];
    }

    /** The first n draws of the stream, widened (the float64 reference path takes them as an array). */
    private static double[] uniformDraws(RandomKernels.Draws drops, int n) {
        double[] u = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = RandomReference.uniformFloat(drops.seed(), drops.gamma(), i);
        }
        return u;
    }

    private static AttentionKernels.Operand f(Tensor t, int col) {
        return new AttentionKernels.Operand(TensorInternals.storage(t).floats(), t.offset() + col, ld(t));
    }

    private static AttentionReference.Operand d(Tensor t, int col) {
        return new AttentionReference.Operand(TensorInternals.storage(t).doubles(), t.offset() + col, ld(t));
    }
}
