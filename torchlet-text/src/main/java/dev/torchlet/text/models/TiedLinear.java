package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;

/** A bias-free linear layer whose weight is another module's parameter (GPT-2's lm_head on wte). */
final class TiedLinear extends Module {
    TiedLinear(Tensor weight) {
        registerParameter("weight", weight); // the same tensor: a leaf parameter is registered as is
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.linear(x, parameter("weight"), null);
    }
}
