package dev.torchlet.nn;

import dev.torchlet.nn.functional.F;

/**
 * Gated recurrent unit, as torch.nn.GRU. Gates in PyTorch's order r, z, n:
 * <pre>
 *   r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r * h_n)
 *   h' = (1 - z) * n + z * h
 * </pre>
 * where x_* = x W_i*^T + b_i* and h_* = h W_h*^T + b_h*.
 */
public class GRU extends RecurrentLayer {
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) {
        this(RecurrentOptions.of(inputSize, hiddenSize).withNumLayers(numLayers).withBatchFirst(batchFirst));
    }

    /** @deprecated use {@code new GRU(RecurrentOptions.of(in, hidden).with...)} */
    @Deprecated
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean batchFirst, double dropout, boolean bias) {
        this(new RecurrentOptions(inputSize, hiddenSize, numLayers, "tanh", bias, batchFirst, dropout));
    }

    public GRU(RecurrentOptions options) {
        super(checkNoProjection("GRU", checkTanh("GRU", options)), 3);
    }

    @Override
    protected boolean hasCell() {
        return false;
    }

    @Override
    protected F.RecurrentCell cell() {
        return F.RecurrentCell.GRU;
    }
}
