package dev.torchlet.nn;

/**
 * Options of {@link MultiheadAttention}, as torch.nn.MultiheadAttention's arguments, validated on
 * construction: {@code MultiheadAttentionOptions.of(512, 8).withDropout(0.1).withBatchFirst(true)}.
 *
 * @param embedDim   model width E (queries, keys and values all have E features)
 * @param numHeads   heads; E must be divisible by it (each head has E / numHeads features)
 * @param dropout    dropout on the attention weights in training, in [0, 1); default 0
 * @param bias       whether the in/out projections have biases; default true
 * @param batchFirst (B, T, E) inputs if true, (T, B, E) (PyTorch's default) if false
 */
public record MultiheadAttentionOptions(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {

    public MultiheadAttentionOptions {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim " + embedDim
                    + " must be positive and divisible by numHeads " + numHeads);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1), got " + dropout);
        }
    }

    /** PyTorch's defaults: no dropout, biases, time-first inputs. */
    public static MultiheadAttentionOptions of(int embedDim, int numHeads) {
        return new MultiheadAttentionOptions(embedDim, numHeads, 0.0, true, false);
    }

    public MultiheadAttentionOptions withDropout(double p) {
        return new MultiheadAttentionOptions(embedDim, numHeads, p, bias, batchFirst);
    }

    public MultiheadAttentionOptions withBias(boolean b) {
        return new MultiheadAttentionOptions(embedDim, numHeads, dropout, b, batchFirst);
    }

    public MultiheadAttentionOptions withBatchFirst(boolean b) {
        return new MultiheadAttentionOptions(embedDim, numHeads, dropout, bias, b);
    }
}
