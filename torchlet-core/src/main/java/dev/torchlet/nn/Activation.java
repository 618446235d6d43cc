package dev.torchlet.nn;

import dev.torchlet.Tensor;
import java.util.function.UnaryOperator;

/** Base of the parameterless activation modules (ReLU, GELU, ...): applies a function elementwise. */
abstract class Activation extends Module {
    private final UnaryOperator<Tensor> fn;
    private final String repr;

    Activation(UnaryOperator<Tensor> fn, String repr) {
        this.fn = fn;
        this.repr = repr;
    }

    @Override
    public Tensor forward(Tensor x) {
        return fn.apply(x);
    }

    @Override
    protected String extraRepr() {
        return repr;
    }
}
