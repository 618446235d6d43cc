package dev.torchlet.nn;

import dev.torchlet.ops.Recurrent;

/** Elman RNN, as torch.nn.RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh (default) or relu. */
public class RNN extends RecurrentLayer {
    private final boolean relu;

    public RNN(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) {
        this(inputSize, hiddenSize, numLayers, batchFirst, "tanh", 0.0, true);
    }

    public RNN(int inputSize, int hiddenSize, int numLayers, boolean batchFirst, String nonlinearity, double dropout,
               boolean bias) {
        super(inputSize, hiddenSize, numLayers, batchFirst, dropout, bias, 1);
        if (!nonlinearity.equals("tanh") && !nonlinearity.equals("relu")) {
            throw new IllegalArgumentException("RNN: nonlinearity must be 'tanh' or 'relu', got '" + nonlinearity + "'");
        }
        this.relu = nonlinearity.equals("relu");
    }

    @Override
    protected boolean hasCell() {
        return false;
    }

    @Override
    protected int mode() {
        return relu ? Recurrent.RNN_RELU : Recurrent.RNN_TANH;
    }
}
