package dev.torchlet.text;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;

/**
 * A batch of encoded texts of equal length: ids and attention mask (1 for a token, 0 for padding),
 * both (B, T) as int arrays. {@link #inputIds()} and {@link #attentionMask()} give them as int64 tensors, the
 * dtype embeddings and models take.
 */
public record BatchEncoding(int[][] ids, int[][] mask) {
    public BatchEncoding {
        if (ids.length != mask.length) {
            throw new IllegalArgumentException(
                    "BatchEncoding: " + ids.length + " id rows but " + mask.length + " mask rows");
        }
    }

    /** Pads rows (already truncated and wrapped in special tokens) as options say. */
    static BatchEncoding pad(int[][] rows, EncodeOptions options, int padId) {
        int longest = 0;
        for (int[] r : rows) {
            longest = Math.max(longest, r.length);
        }
        int length = options.padding() ? Math.max(options.maxLength(), longest) : longest;
        int[][] ids = new int[rows.length][length];
        int[][] mask = new int[rows.length][length];
        for (int i = 0; i < rows.length; i++) {
            int[] r = rows[i];
            int start = options.padLeft() ? length - r.length : 0;
            java.util.Arrays.fill(ids[i], padId);
            System.arraycopy(r, 0, ids[i], start, r.length);
            java.util.Arrays.fill(mask[i], start, start + r.length, 1);
        }
        return new BatchEncoding(ids, mask);
    }

    public int batchSize() {
        return ids.length;
    }

    /** Row length T (0 for an empty batch). */
    public int length() {
        return ids.length == 0 ? 0 : ids[0].length;
    }

    /** int64 (B, T). */
    public Tensor inputIds() {
        return Torch.tensor(flatten(ids), ids.length, length());
    }

    /** int64 (B, T): 1 where a real token is, 0 on padding. */
    public Tensor attentionMask() {
        return Torch.tensor(flatten(mask), ids.length, length());
    }

    private static long[] flatten(int[][] rows) {
        int t = rows.length == 0 ? 0 : rows[0].length;
        long[] out = new long[rows.length * t];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < t; j++) {
                out[i * t + j] = rows[i][j];
            }
        }
        return out;
    }
}
