package dev.torchlet.nn;

import dev.torchlet.Tensor;

/** The tanh activation as a module (the formula is on {@link Tensor#tanh()}). */
public class Tanh extends Activation {
    public Tanh() {
        super(Tensor::tanh, "");
    }
}
