package dev.torchlet.nn;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.functional.F;

/**
 * Multi-head scaled dot-product attention, as torch.nn.MultiheadAttention (PyTorch's parameter
 * names: {@code in_proj_weight} (3E, E), {@code in_proj_bias} (3E), {@code out_proj.weight},
 * {@code out_proj.bias}):
 * <pre>
 *   q, k, v = x W_q^T + b_q, ...        split into heads: (B, heads, T, E/heads)
 *   attn = softmax(q k^T / sqrt(E/heads) + mask)   (B, heads, Tq, Tk)
 *   out = (dropout(attn) v) merged back to (B, Tq, E), then out_proj
 * </pre>
 */
public class MultiheadAttention extends Module {
    private final MultiheadAttentionOptions options;
    private final int embedDim;
    private final int numHeads;

    public MultiheadAttention(int embedDim, int numHeads) {
        this(MultiheadAttentionOptions.of(embedDim, numHeads));
    }

    /** @deprecated use {@code new MultiheadAttention(MultiheadAttentionOptions.of(e, h).with...)} */
    @Deprecated
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {
        this(new MultiheadAttentionOptions(embedDim, numHeads, dropout, bias, batchFirst));
    }

    public MultiheadAttention(MultiheadAttentionOptions options) {
        this.options = options;
        this.embedDim = options.embedDim();
        this.numHeads = options.numHeads();
        Init.xavierUniform(registerParameter("in_proj_weight", Torch.zeros(3 * embedDim, embedDim)), 1.0);
        registerParameter("in_proj_bias", options.bias() ? Torch.zeros(3 * embedDim) : null);
        Linear outProj = registerModule("out_proj", new Linear(embedDim, embedDim, options.bias()));
        if (options.bias()) {
            Init.zeros(outProj.bias());
        }
    }

    public MultiheadAttentionOptions options() {
        return options;
    }

    /** Attention output and the attention weights (averaged over heads), like PyTorch's (attn_output, attn_weights). */
    public record Output(Tensor output, Tensor weights) implements ForwardResult<Output> {
        @Override
        public Output withOutput(Tensor replacement) {
            return new Output(replacement, weights);
        }
    }

    /** Self-attention without masks. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null, false).output();
    }

    /** With the attention weights (like PyTorch's need_weights=True). */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask) {
        return forward(query, key, value, attnMask, keyPaddingMask, true);
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor)} through the forward hooks. */
    public final Output call(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask) {
        return call(query, key, value, attnMask, keyPaddingMask, true);
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor, boolean)} through the forward hooks. */
    public final Output call(
            Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask, boolean needWeights) {
        return callWithHooks(
                a -> forward((Tensor) a[0], (Tensor) a[1], (Tensor) a[2], (Tensor) a[3], (Tensor) a[4], (Boolean) a[5]),
                query,
                key,
                value,
                attnMask,
                keyPaddingMask,
                needWeights);
    }

    /**
     * @param query (B, Tq, E) if batchFirst else (Tq, B, E); key and value likewise with Tk
     * @param attnMask null, bool (Tq, Tk) where true = not allowed, or float (Tq, Tk) added to scores
     * @param keyPaddingMask null or bool (B, Tk) where true = padding (ignored)
     * @param needWeights whether to return the head-averaged attention weights; without them the
     *                    fused attention op runs (no (B, heads, Tq, Tk) intermediates in the graph)
     *                    and {@code weights()} is null
     */
    public Output forward(
            Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask, boolean needWeights) {
        boolean batchFirst = options.batchFirst();
        Tensor q = batchFirst ? query : query.transpose(0, 1);
        Tensor k = batchFirst ? key : key.transpose(0, 1);
        Tensor v = batchFirst ? value : value.transpose(0, 1);
        if (q.dim() != 3
                || q.size(2) != embedDim
                || k.dim() != 3
                || k.size(2) != embedDim
                || v.dim() != 3
                || !java.util.Arrays.equals(TensorInternals.shapeRef(k), TensorInternals.shapeRef(v))
                || k.size(0) != q.size(0)) {
            throw new IllegalArgumentException("MultiheadAttention: expected query/key/value of shape (B, T, "
                    + embedDim + ") (batchFirst=" + batchFirst + "), got " + Shape.str(TensorInternals.shapeRef(query))
                    + ", "
                    + Shape.str(TensorInternals.shapeRef(key)) + ", " + Shape.str(TensorInternals.shapeRef(value)));
        }
        int b = q.size(0);
        int tq = q.size(1);
        int tk = k.size(1);
        int hd = embedDim / numHeads;
        Tensor w = parameter("in_proj_weight");
        Tensor bias = parameter("in_proj_bias");
        if (attnMask != null) {
            checkMask(attnMask, tq, tk);
        }
        if (keyPaddingMask != null
                && (keyPaddingMask.dtype() != DType.BOOL
                        || keyPaddingMask.dim() != 2
                        || keyPaddingMask.size(0) != b
                        || keyPaddingMask.size(1) != tk)) {
            throw new IllegalArgumentException("MultiheadAttention: keyPaddingMask must be bool (" + b + ", " + tk
                    + "), got " + keyPaddingMask.dtype() + " " + Shape.str(TensorInternals.shapeRef(keyPaddingMask)));
        }
        if (!needWeights && (attnMask == null || !attnMask.requiresGrad())) {
            return new Output(fused(query, key, value, q, k, v, attnMask, keyPaddingMask, b, tq, tk, w, bias), null);
        }
        Tensor qp = project(q, 0);
        Tensor kp = project(k, 1);
        Tensor vp = project(v, 2);
        Tensor qh = qp.reshape(b, tq, numHeads, hd).transpose(1, 2); // (B, h, Tq, hd)
        Tensor kh = kp.reshape(b, tk, numHeads, hd).transpose(1, 2); // (B, h, Tk, hd)
        Tensor vh = vp.reshape(b, tk, numHeads, hd).transpose(1, 2); // (B, h, Tk, hd)
        Tensor scores = qh.mul((float) (1 / Math.sqrt(hd))).matmul(kh.transpose(-2, -1)); // (B, h, Tq, Tk)
        if (attnMask != null) {
            scores = applyMask(scores, attnMask, tq, tk);
        }
        if (keyPaddingMask != null) {
            scores = scores.maskedFill(keyPaddingMask.reshape(b, 1, 1, tk), Float.NEGATIVE_INFINITY);
        }
        Tensor attn = scores.softmax(-1);
        Tensor attnDropped = F.dropout(attn, options.dropout(), isTraining());
        Tensor out = attnDropped.matmul(vh).transpose(1, 2).reshape(b, tq, embedDim); // (B, Tq, E)
        out = child("out_proj").call(out);
        if (!options.batchFirst()) {
            out = out.transpose(0, 1);
        }
        return new Output(out, attn.mean(1, false));
    }

    /**
     * The fused path: projections as 2-D (B*T, E) products (one packed (B*T, 3E) product for
     * self-attention), then the fused attention ({@link F#multiHeadAttention}), whose output rows
     * already have the heads merged.
     */
    private Tensor fused(
            Tensor query,
            Tensor key,
            Tensor value,
            Tensor q,
            Tensor k,
            Tensor v,
            Tensor attnMask,
            Tensor keyPaddingMask,
            int b,
            int tq,
            int tk,
            Tensor w,
            Tensor bias) {
        Tensor mask = null; // additive (1 or B, Tq, Tk)
        if (attnMask != null) {
            mask = (attnMask.dtype() == DType.BOOL
                            ? Torch.zeros(tq, tk).maskedFill(attnMask, Float.NEGATIVE_INFINITY)
                            : attnMask.detach())
                    .reshape(1, tq, tk);
        }
        if (keyPaddingMask != null) {
            Tensor pad = Torch.zeros(b, 1, tk).maskedFill(keyPaddingMask.reshape(b, 1, tk), Float.NEGATIVE_INFINITY);
            mask = mask == null ? pad.expand(b, tq, tk) : mask.add(pad);
        }
        boolean training = isTraining();
        Tensor x = q.reshape(b * tq, embedDim);
        Tensor out;
        if (query == key && key == value) {
            Tensor qkv = F.linear(x, w, bias); // (B*T, 3E)
            out = F.multiHeadSelfAttention(qkv, b, numHeads, mask, options.dropout(), training);
        } else {
            Tensor qp = project(x, 0);
            Tensor kp = project(k.reshape(b * tk, embedDim), 1);
            Tensor vp = project(v.reshape(b * tk, embedDim), 2);
            out = F.multiHeadAttention(qp, kp, vp, b, numHeads, mask, options.dropout(), training);
        }
        out = child("out_proj").call(out).reshape(b, tq, embedDim); // (B, Tq, E)
        return options.batchFirst() ? out : out.transpose(0, 1);
    }

    /**
     * x W_part^T + b_part with rows [part E, (part + 1) E) of the packed in-projection: part 0 is the
     * query, 1 the key and 2 the value projection. x is (..., E).
     */
    private Tensor project(Tensor x, int part) {
        Tensor w = parameter("in_proj_weight");
        Tensor bias = parameter("in_proj_bias");
        return F.linear(
                x,
                w.narrow(0, part * embedDim, embedDim),
                bias == null ? null : bias.narrow(0, part * embedDim, embedDim));
    }

    private static void checkMask(Tensor mask, int tq, int tk) {
        if (mask.dim() != 2 || mask.size(0) != tq || mask.size(1) != tk) {
            throw new IllegalArgumentException("MultiheadAttention: attnMask must be (" + tq + ", " + tk + "), got "
                    + Shape.str(TensorInternals.shapeRef(mask)));
        }
    }

    private static Tensor applyMask(Tensor scores, Tensor mask, int tq, int tk) {
        return mask.dtype() == DType.BOOL ? scores.maskedFill(mask, Float.NEGATIVE_INFINITY) : scores.add(mask);
    }

    /** A bool (T, T) mask that hides future positions (true above the diagonal), for causal attention. */
    public static Tensor causalMask(int t) {
        boolean[] m = new boolean[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                m[i * t + j] = true;
            }
        }
        return Torch.tensor(m, t, t);
    }

    @Override
    protected String extraRepr() {
        return "";
    }
}
