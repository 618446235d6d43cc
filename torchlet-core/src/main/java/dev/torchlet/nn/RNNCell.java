package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** Elman RNN cell, as torch.nn.RNNCell: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu. */
public class RNNCell extends RNNCellBase {
    private final boolean relu;

    public RNNCell(int inputSize, int hiddenSize) {
        this(RecurrentCellOptions.of(inputSize, hiddenSize));
    }

    public RNNCell(RecurrentCellOptions options) {
        super(options, 1);
        this.relu = options.nonlinearity().equals("relu");
    }

    /** One step from a zero state: x (B, in) or (in) to h' (B, H) or (H). */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null);
    }

    /** One step: x (B, in) or (in), h (B, H) or (H) or null for zeros; returns h'. */
    public Tensor forward(Tensor input, Tensor h) {
        return F.rnnCell(input, h, weightIh(), weightHh(), biasIh(), biasHh(), relu);
    }

    /** Runs {@link #forward(Tensor, Tensor)} through the forward hooks. */
    public final Tensor call(Tensor input, Tensor h) {
        return callWithHooks(a -> forward((Tensor) a[0], (Tensor) a[1]), input, h);
    }
}
