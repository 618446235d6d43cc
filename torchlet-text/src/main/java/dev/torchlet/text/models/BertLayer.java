package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;

/**
 * One post-norm BERT encoder layer (HF's {@code BertLayer}): a = attention(x, mask), then
 * output(intermediate(a), a).
 */
public final class BertLayer extends Module {
    public BertLayer(BertConfig config) {
        registerModule("attention", new BertAttention(config), BertAttention.class);
        registerModule("intermediate", new BertIntermediate(config));
        registerModule("output", new BertOutput(config, config.intermediateSize()), BertOutput.class);
    }

    @Override
    public Tensor forward(Tensor x) {
        return layer(x, null);
    }

    /** x (B, T, H); mask additive (1 or B, T, T) or null. */
    public Tensor call(Tensor x, Tensor mask) {
        return callWithHooks(a -> layer((Tensor) a[0], (Tensor) a[1]), x, mask);
    }

    private Tensor layer(Tensor x, Tensor mask) {
        Tensor a = child("attention", BertAttention.class).call(x, mask);
        return child("output", BertOutput.class).call(child("intermediate").call(a), a);
    }
}
