package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;

/**
 * A lookup table: int64 indices (*) to rows of weight (num, dim), giving (*, dim). Weight starts
 * N(0, 1); the paddingIdx row (if any) starts at zero and gets no gradient.
 */
public class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final Integer paddingIdx;

    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, null);
    }

    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException(
                    "Embedding: sizes must be positive, got num=" + numEmbeddings + ", dim=" + embeddingDim);
        }
        if (paddingIdx != null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)) {
            throw new IllegalArgumentException(
                    "Embedding: paddingIdx " + paddingIdx + " must be within num_embeddings " + numEmbeddings);
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? null : (paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx);
        Tensor w = registerParameter("weight", Torch.zeros(numEmbeddings, embeddingDim));
        Init.normal(w, 0, 1);
        if (this.paddingIdx != null) {
            Init.zeros(w.select(0, this.paddingIdx)); // the padding row starts at zero
        }
    }

    public Tensor weight() {
        return parameter("weight");
    }

    @Override
    public Tensor forward(Tensor indices) {
        return F.embedding(indices, weight(), paddingIdx);
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx != null ? ", padding_idx=" + paddingIdx : "");
    }
}
