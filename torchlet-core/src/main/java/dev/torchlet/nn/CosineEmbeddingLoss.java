package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** 1 - cos(x1, x2) for y = 1, max(0, cos(x1, x2) - margin) for y = -1. */
public final class CosineEmbeddingLoss {
    private final float margin;
    private final Reduction reduction;

    public CosineEmbeddingLoss() {
        this(0f, Reduction.MEAN);
    }

    public CosineEmbeddingLoss(float margin, Reduction reduction) {
        this.margin = margin;
        this.reduction = reduction;
    }

    public Tensor forward(Tensor x1, Tensor x2, Tensor y) {
        return F.cosineEmbeddingLoss(x1, x2, y, margin, reduction);
    }
}
