package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;

/**
 * Adds a learned position embedding: {@code y[.., pos, :] = x[.., pos, :] + weight[pos, :]} with a
 * trained parameter {@code weight} (maxLen, D), initialized N(0, 1) like nn.Embedding (GPT-2's
 * {@code wpe}, BERT's position embeddings). Input (B, T, D) with batchFirst (the default here),
 * else (T, B, D); positions start at {@code offset} (0 for {@link #forward(Tensor)}).
 */
public class LearnedPositionalEncoding extends Module {
    private final int maxLen;
    private final int dModel;
    private final boolean batchFirst;

    public LearnedPositionalEncoding(int maxLen, int dModel) {
        this(maxLen, dModel, true);
    }

    public LearnedPositionalEncoding(int maxLen, int dModel, boolean batchFirst) {
        if (dModel <= 0 || maxLen <= 0) {
            throw new IllegalArgumentException(
                    "LearnedPositionalEncoding: maxLen and dModel must be positive, got " + maxLen + " and " + dModel);
        }
        this.maxLen = maxLen;
        this.dModel = dModel;
        this.batchFirst = batchFirst;
        registerParameter("weight", Torch.randn(maxLen, dModel));
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /** Positions offset .. offset+T-1. */
    public Tensor forward(Tensor x, int offset) {
        int t = SinusoidalPositionalEncoding.PositionChecks.sequenceLength(
                "LearnedPositionalEncoding", x, dModel, maxLen, offset, batchFirst);
        Tensor pe = parameter("weight").narrow(0, offset, t); // (T, D)
        return x.add(batchFirst ? pe : pe.unsqueeze(1));
    }

    /** Runs {@link #forward(Tensor, int)} through the forward hooks. */
    public final Tensor call(Tensor x, int offset) {
        return callWithHooks(a -> forward((Tensor) a[0], (Integer) a[1]), x, offset);
    }

    @Override
    protected String extraRepr() {
        return maxLen + ", " + dModel + ", batchFirst=" + batchFirst;
    }
}
