package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** The relu activation as a module (the formula is on {@link Tensor#relu()}). */
public class ReLU extends Activation {
    public ReLU() {
        super(F::relu, "");
    }
}
