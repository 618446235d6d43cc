package dev.torchlet.nn;

/**
 * Options of {@link Transformer}, as torch.nn.Transformer's arguments, validated on construction:
 * {@code TransformerOptions.of(512, 8, 6, 6).withDimFeedforward(1024).withNormFirst(true)}.
 *
 * @param dModel            model width; PyTorch's default 512
 * @param nHead             attention heads (dModel must be divisible by it); default 8
 * @param numEncoderLayers  encoder layers; default 6
 * @param numDecoderLayers  decoder layers; default 6
 * @param dimFeedforward    hidden width of every feed-forward block; default 2048
 * @param dropout           dropout in every layer; default 0.1
 * @param activation        "relu" (default) or "gelu"
 * @param layerNormEps      epsilon of every layer norm; default 1e-5
 * @param batchFirst        (B, T, E) inputs if true, (T, B, E) (PyTorch's default) if false
 * @param normFirst         pre-norm layers if true; post-norm by default
 */
public record TransformerOptions(
        int dModel,
        int nHead,
        int numEncoderLayers,
        int numDecoderLayers,
        int dimFeedforward,
        double dropout,
        String activation,
        double layerNormEps,
        boolean batchFirst,
        boolean normFirst) {

    public TransformerOptions {
        if (numEncoderLayers < 0 || numDecoderLayers < 0) {
            throw new IllegalArgumentException("Transformer: layer counts must be >= 0, got " + numEncoderLayers
                    + " encoder and " + numDecoderLayers + " decoder layers");
        }
        try { // the same rules as the layers'
            new TransformerEncoderLayerOptions(
                    dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("TransformerEncoderLayer", "Transformer"), e);
        }
    }

    /**
     * PyTorch's defaults besides the four sizes: feed-forward 2048, dropout 0.1, relu, eps 1e-5,
     * time-first, post-norm.
     */
    public static TransformerOptions of(int dModel, int nHead, int numEncoderLayers, int numDecoderLayers) {
        return new TransformerOptions(
                dModel, nHead, numEncoderLayers, numDecoderLayers, 2048, 0.1, "relu", 1e-5, false, false);
    }

    public TransformerEncoderLayerOptions encoderLayer() {
        return new TransformerEncoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst);
    }

    public TransformerDecoderLayerOptions decoderLayer() {
        return new TransformerDecoderLayerOptions(
                dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst);
    }

    public TransformerOptions withDimFeedforward(int d) {
        return new TransformerOptions(
                dModel,
                nHead,
                numEncoderLayers,
                numDecoderLayers,
                d,
                dropout,
                activation,
                layerNormEps,
                batchFirst,
                normFirst);
    }

    public TransformerOptions withDropout(double p) {
        return new TransformerOptions(
                dModel,
                nHead,
                numEncoderLayers,
                numDecoderLayers,
                dimFeedforward,
                p,
                activation,
                layerNormEps,
                batchFirst,
                normFirst);
    }

    public TransformerOptions withActivation(String name) {
        return new TransformerOptions(
                dModel,
                nHead,
                numEncoderLayers,
                numDecoderLayers,
                dimFeedforward,
                dropout,
                name,
                layerNormEps,
                batchFirst,
                normFirst);
    }

    public TransformerOptions withLayerNormEps(double eps) {
        return new TransformerOptions(
                dModel,
                nHead,
                numEncoderLayers,
                numDecoderLayers,
                dimFeedforward,
                dropout,
                activation,
                eps,
                batchFirst,
                normFirst);
    }

    public TransformerOptions withBatchFirst(boolean b) {
        return new TransformerOptions(
                dModel,
                nHead,
                numEncoderLayers,
                numDecoderLayers,
                dimFeedforward,
                dropout,
                activation,
                layerNormEps,
                b,
                normFirst);
    }

    public TransformerOptions withNormFirst(boolean b) {
        return new TransformerOptions(
                dModel,
                nHead,
                numEncoderLayers,
                numDecoderLayers,
                dimFeedforward,
                dropout,
                activation,
                layerNormEps,
                batchFirst,
                b);
    }
}
