package dev.torchlet.nn;

import dev.torchlet.Tensor;

/**
 * A stack of N encoder layers and an optional final norm, as torch.nn.TransformerEncoder
 * (state-dict names {@code layers.0.self_attn.in_proj_weight}, ..., {@code norm.weight}):
 * <pre>
 *   x = layers[N-1](... layers[0](src, mask, srcKeyPaddingMask) ...);  out = norm(x) if a norm is given
 * </pre>
 * Like PyTorch (which deep-copies the layer it is given), the N layers are copies of
 * {@code encoderLayer}: new layers with its options, loaded with its state dict, so they start
 * equal. Layers are looked up by name at every call and may be replaced by any
 * TransformerEncoderLayer.
 */
public class TransformerEncoder extends Module {
    private final int numLayers;

    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers) {
        this(encoderLayer, numLayers, null);
    }

    /** @param norm applied after the last layer (e.g. a LayerNorm), or null */
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, Module norm) {
        if (numLayers < 0) {
            throw new IllegalArgumentException("TransformerEncoder: numLayers must be >= 0, got " + numLayers);
        }
        this.numLayers = numLayers;
        ModuleList layers = registerModule("layers", new LayerStack());
        var state = encoderLayer.stateDict();
        for (int i = 0; i < numLayers; i++) {
            var copy = new TransformerEncoderLayer(encoderLayer.options());
            copy.loadStateDict(state);
            copy.train(encoderLayer.isTraining());
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
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * @param src (B, T, E) if batch-first layers else (T, B, E)
     * @param mask null or (T, T) / (B*heads, T, T), bool (true = not allowed) or float (added)
     * @param srcKeyPaddingMask null or (B, T), bool (true = padding) or float (added)
     */
    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
        Tensor x = LayerStack.run(
                child("layers"),
                src,
                (layer, h) -> {
                    if (!(layer instanceof TransformerEncoderLayer l)) {
                        throw new IllegalStateException(
                                "TransformerEncoder: layers must be TransformerEncoderLayers, got "
                                        + layer.getClass().getSimpleName());
                    }
                    return l.call(h, mask, srcKeyPaddingMask);
                },
                mask,
                srcKeyPaddingMask);
        return namedChildren().containsKey("norm") ? child("norm").call(x) : x;
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor)} through the forward hooks. */
    public final Tensor call(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
        return callWithHooks(a -> forward((Tensor) a[0], (Tensor) a[1], (Tensor) a[2]), src, mask, srcKeyPaddingMask);
    }
}
