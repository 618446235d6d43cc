package dev.torchlet.nn;

import dev.torchlet.Tensor;

/**
 * Long short-term memory, as torch.nn.LSTM. Gates in PyTorch's order i, f, g, o:
 * <pre>
 *   i = sigmoid(.), f = sigmoid(.), g = tanh(.), o = sigmoid(.)   of  x W_ih^T + b_ih + h W_hh^T + b_hh
 *   c' = f * c + i * g ;  h' = o * tanh(c')
 * </pre>
 */
public class LSTM extends RecurrentLayer {
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) {
        this(inputSize, hiddenSize, numLayers, batchFirst, 0.0, true);
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean batchFirst, double dropout, boolean bias) {
        super(inputSize, hiddenSize, numLayers, batchFirst, dropout, bias, 4);
    }

    @Override
    protected boolean hasCell() {
        return true;
    }

    @Override
    protected Tensor[] cell(Tensor xProj, Tensor[] state, Tensor whh, Tensor bhh) {
        Tensor gates = xProj.add(hiddenProjection(state[0], whh, bhh)); // (B, 4H)
        int h = hiddenSize;
        Tensor i = gates.narrow(1, 0, h).sigmoid();
        Tensor f = gates.narrow(1, h, h).sigmoid();
        Tensor g = gates.narrow(1, 2 * h, h).tanh();
        Tensor o = gates.narrow(1, 3 * h, h).sigmoid();
        Tensor c = f.mul(state[1]).add(i.mul(g));
        return new Tensor[] {o.mul(c.tanh()), c};
    }
}
