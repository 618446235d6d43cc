package dev.torchlet.nn;

/** softmax along a dim. */
public class Softmax extends Activation {
    public Softmax(int dim) {
        super(x -> x.softmax(dim), "dim=" + dim);
    }
}
