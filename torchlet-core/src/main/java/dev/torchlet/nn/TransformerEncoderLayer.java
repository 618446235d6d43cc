package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * One Transformer encoder block, as torch.nn.TransformerEncoderLayer (same child names:
 * self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2). Post-norm by default:
 * <pre>
 *   x = norm1(x + dropout1(self_attn(x)))
 *   x = norm2(x + dropout2(linear2(dropout(act(linear1(x))))))
 * </pre>
 * normFirst applies each norm before its sub-block instead. Children are looked up by name at
 * every call, so any of them can be replaced ({@code self_attn} by another MultiheadAttention).
 */
public class TransformerEncoderLayer extends Module {
    private final TransformerEncoderLayerOptions options;

    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward) {
        this(TransformerEncoderLayerOptions.of(dModel, nHead, dimFeedforward));
    }

    /** @deprecated use {@code new TransformerEncoderLayer(TransformerEncoderLayerOptions.of(d, h, ff).with...)} */
    @Deprecated
    public TransformerEncoderLayer(
            int dModel,
            int nHead,
            int dimFeedforward,
            double dropout,
            String activation,
            double layerNormEps,
            boolean batchFirst,
            boolean normFirst) {
        this(new TransformerEncoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst));
    }

    public TransformerEncoderLayer(TransformerEncoderLayerOptions options) {
        this.options = options;
        int d = options.dModel();
        double p = options.dropout();
        registerModule(
                "self_attn",
                new MultiheadAttention(MultiheadAttentionOptions.of(d, options.nHead())
                        .withDropout(p)
                        .withBatchFirst(options.batchFirst())),
                MultiheadAttention.class);
        registerModule("linear1", new Linear(d, options.dimFeedforward()));
        registerModule("dropout", new Dropout(p));
        registerModule("linear2", new Linear(options.dimFeedforward(), d));
        registerModule("norm1", new LayerNorm(new int[] {d}, options.layerNormEps(), true));
        registerModule("norm2", new LayerNorm(new int[] {d}, options.layerNormEps(), true));
        registerModule("dropout1", new Dropout(p));
        registerModule("dropout2", new Dropout(p));
    }

    public TransformerEncoderLayerOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null);
    }

    /** With an optional attention mask (Tq, Tk) and key padding mask (B, T), as in MultiheadAttention. */
    public Tensor forward(Tensor x, Tensor attnMask, Tensor keyPaddingMask) {
        Module norm1 = child("norm1");
        Module norm2 = child("norm2");
        if (options.normFirst()) {
            x = x.add(selfAttention(norm1.call(x), attnMask, keyPaddingMask));
            return x.add(feedForward(norm2.call(x)));
        }
        x = norm1.call(x.add(selfAttention(x, attnMask, keyPaddingMask)));
        return norm2.call(x.add(feedForward(x)));
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor)} through the forward hooks. */
    public final Tensor call(Tensor x, Tensor attnMask, Tensor keyPaddingMask) {
        return callWithHooks(a -> forward((Tensor) a[0], (Tensor) a[1], (Tensor) a[2]), x, attnMask, keyPaddingMask);
    }

    private Tensor selfAttention(Tensor x, Tensor attnMask, Tensor keyPaddingMask) {
        MultiheadAttention attention = child("self_attn", MultiheadAttention.class);
        return child("dropout1")
                .call(attention.call(x, x, x, attnMask, keyPaddingMask, false).output());
    }

    private Tensor feedForward(Tensor x) {
        // as (rows, dModel): 2-D products, so each weight gradient is one GEMM (not a per-batch stack
        // summed afterwards)
        int[] shape = x.shape();
        Tensor h = child("linear1").call(x.reshape(-1, shape[shape.length - 1]));
        h = options.activation().equals("gelu") ? F.gelu(h) : F.relu(h);
        h = child("linear2").call(child("dropout").call(h));
        return child("dropout2").call(h).reshape(shape);
    }
}
