package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** The tanh activation as a module (the formula is on {@link Tensor#tanh()}). */
public class Tanh extends Activation {
    public Tanh() {
        super(F::tanh, "");
    }
}
