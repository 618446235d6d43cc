package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/**
 * relu6(x + 3) / 6, as torch.nn.Hardsigmoid (the gate of MobileNetV3's squeeze-excitation): 0 for
 * x &lt;= -3, 1 for x &gt;= 3, x / 6 + 1/2 between.
 */
public class Hardsigmoid extends Activation {
    public Hardsigmoid() {
        super(F::hardsigmoid, "");
    }
}
