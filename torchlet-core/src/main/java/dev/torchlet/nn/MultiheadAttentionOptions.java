package dev.torchlet.nn;

/**
 * Options of {@link MultiheadAttention}, as torch.nn.MultiheadAttention's arguments, validated on
 * construction: {@code MultiheadAttentionOptions.of(512, 8).withDropout(0.1).withBatchFirst(true)}.
 *
 * @param embedDim   model width E (queries and the output have E features)
 * @param numHeads   heads; E must be divisible by it (each head has E / numHeads features)
 * @param dropout    dropout on the attention weights in training, in [0, 1); default 0
 * @param bias       whether the in/out projections have biases; default true
 * @param batchFirst (B, T, E) inputs if true, (T, B, E) (PyTorch's default) if false
 * @param kdim       features of the keys; default E. With kdim or vdim != E the projections are
 *                   the separate {@code q_proj_weight}, {@code k_proj_weight}, {@code v_proj_weight}
 *                   instead of the packed {@code in_proj_weight}, as PyTorch
 * @param vdim       features of the values; default E
 */
public record MultiheadAttentionOptions(
        int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst, int kdim, int vdim) {

    public MultiheadAttentionOptions {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim " + embedDim
                    + " must be positive and divisible by numHeads " + numHeads);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1), got " + dropout);
        }
        if (kdim <= 0 || vdim <= 0) {
            throw new IllegalArgumentException(
                    "MultiheadAttention: kdim and vdim must be positive, got " + kdim + " and " + vdim);
        }
    }

    /** Keys and values with embedDim features. */
    public MultiheadAttentionOptions(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {
        this(embedDim, numHeads, dropout, bias, batchFirst, embedDim, embedDim);
    }

    /** PyTorch's defaults: no dropout, biases, time-first inputs, kdim = vdim = embedDim. */
    public static MultiheadAttentionOptions of(int embedDim, int numHeads) {
        return new MultiheadAttentionOptions(embedDim, numHeads, 0.0, true, false);
    }

    public MultiheadAttentionOptions withDropout(double p) {
        return new MultiheadAttentionOptions(embedDim, numHeads, p, bias, batchFirst, kdim, vdim);
    }

    public MultiheadAttentionOptions withBias(boolean b) {
        return new MultiheadAttentionOptions(embedDim, numHeads, dropout, b, batchFirst, kdim, vdim);
    }

    public MultiheadAttentionOptions withBatchFirst(boolean b) {
        return new MultiheadAttentionOptions(embedDim, numHeads, dropout, bias, b, kdim, vdim);
    }

    /** Key and value feature sizes (PyTorch's kdim, vdim). */
    public MultiheadAttentionOptions withKvDims(int kdim, int vdim) {
        return new MultiheadAttentionOptions(embedDim, numHeads, dropout, bias, batchFirst, kdim, vdim);
    }

    /** Whether keys and values have embedDim features (the packed in_proj_weight layout). */
    public boolean sameEmbedDim() {
        return kdim == embedDim && vdim == embedDim;
    }
}
