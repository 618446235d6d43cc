package dev.torchlet.nn;

import dev.torchlet.Tensor;

/** The relu activation as a module (the formula is on {@link Tensor#relu()}). */
public class ReLU extends Activation {
    public ReLU() {
        super(Tensor::relu, "");
    }
}
