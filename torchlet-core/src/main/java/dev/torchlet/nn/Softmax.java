package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/** softmax along a dim. */
public class Softmax extends Activation {
    public Softmax(int dim) {
        super(x -> F.softmax(x, dim), "dim=" + dim);
    }
}
