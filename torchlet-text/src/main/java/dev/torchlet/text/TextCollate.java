package dev.torchlet.text;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.Batch;
import dev.torchlet.data.Collate;
import java.util.ArrayList;
import java.util.List;

/**
 * Collates {@link TokenizedText} samples of different lengths: post-padding to the longest sample of
 * the batch, into {@code Batch[input_ids int64 (B, T), label int64 (B), attention_mask int64 (B, T)]}
 * (so {@code inputs()} and {@code labels()} are the ids and the labels).
 * With a {@link dev.torchlet.data.BucketSampler} the batches need little padding.
 */
public final class TextCollate implements Collate<TokenizedText> {
    private final int padId;

    public TextCollate(int padId) {
        if (padId < 0) {
            throw new IllegalArgumentException("TextCollate: padId must be >= 0, got " + padId);
        }
        this.padId = padId;
    }

    @Override
    public Batch collate(List<TokenizedText> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("TextCollate: empty batch");
        }
        List<int[]> ids = new ArrayList<>(samples.size());
        long[] labels = new long[samples.size()];
        for (int i = 0; i < labels.length; i++) {
            ids.add(samples.get(i).ids());
            labels[i] = samples.get(i).label();
        }
        Tensor x = Sequences.padSequences(ids, 0, Sequences.Side.POST, Sequences.Side.POST, padId);
        int t = x.shape()[1];
        long[] mask = new long[labels.length * t];
        for (int i = 0; i < labels.length; i++) {
            for (int j = 0; j < Math.min(t, ids.get(i).length); j++) {
                mask[i * t + j] = 1;
            }
        }
        return new Batch(
                List.of("input_ids", "label", "attention_mask"),
                List.of(x, Torch.tensor(labels, labels.length), Torch.tensor(mask, labels.length, t)));
    }
}
