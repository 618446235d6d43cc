package dev.torchlet.nn;

/**
 * Options of {@link RNN}, {@link LSTM} and {@link GRU}, as torch.nn's recurrent arguments, validated
 * on construction: {@code new LSTM(RecurrentOptions.of(128, 256).withNumLayers(2).withBidirectional(true))}.
 *
 * @param inputSize     features per step of the input
 * @param hiddenSize    features of the hidden state
 * @param numLayers     stacked layers; default 1
 * @param nonlinearity  "tanh" (default) or "relu"; only RNN accepts "relu"
 * @param bias          whether the layers have b_ih and b_hh; default true
 * @param batchFirst    (B, T, in) inputs if true, (T, B, in) (PyTorch's default) if false
 * @param dropout       dropout on the outputs of every layer but the last, in training, in [0, 1]; default 0
 * @param bidirectional a second, time-reversed direction per layer ({@code *_reverse} parameters), outputs
 *                      concatenated on the feature axis; default false
 * @param projSize      LSTM only: if &gt; 0, h = (o * tanh(c)) W_hr^T has projSize features (0 &lt; projSize &lt;
 *                      hiddenSize); default 0 (no projection)
 */
public record RecurrentOptions(
        int inputSize,
        int hiddenSize,
        int numLayers,
        String nonlinearity,
        boolean bias,
        boolean batchFirst,
        double dropout,
        boolean bidirectional,
        int projSize) {

    public RecurrentOptions {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException("recurrent layer: sizes must be positive, got input=" + inputSize
                    + ", hidden=" + hiddenSize + ", layers=" + numLayers);
        }
        if (!"tanh".equals(nonlinearity) && !"relu".equals(nonlinearity)) {
            throw new IllegalArgumentException(
                    "RNN: nonlinearity must be 'tanh' or 'relu', got '" + nonlinearity + "'");
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("recurrent layer: dropout must be in [0, 1], got " + dropout);
        }
        if (projSize < 0 || projSize >= hiddenSize && projSize != 0) {
            throw new IllegalArgumentException("LSTM: projSize must be 0 (no projection) or in [1, hiddenSize = "
                    + hiddenSize + "), got " + projSize);
        }
    }

    /** The options without bidirectional and projSize (unidirectional, no projection). */
    public RecurrentOptions(
            int inputSize,
            int hiddenSize,
            int numLayers,
            String nonlinearity,
            boolean bias,
            boolean batchFirst,
            double dropout) {
        this(inputSize, hiddenSize, numLayers, nonlinearity, bias, batchFirst, dropout, false, 0);
    }

    /** PyTorch's defaults: one layer, tanh, biases, time-first, no dropout, one direction, no projection. */
    public static RecurrentOptions of(int inputSize, int hiddenSize) {
        return new RecurrentOptions(inputSize, hiddenSize, 1, "tanh", true, false, 0.0, false, 0);
    }

    /** 2 if bidirectional, else 1. */
    public int numDirections() {
        return bidirectional ? 2 : 1;
    }

    /** Features of the hidden state h (and of each direction's output): projSize if set, else hiddenSize. */
    public int outputHiddenSize() {
        return projSize > 0 ? projSize : hiddenSize;
    }

    public RecurrentOptions withNumLayers(int n) {
        return new RecurrentOptions(
                inputSize, hiddenSize, n, nonlinearity, bias, batchFirst, dropout, bidirectional, projSize);
    }

    public RecurrentOptions withNonlinearity(String name) {
        return new RecurrentOptions(
                inputSize, hiddenSize, numLayers, name, bias, batchFirst, dropout, bidirectional, projSize);
    }

    public RecurrentOptions withBias(boolean b) {
        return new RecurrentOptions(
                inputSize, hiddenSize, numLayers, nonlinearity, b, batchFirst, dropout, bidirectional, projSize);
    }

    public RecurrentOptions withBatchFirst(boolean b) {
        return new RecurrentOptions(
                inputSize, hiddenSize, numLayers, nonlinearity, bias, b, dropout, bidirectional, projSize);
    }

    public RecurrentOptions withDropout(double p) {
        return new RecurrentOptions(
                inputSize, hiddenSize, numLayers, nonlinearity, bias, batchFirst, p, bidirectional, projSize);
    }

    public RecurrentOptions withBidirectional(boolean b) {
        return new RecurrentOptions(
                inputSize, hiddenSize, numLayers, nonlinearity, bias, batchFirst, dropout, b, projSize);
    }

    public RecurrentOptions withProjSize(int p) {
        return new RecurrentOptions(
                inputSize, hiddenSize, numLayers, nonlinearity, bias, batchFirst, dropout, bidirectional, p);
    }
}
