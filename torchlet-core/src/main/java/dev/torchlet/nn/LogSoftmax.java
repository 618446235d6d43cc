package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/** log-softmax along a dim. */
public class LogSoftmax extends Activation {
    public LogSoftmax(int dim) {
        super(x -> F.logSoftmax(x, dim), "dim=" + dim);
    }
}
