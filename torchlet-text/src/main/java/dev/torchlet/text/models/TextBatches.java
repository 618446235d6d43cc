package dev.torchlet.text.models;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;

/** Shared checks and masks of the text classifiers' (B, T) int64 id batches, padded after the text. */
final class TextBatches {
    private TextBatches() {}

    /** Real tokens per row: the count of ids other than padId (at least 1, so an empty text is one pad token). */
    static int[] lengths(Tensor ids, int padId, String model) {
        check(ids, model);
        int b = ids.shape()[0];
        int t = ids.shape()[1];
        long[] v = ids.toLongArray();
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            int n = 0;
            for (int j = 0; j < t; j++) {
                n += v[i * t + j] != padId ? 1 : 0;
            }
            lengths[i] = Math.max(1, n);
        }
        return lengths;
    }

    /** (B, T) bool, true where the id is padding (PyTorch's key_padding_mask: true = ignore). */
    static Tensor paddingMask(Tensor ids, int padId, String model) {
        check(ids, model);
        return ids.eq(padId);
    }

    private static void check(Tensor ids, String model) {
        if (ids.dim() != 2 || ids.dtype() != DType.INT64) {
            throw new IllegalArgumentException(model + ": expected int64 token ids (batch, length), got " + ids.dtype()
                    + " " + Shape.str(ids.shape()));
        }
    }
}
