package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;

/** GPT-2's feed-forward block (HF's {@code GPT2MLP}): c_fc (E -> inner), activation, c_proj (inner -> E), dropout. */
public final class GPT2MLP extends Module {
    private final GPT2Config config;

    public GPT2MLP(GPT2Config config) {
        this.config = config;
        registerModule("c_fc", new GPT2Conv1D(config.nEmbd(), config.nInner()));
        registerModule("c_proj", new GPT2Conv1D(config.nInner(), config.nEmbd()));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = child("c_fc").call(x);
        h = switch (config.activationFunction()) {
            case "gelu_new", "gelu_pytorch_tanh" -> F.gelu(h, "tanh");
            case "gelu" -> F.gelu(h);
            case "relu" -> F.relu(h);
            default -> throw new IllegalStateException("GPT2MLP: activation " + config.activationFunction());
        };
        return F.dropout(child("c_proj").call(h), config.residPdrop(), isTraining());
    }
}
