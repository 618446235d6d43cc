package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;

/** BERT's attention sub-layer (HF's {@code BertAttention}): self (BertSelfAttention), output (BertOutput with x). */
public final class BertAttention extends Module {
    public BertAttention(BertConfig config) {
        registerModule("self", new BertSelfAttention(config), BertSelfAttention.class);
        registerModule("output", new BertOutput(config, config.hiddenSize()), BertOutput.class);
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
        Tensor a = child("self", BertSelfAttention.class).call(x, mask);
        return child("output", BertOutput.class).call(a, x);
    }
}
