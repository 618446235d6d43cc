package dev.torchlet.nn;

/** log-softmax along a dim. */
public class LogSoftmax extends Activation {
    public LogSoftmax(int dim) {
        super(x -> x.logSoftmax(dim), "dim=" + dim);
    }
}
