package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** The sigmoid activation as a module (the formula is on {@link Tensor#sigmoid()}). */
public class Sigmoid extends Activation {
    public Sigmoid() {
        super(F::sigmoid, "");
    }
}
