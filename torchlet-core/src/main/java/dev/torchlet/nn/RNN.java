package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/** Elman RNN, as torch.nn.RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh (default) or relu. */
public class RNN extends RecurrentLayer {
    private final boolean relu;

    public RNN(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) {
        this(RecurrentOptions.of(inputSize, hiddenSize).withNumLayers(numLayers).withBatchFirst(batchFirst));
    }

    /** @deprecated use {@code new RNN(RecurrentOptions.of(in, hidden).withNonlinearity("relu")...)} */
    @Deprecated
    public RNN(
            int inputSize,
            int hiddenSize,
            int numLayers,
            boolean batchFirst,
            String nonlinearity,
            double dropout,
            boolean bias) {
        this(new RecurrentOptions(inputSize, hiddenSize, numLayers, nonlinearity, bias, batchFirst, dropout));
    }

    public RNN(RecurrentOptions options) {
        super(checkNoProjection("RNN", options), 1);
        this.relu = options.nonlinearity().equals("relu");
    }

    @Override
    protected boolean hasCell() {
        return false;
    }

    @Override
    protected F.RecurrentCell cell() {
        return relu ? F.RecurrentCell.RNN_RELU : F.RecurrentCell.RNN_TANH;
    }
}
