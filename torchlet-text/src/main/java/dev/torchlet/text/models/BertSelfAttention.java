package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;

/**
 * BERT's multi-head self-attention (HF's {@code BertSelfAttention}): query, key and value Linear(H, H),
 * softmax(Q K^T / sqrt(H / heads) + mask) V per head, heads concatenated: (B, T, H) -> (B, T, H).
 */
public final class BertSelfAttention extends Module {
    private final BertConfig config;

    public BertSelfAttention(BertConfig config) {
        this.config = config;
        int h = config.hiddenSize();
        registerModule("query", new Linear(h, h));
        registerModule("key", new Linear(h, h));
        registerModule("value", new Linear(h, h));
    }

    @Override
    public Tensor forward(Tensor x) {
        return attend(x, null);
    }

    /** x (B, T, H); mask additive (1 or B, T, T) or null. */
    public Tensor call(Tensor x, Tensor mask) {
        return callWithHooks(a -> attend((Tensor) a[0], (Tensor) a[1]), x, mask);
    }

    private Tensor attend(Tensor x, Tensor mask) {
        int b = x.size(0);
        int t = x.size(1);
        int h = config.hiddenSize();
        Tensor q = child("query").call(x).reshape(b * t, h);
        Tensor k = child("key").call(x).reshape(b * t, h);
        Tensor v = child("value").call(x).reshape(b * t, h);
        Tensor o = F.multiHeadAttention(
                q, k, v, b, config.numAttentionHeads(), mask, config.attentionProbsDropoutProb(), isTraining());
        return o.reshape(b, t, h);
    }
}
