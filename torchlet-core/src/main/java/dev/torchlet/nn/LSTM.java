package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/**
 * Long short-term memory, as torch.nn.LSTM. Gates in PyTorch's order i, f, g, o:
 * <pre>
 *   i = sigmoid(.), f = sigmoid(.), g = tanh(.), o = sigmoid(.)   of  x W_ih^T + b_ih + h W_hh^T + b_hh
 *   c' = f * c + i * g ;  h' = o * tanh(c')
 * </pre>
 */
public class LSTM extends RecurrentLayer {
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) {
        this(RecurrentOptions.of(inputSize, hiddenSize).withNumLayers(numLayers).withBatchFirst(batchFirst));
    }

    /** @deprecated use {@code new LSTM(RecurrentOptions.of(in, hidden).with...)} */
    @Deprecated
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean batchFirst, double dropout, boolean bias) {
        this(new RecurrentOptions(inputSize, hiddenSize, numLayers, "tanh", bias, batchFirst, dropout));
    }

    public LSTM(RecurrentOptions options) {
        super(checkTanh("LSTM", options), 4);
    }

    @Override
    protected boolean hasCell() {
        return true;
    }

    @Override
    protected F.RecurrentCell cell() {
        return F.RecurrentCell.LSTM;
    }
}
