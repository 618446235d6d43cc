package dev.torchlet.text.models;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Embedding;
import dev.torchlet.nn.LayerNorm;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ModuleList;
import dev.torchlet.nn.TransformerEncoderLayer;
import dev.torchlet.nn.TransformerEncoderLayerOptions;

/**
 * A small Transformer text classifier: token plus learned position embeddings, pre-norm encoder layers that
 * ignore padding (key padding mask), the mean of the real tokens' outputs, a final layer norm and a linear head.
 *
 * <pre>
 *   ids (B, T) int64, padId after the text, T &lt;= maxLength
 *   embedding(ids) + position(0..T-1)                    (B, T, D)
 *   layers.i    TransformerEncoderLayer(D, heads, 2D, gelu, pre-norm, batch first), padding masked
 *   mean over the real tokens -> norm LayerNorm(D) -> fc Linear(D, classes)   (B, classes) logits
 * </pre>
 */
public final class TransformerTextClassifier extends Module {
    private final int padId;
    private final int maxLength;

    public TransformerTextClassifier(
            int vocabSize,
            int padId,
            int numClasses,
            int maxLength,
            int dModel,
            int heads,
            int layers,
            double dropout) {
        this.padId = padId;
        this.maxLength = maxLength;
        registerModule("embedding", new Embedding(vocabSize, dModel, padId));
        registerModule("position", new Embedding(maxLength, dModel));
        ModuleList stack = new ModuleList();
        for (int i = 0; i < layers; i++) {
            stack.add(new TransformerEncoderLayer(TransformerEncoderLayerOptions.of(dModel, heads, 2 * dModel)
                    .withDropout(dropout)
                    .withActivation("gelu")
                    .withNormFirst(true)
                    .withBatchFirst(true)));
        }
        registerModule("layers", stack);
        registerModule("norm", new LayerNorm(dModel));
        registerModule("fc", new Linear(dModel, numClasses));
    }

    @Override
    public Tensor forward(Tensor ids) {
        Tensor padding = TextBatches.paddingMask(ids, padId, "TransformerTextClassifier"); // (B, T), true = pad
        int t = ids.shape()[1];
        if (t > maxLength) {
            throw new IllegalArgumentException(
                    "TransformerTextClassifier: sequence length " + t + " exceeds maxLength " + maxLength);
        }
        Tensor x = child("embedding").call(ids).add(child("position").call(Torch.arange(t))); // (B, T, D)
        for (Module layer : (ModuleList) child("layers")) {
            x = ((TransformerEncoderLayer) layer).call(x, null, padding);
        }
        Tensor real = ids.ne(padId).to(DType.FLOAT32).unsqueeze(2); // (B, T, 1), 1 for real tokens
        Tensor mean = x.mul(real).sum(1, false).div(real.sum(1, false).clampMin(1f)); // (B, D)
        return child("fc").call(child("norm").call(mean));
    }
}
