package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * 1 - cos(x1, x2) for y = 1, max(0, cos(x1, x2) - margin) for y = -1, as
 * torch.nn.CosineEmbeddingLoss. Three inputs: {@code call(x1, x2, y)}.
 */
public final class CosineEmbeddingLoss extends Module {
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

    /** Runs the loss through its forward hooks. */
    public Tensor call(Tensor x1, Tensor x2, Tensor y) {
        return callWithHooks(a -> forward((Tensor) a[0], (Tensor) a[1], (Tensor) a[2]), x1, x2, y);
    }

    /** Needs three inputs: always throws, naming the right call. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("CosineEmbeddingLoss takes (x1, x2, y): use call(x1, x2, y)");
    }

    public Reduction reduction() {
        return reduction;
    }
}
