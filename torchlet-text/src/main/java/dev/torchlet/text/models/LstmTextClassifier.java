package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Embedding;
import dev.torchlet.nn.LSTM;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.RecurrentLayer;
import dev.torchlet.nn.RecurrentOptions;
import dev.torchlet.nn.functional.F;
import java.util.List;

/**
 * A text classifier: token embeddings, a bidirectional LSTM run over each sequence's real tokens only
 * (packed, so padding never enters the recurrence), the last hidden states of both directions joined, dropout
 * and a linear layer.
 *
 * <pre>
 *   ids (B, T) int64, padId after the text
 *   embedding   Embedding(vocab, E, paddingIdx)          (B, T, E)
 *   lstm        LSTM(E, H, bidirectional, batch first)   h_n (2, B, H) at each sequence's last real token
 *   [h_fwd; h_bwd] -> dropout -> fc Linear(2H, classes)   (B, classes) logits
 * </pre>
 */
public final class LstmTextClassifier extends Module {
    private final int padId;

    public LstmTextClassifier(int vocabSize, int padId, int numClasses, int embedDim, int hiddenSize, double dropout) {
        this.padId = padId;
        registerModule("embedding", new Embedding(vocabSize, embedDim, padId));
        registerModule(
                "lstm",
                new LSTM(RecurrentOptions.of(embedDim, hiddenSize)
                        .withBatchFirst(true)
                        .withBidirectional(true)),
                RecurrentLayer.class);
        registerModule("dropout", new Dropout(dropout));
        registerModule("fc", new Linear(2 * hiddenSize, numClasses));
    }

    @Override
    public Tensor forward(Tensor ids) {
        int[] lengths = TextBatches.lengths(ids, padId, "LstmTextClassifier");
        Tensor x = child("embedding").call(ids);
        RecurrentLayer lstm = (RecurrentLayer) child("lstm");
        Tensor h = lstm.call(F.packPaddedSequence(x, lengths, true, false), null, null)
                .hidden(); // (2, B, H)
        Tensor both = Torch.cat(List.of(h.select(0, 0), h.select(0, 1)), 1); // (B, 2H)
        return child("fc").call(child("dropout").call(both));
    }
}
