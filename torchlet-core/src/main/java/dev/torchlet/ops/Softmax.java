package dev.torchlet.ops;

import dev.torchlet.Tensor;

/** softmax and log-softmax along a dim. */
public final class Softmax {
    private Softmax() {}

    public static Tensor softmax(Tensor t, int dim) {
        throw new UnsupportedOperationException("softmax: not implemented yet");
    }

    public static Tensor logSoftmax(Tensor t, int dim) {
        throw new UnsupportedOperationException("logSoftmax: not implemented yet");
    }
}
