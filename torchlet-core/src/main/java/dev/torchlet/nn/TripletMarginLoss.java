package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** max(d(a, p) - d(a, n) + margin, 0); defaults margin 1, p 2, eps 1e-6, no swap. */
public final class TripletMarginLoss {
    private final float margin;
    private final float p;
    private final float eps;
    private final boolean swap;
    private final Reduction reduction;

    public TripletMarginLoss() {
        this(1f, 2f, 1e-6f, false, Reduction.MEAN);
    }

    public TripletMarginLoss(float margin, float p, float eps, boolean swap, Reduction reduction) {
        this.margin = margin;
        this.p = p;
        this.eps = eps;
        this.swap = swap;
        this.reduction = reduction;
    }

    public Tensor forward(Tensor anchor, Tensor positive, Tensor negative) {
        return F.tripletMarginLoss(anchor, positive, negative, margin, p, eps, swap, reduction);
    }
}
