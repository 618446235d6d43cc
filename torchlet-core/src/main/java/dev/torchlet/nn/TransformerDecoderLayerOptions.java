package dev.torchlet.nn;

/**
 * Options of {@link TransformerDecoderLayer}, as torch.nn.TransformerDecoderLayer's arguments,
 * validated on construction: {@code TransformerDecoderLayerOptions.of(512, 8, 2048).withNormFirst(true)}.
 *
 * @param dModel         model width
 * @param nHead          attention heads (dModel must be divisible by it)
 * @param dimFeedforward hidden width of the feed-forward block; PyTorch's default 2048
 * @param dropout        dropout after each attention, inside and after the feed-forward block; default 0.1
 * @param activation     "relu" (default) or "gelu"
 * @param layerNormEps   epsilon of the three layer norms; default 1e-5
 * @param batchFirst     (B, T, E) inputs if true, (T, B, E) (PyTorch's default) if false
 * @param normFirst      pre-norm (norm before each sub-block) if true; post-norm by default
 */
public record TransformerDecoderLayerOptions(
        int dModel,
        int nHead,
        int dimFeedforward,
        double dropout,
        String activation,
        double layerNormEps,
        boolean batchFirst,
        boolean normFirst) {

    public TransformerDecoderLayerOptions {
        try { // the same rules as the encoder layer's
            new TransformerEncoderLayerOptions(
                    dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage().replace("TransformerEncoderLayer", "TransformerDecoderLayer"), e);
        }
    }

    /** PyTorch's defaults: dropout 0.1, relu, eps 1e-5, time-first, post-norm. */
    public static TransformerDecoderLayerOptions of(int dModel, int nHead, int dimFeedforward) {
        return new TransformerDecoderLayerOptions(dModel, nHead, dimFeedforward, 0.1, "relu", 1e-5, false, false);
    }

    public TransformerDecoderLayerOptions withDropout(double p) {
        return new TransformerDecoderLayerOptions(
                dModel, nHead, dimFeedforward, p, activation, layerNormEps, batchFirst, normFirst);
    }

    public TransformerDecoderLayerOptions withActivation(String name) {
        return new TransformerDecoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, name, layerNormEps, batchFirst, normFirst);
    }

    public TransformerDecoderLayerOptions withLayerNormEps(double eps) {
        return new TransformerDecoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, activation, eps, batchFirst, normFirst);
    }

    public TransformerDecoderLayerOptions withBatchFirst(boolean b) {
        return new TransformerDecoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, b, normFirst);
    }

    public TransformerDecoderLayerOptions withNormFirst(boolean b) {
        return new TransformerDecoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, b);
    }
}
