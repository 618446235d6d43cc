package dev.torchlet.text;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.List;

/** Padding and truncation of id sequences into one (N, T) batch, like Keras' {@code pad_sequences}. */
public final class Sequences {
    /** Which end gets the padding or loses the extra tokens. */
    public enum Side {
        PRE,
        POST
    }

    private Sequences() {}

    /**
     * The sequences as an int64 (N, T) tensor: T is maxLength, or the longest sequence when
     * maxLength is 0; shorter rows are filled with value on the padding side, longer rows lose their
     * tokens on the truncating side.
     */
    public static Tensor padSequences(List<int[]> sequences, int maxLength, Side padding, Side truncating, long value) {
        int[][] rows = padSequencesToArray(sequences, maxLength, padding, truncating, (int) value);
        int t = rows.length == 0 ? 0 : rows[0].length;
        long[] flat = new long[rows.length * t];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < t; j++) {
                flat[i * t + j] = rows[i][j];
            }
        }
        return Torch.tensor(flat, rows.length, t);
    }

    /** Post-padding with 0 to the longest sequence. */
    public static Tensor padSequences(List<int[]> sequences) {
        return padSequences(sequences, 0, Side.POST, Side.POST, 0);
    }

    /** As {@link #padSequences(List, int, Side, Side, long)}, as int arrays. */
    public static int[][] padSequencesToArray(
            List<int[]> sequences, int maxLength, Side padding, Side truncating, int value) {
        if (sequences == null || sequences.isEmpty()) {
            throw new IllegalArgumentException("padSequences: no sequences");
        }
        if (maxLength < 0) {
            throw new IllegalArgumentException(
                    "padSequences: maxLength must be >= 0 (0: the longest), got " + maxLength);
        }
        int t = maxLength;
        if (t == 0) {
            for (int[] s : sequences) {
                t = Math.max(t, s.length);
            }
        }
        int[][] out = new int[sequences.size()][t];
        for (int i = 0; i < out.length; i++) {
            int[] s = sequences.get(i);
            if (s == null) {
                throw new IllegalArgumentException("padSequences: sequence " + i + " is null");
            }
            int keep = Math.min(t, s.length);
            int from = truncating == Side.PRE ? s.length - keep : 0;
            int to = padding == Side.PRE ? t - keep : 0;
            java.util.Arrays.fill(out[i], value);
            System.arraycopy(s, from, out[i], to, keep);
        }
        return out;
    }
}
