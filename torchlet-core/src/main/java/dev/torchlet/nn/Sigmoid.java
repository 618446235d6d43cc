package dev.torchlet.nn;

import dev.torchlet.Tensor;

/** The sigmoid activation as a module (the formula is on {@link Tensor#sigmoid()}). */
public class Sigmoid extends Activation {
    public Sigmoid() {
        super(Tensor::sigmoid, "");
    }
}
