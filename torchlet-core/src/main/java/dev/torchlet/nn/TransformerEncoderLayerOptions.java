package dev.torchlet.nn;

/**
 * Options of {@link TransformerEncoderLayer}, as torch.nn.TransformerEncoderLayer's arguments,
 * validated on construction: {@code TransformerEncoderLayerOptions.of(512, 8, 2048).withActivation("gelu")
 * .withBatchFirst(true).withNormFirst(true)}.
 *
 * @param dModel         model width
 * @param nHead          attention heads (dModel must be divisible by it)
 * @param dimFeedforward hidden width of the feed-forward block; PyTorch's default 2048
 * @param dropout        dropout after attention, inside and after the feed-forward block; default 0.1
 * @param activation     "relu" (default) or "gelu"
 * @param layerNormEps   epsilon of both layer norms; default 1e-5
 * @param batchFirst     (B, T, E) inputs if true, (T, B, E) (PyTorch's default) if false
 * @param normFirst      pre-norm (norm before each sub-block) if true; post-norm by default
 */
public record TransformerEncoderLayerOptions(
        int dModel,
        int nHead,
        int dimFeedforward,
        double dropout,
        String activation,
        double layerNormEps,
        boolean batchFirst,
        boolean normFirst) {

    public TransformerEncoderLayerOptions {
        if (dModel <= 0 || nHead <= 0 || dModel % nHead != 0) {
            throw new IllegalArgumentException(
                    "TransformerEncoderLayer: dModel " + dModel + " must be positive and divisible by nHead " + nHead);
        }
        if (dimFeedforward <= 0) {
            throw new IllegalArgumentException(
                    "TransformerEncoderLayer: dimFeedforward must be positive, got " + dimFeedforward);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("TransformerEncoderLayer: dropout must be in [0, 1), got " + dropout);
        }
        if (!"relu".equals(activation) && !"gelu".equals(activation)) {
            throw new IllegalArgumentException(
                    "TransformerEncoderLayer: activation must be 'relu' or 'gelu', got '" + activation + "'");
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException(
                    "TransformerEncoderLayer: layerNormEps must be positive, got " + layerNormEps);
        }
    }

    /** PyTorch's defaults: dropout 0.1, relu, eps 1e-5, time-first, post-norm. */
    public static TransformerEncoderLayerOptions of(int dModel, int nHead, int dimFeedforward) {
        return new TransformerEncoderLayerOptions(dModel, nHead, dimFeedforward, 0.1, "relu", 1e-5, false, false);
    }

    public TransformerEncoderLayerOptions withDropout(double p) {
        return new TransformerEncoderLayerOptions(
                dModel, nHead, dimFeedforward, p, activation, layerNormEps, batchFirst, normFirst);
    }

    public TransformerEncoderLayerOptions withActivation(String name) {
        return new TransformerEncoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, name, layerNormEps, batchFirst, normFirst);
    }

    public TransformerEncoderLayerOptions withLayerNormEps(double eps) {
        return new TransformerEncoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, activation, eps, batchFirst, normFirst);
    }

    public TransformerEncoderLayerOptions withBatchFirst(boolean b) {
        return new TransformerEncoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, b, normFirst);
    }

    public TransformerEncoderLayerOptions withNormFirst(boolean b) {
        return new TransformerEncoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, b);
    }
}
