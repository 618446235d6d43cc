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
 * {@code out_proj.bias}; with kdim or vdim != E, {@code q_proj_weight} (E, E), {@code k_proj_weight}
 * (E, kdim) and {@code v_proj_weight} (E, vdim) instead of {@code in_proj_weight}):
 * <pre>
 *   q, k, v = x W_q^T + b_q, ...        split into heads: (B, heads, T, E/heads)
 *   attn = softmax(q k^T / sqrt(E/heads) + mask)   (B, heads, Tq, Tk)
 *   out = (dropout(attn) v) merged back to (B, Tq, E), then out_proj
 * </pre>
 * Masks as PyTorch's: a bool attnMask or keyPaddingMask marks with true what may NOT be attended
 * to; a float one is added to the scores. The returned weights are those multiplied with v (after
 * dropout in training), as PyTorch 1.13 returns them. Initialization as PyTorch: Xavier-uniform
 * in-projections, zero biases, out_proj.weight as Linear's.
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
        if (options.sameEmbedDim()) {
            Init.xavierUniform(registerParameter("in_proj_weight", Torch.zeros(3 * embedDim, embedDim)), 1.0);
        } else {
            Init.xavierUniform(registerParameter("q_proj_weight", Torch.zeros(embedDim, embedDim)), 1.0);
            Init.xavierUniform(registerParameter("k_proj_weight", Torch.zeros(embedDim, options.kdim())), 1.0);
            Init.xavierUniform(registerParameter("v_proj_weight", Torch.zeros(embedDim, options.vdim())), 1.0);
        }
        registerParameter("in_proj_bias", options.bias() ? Torch.zeros(3 * embedDim) : null);
        Linear outProj = registerModule("out_proj", new Linear(embedDim, embedDim, options.bias()));
        if (options.bias()) {
            Init.zeros(outProj.bias());
        }
    }

    public MultiheadAttentionOptions options() {
        return options;
    }

    /**
     * Attention output and the attention weights, like PyTorch's (attn_output, attn_weights):
     * weights (B, Tq, Tk) averaged over heads, (B, heads, Tq, Tk) per head, or null without need_weights.
     */
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

    /** With the head-averaged attention weights (like PyTorch's need_weights=True). */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask) {
        return forward(query, key, value, attnMask, keyPaddingMask, true);
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor)} through the forward hooks. */
    public final Output call(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask) {
        return call(query, key, value, attnMask, keyPaddingMask, true, true);
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor, boolean)} through the forward hooks. */
    public final Output call(
            Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask, boolean needWeights) {
        return call(query, key, value, attnMask, keyPaddingMask, needWeights, true);
    }

    /**
     * Runs {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, boolean)} through the forward
     * hooks; they see six inputs (as the other calls) when averageAttnWeights, else seven.
     */
    public final Output call(
            Tensor query,
            Tensor key,
            Tensor value,
            Tensor attnMask,
            Tensor keyPaddingMask,
            boolean needWeights,
            boolean averageAttnWeights) {
        if (averageAttnWeights) { // the hooks see the six inputs of the common call
            return callWithHooks(
                    a -> forward(
                            (Tensor) a[0], (Tensor) a[1], (Tensor) a[2], (Tensor) a[3], (Tensor) a[4], (Boolean) a[5]),
                    query,
                    key,
                    value,
                    attnMask,
                    keyPaddingMask,
                    needWeights);
        }
        return callWithHooks(
                a -> forward(
                        (Tensor) a[0],
                        (Tensor) a[1],
                        (Tensor) a[2],
                        (Tensor) a[3],
                        (Tensor) a[4],
                        (Boolean) a[5],
                        (Boolean) a[6]),
                query,
                key,
                value,
                attnMask,
                keyPaddingMask,
                needWeights,
                averageAttnWeights);
    }

    /** With head-averaged weights when needWeights. */
    public Output forward(
            Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask, boolean needWeights) {
        return forward(query, key, value, attnMask, keyPaddingMask, needWeights, true);
    }

    /**
     * @param query (B, Tq, E) if batchFirst else (Tq, B, E); key (.., Tk, kdim) and value (.., Tk, vdim)
     *              likewise; or unbatched (Tq, E), (Tk, kdim), (Tk, vdim)
     * @param attnMask null, (Tq, Tk) or (B*heads, Tq, Tk); bool (true = not allowed) or float (added)
     * @param keyPaddingMask null or (B, Tk) (unbatched: (Tk)); bool (true = padding, ignored) or float (added)
     * @param needWeights whether to return the attention weights; without them (and without a 3-D or
     *                    trainable mask) the fused attention op runs (no (B, heads, Tq, Tk)
     *                    intermediates in the graph) and {@code weights()} is null
     * @param averageAttnWeights weights averaged over heads (B, Tq, Tk), else per head (B, heads, Tq, Tk)
     */
    public Output forward(
            Tensor query,
            Tensor key,
            Tensor value,
            Tensor attnMask,
            Tensor keyPaddingMask,
            boolean needWeights,
            boolean averageAttnWeights) {
        boolean batchFirst = options.batchFirst();
        if (query.dim() == 2 && key.dim() == 2 && value.dim() == 2) { // unbatched: a batch of one
            int bd = batchFirst ? 0 : 1;
            Output o = forward(
                    query.unsqueeze(bd),
                    key.unsqueeze(bd),
                    value.unsqueeze(bd),
                    attnMask,
                    keyPaddingMask == null ? null : keyPaddingMask.unsqueeze(0),
                    needWeights,
                    averageAttnWeights);
            return new Output(
                    o.output().squeeze(bd),
                    o.weights() == null ? null : o.weights().squeeze(0));
        }
        Tensor q = batchFirst ? query : query.transpose(0, 1);
        Tensor k = batchFirst ? key : key.transpose(0, 1);
        Tensor v = batchFirst ? value : value.transpose(0, 1);
        if (q.dim() != 3
                || q.size(2) != embedDim
                || k.dim() != 3
                || k.size(2) != options.kdim()
                || v.dim() != 3
                || v.size(2) != options.vdim()
                || k.size(1) != v.size(1)
                || k.size(0) != q.size(0)
                || v.size(0) != q.size(0)) {
            throw new IllegalArgumentException("MultiheadAttention: expected query (B, Tq, " + embedDim
                    + "), key (B, Tk, " + options.kdim() + ") and value (B, Tk, " + options.vdim()
                    + ") (batchFirst=" + batchFirst + ", time-first swaps B and T), got "
                    + Shape.str(TensorInternals.shapeRef(query)) + ", "
                    + Shape.str(TensorInternals.shapeRef(key)) + ", " + Shape.str(TensorInternals.shapeRef(value)));
        }
        int b = q.size(0);
        int tq = q.size(1);
        int tk = k.size(1);
        int hd = embedDim / numHeads;
        if (attnMask != null) {
            checkMask(attnMask, b, tq, tk);
        }
        if (keyPaddingMask != null
                && (!isMaskType(keyPaddingMask)
                        || keyPaddingMask.dim() != 2
                        || keyPaddingMask.size(0) != b
                        || keyPaddingMask.size(1) != tk)) {
            throw new IllegalArgumentException("MultiheadAttention: keyPaddingMask must be bool or float (" + b + ", "
                    + tk + "), got " + keyPaddingMask.dtype() + " "
                    + Shape.str(TensorInternals.shapeRef(keyPaddingMask)));
        }
        if (!needWeights
                && (attnMask == null || (attnMask.dim() == 2 && !attnMask.requiresGrad()))
                && (keyPaddingMask == null || !keyPaddingMask.requiresGrad())) {
            return new Output(fused(query, key, value, q, k, v, attnMask, keyPaddingMask, b, tq, tk), null);
        }
        Tensor qp = project(q, 0);
        Tensor kp = project(k, 1);
        Tensor vp = project(v, 2);
        Tensor qh = qp.reshape(b, tq, numHeads, hd).transpose(1, 2); // (B, h, Tq, hd)
        Tensor kh = kp.reshape(b, tk, numHeads, hd).transpose(1, 2); // (B, h, Tk, hd)
        Tensor vh = vp.reshape(b, tk, numHeads, hd).transpose(1, 2); // (B, h, Tk, hd)
        Tensor scores = qh.mul((float) (1 / Math.sqrt(hd))).matmul(kh.transpose(-2, -1)); // (B, h, Tq, Tk)
        if (attnMask != null) {
            scores = applyMask(scores, attnMask.dim() == 3 ? attnMask.reshape(b, numHeads, tq, tk) : attnMask);
        }
        if (keyPaddingMask != null) {
            scores = applyMask(scores, keyPaddingMask.reshape(b, 1, 1, tk));
        }
        Tensor attn = F.dropout(scores.softmax(-1), options.dropout(), isTraining());
        Tensor out = attn.matmul(vh).transpose(1, 2).reshape(b, tq, embedDim); // (B, Tq, E)
        out = child("out_proj").call(out);
        if (!options.batchFirst()) {
            out = out.transpose(0, 1);
        }
        return new Output(out, !needWeights ? null : averageAttnWeights ? attn.mean(1, false) : attn);
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
            int tk) {
        Tensor mask = null; // additive (1 or B, Tq, Tk)
        if (attnMask != null) {
            mask = (attnMask.dtype() == DType.BOOL
                            ? Torch.zeros(tq, tk).maskedFill(attnMask, Float.NEGATIVE_INFINITY)
                            : attnMask.detach())
                    .reshape(1, tq, tk);
        }
        if (keyPaddingMask != null) {
            Tensor pad = keyPaddingMask.dtype() == DType.BOOL
                    ? Torch.zeros(b, 1, tk).maskedFill(keyPaddingMask.reshape(b, 1, tk), Float.NEGATIVE_INFINITY)
                    : keyPaddingMask.detach().reshape(b, 1, tk);
            mask = mask == null ? pad.expand(b, tq, tk) : mask.add(pad);
        }
        boolean training = isTraining();
        Tensor x = q.reshape(b * tq, embedDim);
        Tensor out;
        if (query == key && key == value && options.sameEmbedDim()) {
            Tensor qkv = F.linear(x, parameter("in_proj_weight"), parameter("in_proj_bias")); // (B*T, 3E)
            out = F.multiHeadSelfAttention(qkv, b, numHeads, mask, options.dropout(), training);
        } else {
            Tensor qp = project(x, 0);
            Tensor kp = project(k.reshape(b * tk, options.kdim()), 1);
            Tensor vp = project(v.reshape(b * tk, options.vdim()), 2);
            out = F.multiHeadAttention(qp, kp, vp, b, numHeads, mask, options.dropout(), training);
        }
        out = child("out_proj").call(out).reshape(b, tq, embedDim); // (B, Tq, E)
        return options.batchFirst() ? out : out.transpose(0, 1);
    }

    /**
     * x W_part^T + b_part: part 0 is the query, 1 the key and 2 the value projection (rows
     * [part E, (part + 1) E) of the packed in-projection, or its own weight with kdim/vdim). x is (..., in).
     */
    private Tensor project(Tensor x, int part) {
        Tensor bias = parameter("in_proj_bias");
        Tensor w = options.sameEmbedDim()
                ? parameter("in_proj_weight").narrow(0, part * embedDim, embedDim)
                : parameter(part == 0 ? "q_proj_weight" : part == 1 ? "k_proj_weight" : "v_proj_weight");
        return F.linear(x, w, bias == null ? null : bias.narrow(0, part * embedDim, embedDim));
    }

    private static boolean isMaskType(Tensor m) {
        return m.dtype() == DType.BOOL || m.dtype() == DType.FLOAT32 || m.dtype() == DType.FLOAT64;
    }

    private void checkMask(Tensor mask, int b, int tq, int tk) {
        boolean ok = isMaskType(mask)
                && ((mask.dim() == 2 && mask.size(0) == tq && mask.size(1) == tk)
                        || (mask.dim() == 3
                                && mask.size(0) == b * numHeads
                                && mask.size(1) == tq
                                && mask.size(2) == tk));
        if (!ok) {
            throw new IllegalArgumentException("MultiheadAttention: attnMask must be bool or float (" + tq + ", " + tk
                    + ") or (" + b * numHeads + ", " + tq + ", " + tk + ") (batch * heads, Tq, Tk), got "
                    + mask.dtype() + " " + Shape.str(TensorInternals.shapeRef(mask)));
        }
    }

    private static Tensor applyMask(Tensor scores, Tensor mask) {
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
        return options.sameEmbedDim() ? "" : "kdim=" + options.kdim() + ", vdim=" + options.vdim();
    }
}
