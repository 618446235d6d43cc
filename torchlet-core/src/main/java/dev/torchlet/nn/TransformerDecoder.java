package dev.torchlet.nn;

import dev.torchlet.Tensor;

/**
 * A stack of N decoder layers and an optional final norm, as torch.nn.TransformerDecoder
 * (state-dict names {@code layers.0.multihead_attn.in_proj_weight}, ..., {@code norm.weight}):
 * every layer attends to the same {@code memory}. The N layers are copies of {@code decoderLayer}
 * (its options and state dict), as PyTorch deep-copies the layer it is given.
 */
public class TransformerDecoder extends Module {
    private final int numLayers;

    public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers) {
        this(decoderLayer, numLayers, null);
    }

    /** @param norm applied after the last layer (e.g. a LayerNorm), or null */
    public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers, Module norm) {
        if (numLayers < 0) {
            throw new IllegalArgumentException("TransformerDecoder: numLayers must be >= 0, got " + numLayers);
        }
        this.numLayers = numLayers;
        ModuleList layers = registerModule("layers", new LayerStack());
        var state = decoderLayer.stateDict();
        for (int i = 0; i < numLayers; i++) {
            var copy = new TransformerDecoderLayer(decoderLayer.options());
            copy.loadStateDict(state);
            copy.train(decoderLayer.isTraining());
            layers.add(copy);
        }
        if (norm != null) {
            registerModule("norm", norm);
        }
    }

    public int numLayers() {
        return numLayers;
    }

    @Override
    public Tensor forward(Tensor tgt) {
        throw new UnsupportedOperationException(
                "TransformerDecoder needs the target and the memory: call(tgt, memory, masks...)");
    }

    /**
     * @param tgt (B, Tt, E) if batch-first layers else (Tt, B, E); memory (B, Ts, E) likewise
     * @param tgtMask null or (Tt, Tt), e.g. {@link Transformer#generateSquareSubsequentMask}
     * @param memoryMask null or (Tt, Ts)
     * @param tgtKeyPaddingMask null or (B, Tt); memoryKeyPaddingMask null or (B, Ts)
     */
    public Tensor forward(
            Tensor tgt,
            Tensor memory,
            Tensor tgtMask,
            Tensor memoryMask,
            Tensor tgtKeyPaddingMask,
            Tensor memoryKeyPaddingMask) {
        Tensor x = LayerStack.run(
                child("layers"),
                tgt,
                (layer, h) -> {
                    if (!(layer instanceof TransformerDecoderLayer l)) {
                        throw new IllegalStateException(
                                "TransformerDecoder: layers must be TransformerDecoderLayers, got "
                                        + layer.getClass().getSimpleName());
                    }
                    return l.call(h, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask);
                },
                memory,
                tgtMask,
                memoryMask,
                tgtKeyPaddingMask,
                memoryKeyPaddingMask);
        return namedChildren().containsKey("norm") ? child("norm").call(x) : x;
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
}
