package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * One Transformer decoder block, as torch.nn.TransformerDecoderLayer (same child names: self_attn,
 * multihead_attn, linear1, dropout, linear2, norm1, norm2, norm3, dropout1, dropout2, dropout3).
 * Post-norm by default:
 * <pre>
 *   x = norm1(x + dropout1(self_attn(x, x, x, tgtMask, tgtKeyPaddingMask)))
 *   x = norm2(x + dropout2(multihead_attn(x, memory, memory, memoryMask, memoryKeyPaddingMask)))
 *   x = norm3(x + dropout3(linear2(dropout(act(linear1(x))))))
 * </pre>
 * normFirst applies each norm to the sub-block's input instead ({@code x = x + block(norm(x))}).
 * Children are looked up by name at every call, so any of them can be replaced.
 */
public class TransformerDecoderLayer extends Module {
    private final TransformerDecoderLayerOptions options;

    public TransformerDecoderLayer(int dModel, int nHead, int dimFeedforward) {
        this(TransformerDecoderLayerOptions.of(dModel, nHead, dimFeedforward));
    }

    public TransformerDecoderLayer(TransformerDecoderLayerOptions options) {
        this.options = options;
        int d = options.dModel();
        double p = options.dropout();
        var attention =
                MultiheadAttentionOptions.of(d, options.nHead()).withDropout(p).withBatchFirst(options.batchFirst());
        registerModule("self_attn", new MultiheadAttention(attention), MultiheadAttention.class);
        registerModule("multihead_attn", new MultiheadAttention(attention), MultiheadAttention.class);
        registerModule("linear1", new Linear(d, options.dimFeedforward()));
        registerModule("dropout", new Dropout(p));
        registerModule("linear2", new Linear(options.dimFeedforward(), d));
        registerModule("norm1", new LayerNorm(new int[] {d}, options.layerNormEps(), true));
        registerModule("norm2", new LayerNorm(new int[] {d}, options.layerNormEps(), true));
        registerModule("norm3", new LayerNorm(new int[] {d}, options.layerNormEps(), true));
        registerModule("dropout1", new Dropout(p));
        registerModule("dropout2", new Dropout(p));
        registerModule("dropout3", new Dropout(p));
    }

    public TransformerDecoderLayerOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor tgt) {
        throw new UnsupportedOperationException(
                "TransformerDecoderLayer needs the target and the memory: call(tgt, memory, masks...)");
    }

    /**
     * @param tgt (B, Tt, E) if batchFirst else (Tt, B, E); memory (B, Ts, E) likewise
     * @param tgtMask null or (Tt, Tt); memoryMask null or (Tt, Ts): bool (true = not allowed) or float
     * @param tgtKeyPaddingMask null or (B, Tt); memoryKeyPaddingMask null or (B, Ts)
     */
    public Tensor forward(
            Tensor tgt,
            Tensor memory,
            Tensor tgtMask,
            Tensor memoryMask,
            Tensor tgtKeyPaddingMask,
            Tensor memoryKeyPaddingMask) {
        Module norm1 = child("norm1");
        Module norm2 = child("norm2");
        Module norm3 = child("norm3");
        Tensor x = tgt;
        if (options.normFirst()) {
            x = x.add(selfAttention(norm1.call(x), tgtMask, tgtKeyPaddingMask));
            x = x.add(crossAttention(norm2.call(x), memory, memoryMask, memoryKeyPaddingMask));
            return x.add(feedForward(norm3.call(x)));
        }
        x = norm1.call(x.add(selfAttention(x, tgtMask, tgtKeyPaddingMask)));
        x = norm2.call(x.add(crossAttention(x, memory, memoryMask, memoryKeyPaddingMask)));
        return norm3.call(x.add(feedForward(x)));
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor)} through the forward hooks. */
    public final Tensor call(
            Tensor tgt,
            Tensor memory,
            Tensor tgtMask,
            Tensor memoryMask,
            Tensor tgtKeyPaddingMask,
            Tensor memoryKeyPaddingMask) {
        return callWithHooks(
                a -> forward((Tensor) a[0], (Tensor) a[1], (Tensor) a[2], (Tensor) a[3], (Tensor) a[4], (Tensor) a[5]),
                tgt,
                memory,
                tgtMask,
                memoryMask,
                tgtKeyPaddingMask,
                memoryKeyPaddingMask);
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor keyPaddingMask) {
        MultiheadAttention attention = child("self_attn", MultiheadAttention.class);
        return child("dropout1")
                .call(attention.call(x, x, x, mask, keyPaddingMask, false).output());
    }

    private Tensor crossAttention(Tensor x, Tensor memory, Tensor mask, Tensor keyPaddingMask) {
        MultiheadAttention attention = child("multihead_attn", MultiheadAttention.class);
        return child("dropout2")
                .call(attention
                        .call(x, memory, memory, mask, keyPaddingMask, false)
                        .output());
    }

    private Tensor feedForward(Tensor x) {
        int[] shape = x.shape(); // as (rows, dModel): each weight gradient is one GEMM
        Tensor h = child("linear1").call(x.reshape(-1, shape[shape.length - 1]));
        h = options.activation().equals("gelu") ? F.gelu(h) : F.relu(h);
        h = child("linear2").call(child("dropout").call(h));
        return child("dropout3").call(h).reshape(shape);
    }
}
