package dev.torchlet.nn;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import java.util.Arrays;

/**
 * A batch of variable-length sequences packed time-major without padding, as PyTorch's
 * {@code torch.nn.utils.rnn.PackedSequence}; made by {@link dev.torchlet.nn.functional.F#packPaddedSequence}
 * and accepted by {@link RNN}, {@link LSTM} and {@link GRU}.
 *
 * <p>The sequences are in decreasing order of length (the "sorted" batch); step t holds the first
 * {@code batchSizes[t]} sequences, so {@code data} is steps 0, 1, ... one after the other.
 *
 * @param data            (sum of lengths, *) the valid steps of every sequence
 * @param batchSizes      int64 (T): how many sequences are still running at each step (non-increasing)
 * @param sortedIndices   int64 (B) or null: sorted position i holds original sequence sortedIndices[i]
 *                        (null if the batch came sorted, {@code enforceSorted})
 * @param unsortedIndices int64 (B) or null: the inverse permutation (original b is at sorted unsortedIndices[b])
 */
public record PackedSequence(Tensor data, Tensor batchSizes, Tensor sortedIndices, Tensor unsortedIndices) {
    public PackedSequence {
        String op = "PackedSequence";
        if (data == null || batchSizes == null) {
            throw new IllegalArgumentException(op + ": data and batchSizes are required");
        }
        if (batchSizes.dtype() != DType.INT64 || batchSizes.dim() != 1 || batchSizes.numel() == 0) {
            throw new IllegalArgumentException(op + ": batchSizes must be a non-empty 1-D int64 tensor, got "
                    + batchSizes.dtype() + " " + Shape.str(TensorInternals.shapeRef(batchSizes)));
        }
        long[] bs = batchSizes.toLongArray();
        long total = 0;
        for (int t = 0; t < bs.length; t++) {
            if (bs[t] <= 0 || t > 0 && bs[t] > bs[t - 1]) {
                throw new IllegalArgumentException(
                        op + ": batchSizes must be positive and non-increasing, got " + Arrays.toString(bs));
            }
            total += bs[t];
        }
        if (data.dim() < 1 || data.size(0) != total) {
            throw new IllegalArgumentException(op + ": data must have sum(batchSizes) = " + total + " rows, got "
                    + Shape.str(TensorInternals.shapeRef(data)));
        }
        if ((sortedIndices == null) != (unsortedIndices == null)) {
            throw new IllegalArgumentException(op + ": sortedIndices and unsortedIndices come together");
        }
        if (sortedIndices != null && (sortedIndices.numel() != bs[0] || unsortedIndices.numel() != bs[0])) {
            throw new IllegalArgumentException(op + ": expected sortedIndices and unsortedIndices of " + bs[0]
                    + " entries (the batch), got " + sortedIndices.numel() + " and " + unsortedIndices.numel());
        }
    }

    /** The batch: number of sequences (batchSizes[0]). */
    public int batch() {
        return (int) batchSizes.toLongArray()[0];
    }

    /** Steps of the longest sequence. */
    public int maxLength() {
        return batchSizes.numel();
    }

    /** batchSizes as ints. */
    public int[] batchSizesArray() {
        return Arrays.stream(batchSizes.toLongArray()).mapToInt(v -> (int) v).toArray();
    }

    /** Lengths of the sequences in sorted (decreasing) order. */
    public int[] sortedLengths() {
        int[] bs = batchSizesArray();
        int[] len = new int[bs[0]];
        for (int t = 0; t < bs.length; t++) {
            for (int b = 0; b < bs[t]; b++) {
                len[b]++;
            }
        }
        return len;
    }

    /** This packing with other data of the same number of rows (e.g. a layer's output). */
    public PackedSequence withData(Tensor newData) {
        return new PackedSequence(newData, batchSizes, sortedIndices, unsortedIndices);
    }

    /**
     * A padded batch and the sequences' lengths, as {@code pad_packed_sequence} returns them.
     *
     * @param padded  (B, T, *) if batch-first, else (T, B, *); padding steps hold the padding value
     * @param lengths int64 (B), in the order of the padded batch
     */
    public record Padded(Tensor padded, Tensor lengths) {}
}
