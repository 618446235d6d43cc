package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** The silu activation as a module (the formula is on {@link Tensor#silu()}). */
public class SiLU extends Activation {
    public SiLU() {
        super(F::silu, "");
    }
}
