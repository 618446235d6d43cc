package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;

/** BERT's pooler (HF's {@code BertPooler}): tanh(dense(hidden[:, 0])), (B, T, H) -> (B, H). */
public final class BertPooler extends Module {
    public BertPooler(BertConfig config) {
        registerModule("dense", new Linear(config.hiddenSize(), config.hiddenSize()));
    }

    @Override
    public Tensor forward(Tensor hidden) {
        return child("dense").call(hidden.select(1, 0)).tanh();
    }
}
