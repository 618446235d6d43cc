package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/** min(max(x, 0), 6), as torch.nn.ReLU6 (MobileNetV2's activation); gradient 0 at both kinks. */
public class ReLU6 extends Activation {
    public ReLU6() {
        super(F::relu6, "");
    }
}
