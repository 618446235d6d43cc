package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/**
 * x * relu6(x + 3) / 6, as torch.nn.Hardswish (MobileNetV3's activation): 0 for x &lt;= -3, x for
 * x &gt;= 3, x (x + 3) / 6 between.
 */
public class Hardswish extends Activation {
    public Hardswish() {
        super(F::hardswish, "");
    }
}
