package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;

/**
 * Shared parameters of the cells, as torch.nn.RNNCellBase: {@code weight_ih} (G*H, in),
 * {@code weight_hh} (G*H, H), {@code bias_ih}, {@code bias_hh} (G*H), init U(-1/sqrt(H), 1/sqrt(H)),
 * with G = 1 (RNNCell), 3 (GRUCell) or 4 (LSTMCell). One step runs the fused recurrent op with T = 1.
 */
public abstract class RNNCellBase extends Module {
    protected final int inputSize;
    protected final int hiddenSize;
    private final RecurrentCellOptions options;

    protected RNNCellBase(RecurrentCellOptions options, int gates) {
        this.options = options;
        this.inputSize = options.inputSize();
        this.hiddenSize = options.hiddenSize();
        double bound = 1 / Math.sqrt(hiddenSize);
        Init.uniform(registerParameter("weight_ih", Torch.zeros(gates * hiddenSize, inputSize)), -bound, bound);
        Init.uniform(registerParameter("weight_hh", Torch.zeros(gates * hiddenSize, hiddenSize)), -bound, bound);
        if (options.bias()) {
            Init.uniform(registerParameter("bias_ih", Torch.zeros(gates * hiddenSize)), -bound, bound);
            Init.uniform(registerParameter("bias_hh", Torch.zeros(gates * hiddenSize)), -bound, bound);
        }
    }

    public RecurrentCellOptions options() {
        return options;
    }

    static RecurrentCellOptions checkTanh(String cell, RecurrentCellOptions options) {
        if (!options.nonlinearity().equals("tanh")) {
            throw new IllegalArgumentException(
                    cell + ": nonlinearity applies to RNNCell only, got '" + options.nonlinearity() + "'");
        }
        return options;
    }

    protected Tensor weightIh() {
        return parameter("weight_ih");
    }

    protected Tensor weightHh() {
        return parameter("weight_hh");
    }

    protected Tensor biasIh() {
        return parameter("bias_ih");
    }

    protected Tensor biasHh() {
        return parameter("bias_hh");
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (options.bias() ? "" : ", bias=False")
                + (options.nonlinearity().equals("tanh") ? "" : ", nonlinearity=" + options.nonlinearity());
    }
}
