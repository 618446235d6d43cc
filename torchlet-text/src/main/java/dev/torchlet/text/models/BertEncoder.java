package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ModuleList;

/** BERT's stack of layers (HF's {@code BertEncoder}): layer.0 .. layer.{n-1}, (B, T, H) -> (B, T, H). */
public final class BertEncoder extends Module {
    public BertEncoder(BertConfig config) {
        ModuleList layers = registerModule("layer", new ModuleList());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new BertLayer(config));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return encode(x, null);
    }

    /** x (B, T, H); mask additive (1 or B, T, T) or null. */
    public Tensor call(Tensor x, Tensor mask) {
        return callWithHooks(a -> encode((Tensor) a[0], (Tensor) a[1]), x, mask);
    }

    private Tensor encode(Tensor x, Tensor mask) {
        ModuleList layers = child("layer", ModuleList.class);
        for (int i = 0; i < layers.size(); i++) {
            if (!(layers.get(i) instanceof BertLayer layer)) {
                throw new IllegalStateException(
                        "BertEncoder: layer." + i + " must be a BertLayer, got " + layers.get(i));
            }
            x = layer.call(x, mask);
        }
        return x;
    }
}
