package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;

/** BERT's feed-forward expansion (HF's {@code BertIntermediate}): act(dense(x)), H -> intermediate_size. */
public final class BertIntermediate extends Module {
    private final BertConfig config;

    public BertIntermediate(BertConfig config) {
        this.config = config;
        registerModule("dense", new Linear(config.hiddenSize(), config.intermediateSize()));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = child("dense").call(x);
        return switch (config.hiddenAct()) {
            case "gelu" -> F.gelu(h);
            case "gelu_new", "gelu_pytorch_tanh" -> F.gelu(h, "tanh");
            case "relu" -> F.relu(h);
            default -> throw new IllegalStateException("BertIntermediate: activation " + config.hiddenAct());
        };
    }
}
