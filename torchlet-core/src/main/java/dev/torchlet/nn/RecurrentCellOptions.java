package dev.torchlet.nn;

/**
 * Options of {@link RNNCell}, {@link LSTMCell} and {@link GRUCell}, as torch.nn's cell arguments:
 * {@code new RNNCell(RecurrentCellOptions.of(10, 20).withNonlinearity("relu"))}.
 *
 * @param inputSize    features of the input
 * @param hiddenSize   features of the hidden state
 * @param bias         whether the cell has b_ih and b_hh; default true
 * @param nonlinearity "tanh" (default) or "relu"; only RNNCell accepts "relu"
 */
public record RecurrentCellOptions(int inputSize, int hiddenSize, boolean bias, String nonlinearity) {
    public RecurrentCellOptions {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException(
                    "recurrent cell: sizes must be positive, got input=" + inputSize + ", hidden=" + hiddenSize);
        }
        if (!"tanh".equals(nonlinearity) && !"relu".equals(nonlinearity)) {
            throw new IllegalArgumentException(
                    "RNNCell: nonlinearity must be 'tanh' or 'relu', got '" + nonlinearity + "'");
        }
    }

    /** PyTorch's defaults: biases, tanh. */
    public static RecurrentCellOptions of(int inputSize, int hiddenSize) {
        return new RecurrentCellOptions(inputSize, hiddenSize, true, "tanh");
    }

    public RecurrentCellOptions withBias(boolean b) {
        return new RecurrentCellOptions(inputSize, hiddenSize, b, nonlinearity);
    }

    public RecurrentCellOptions withNonlinearity(String name) {
        return new RecurrentCellOptions(inputSize, hiddenSize, bias, name);
    }
}
