package dev.torchlet.nn;

import dev.torchlet.Tensor;

/** The silu activation as a module (the formula is on {@link Tensor#silu()}). */
public class SiLU extends Activation {
    public SiLU() {
        super(Tensor::silu, "");
    }
}
