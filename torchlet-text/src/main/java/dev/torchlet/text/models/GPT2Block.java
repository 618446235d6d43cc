package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.LayerNorm;
import dev.torchlet.nn.Module;
import dev.torchlet.text.generation.PastKeyValues;

/** One pre-norm GPT-2 block (HF's {@code GPT2Block}): x + attn(ln_1(x)), then + mlp(ln_2(x)). */
public final class GPT2Block extends Module {
    public GPT2Block(GPT2Config config) {
        int[] e = {config.nEmbd()};
        registerModule("ln_1", new LayerNorm(e, config.layerNormEpsilon(), true));
        registerModule("attn", new GPT2Attention(config), GPT2Attention.class);
        registerModule("ln_2", new LayerNorm(e, config.layerNormEpsilon(), true));
        registerModule("mlp", new GPT2MLP(config));
    }

    /** A causal pass over x (B, T, E) without a cache. */
    @Override
    public Tensor forward(Tensor x) {
        return block(x, null, null, 0);
    }

    /** See {@link GPT2Attention#call(Tensor, Tensor, PastKeyValues, int)}. */
    public Tensor call(Tensor x, Tensor mask, PastKeyValues past, int layer) {
        return callWithHooks(
                a -> block((Tensor) a[0], (Tensor) a[1], (PastKeyValues) a[2], (Integer) a[3]), x, mask, past, layer);
    }

    private Tensor block(Tensor x, Tensor mask, PastKeyValues past, int layer) {
        GPT2Attention attn = child("attn", GPT2Attention.class);
        x = x.add(attn.call(child("ln_1").call(x), mask, past, layer));
        return x.add(child("mlp").call(child("ln_2").call(x)));
    }
}
