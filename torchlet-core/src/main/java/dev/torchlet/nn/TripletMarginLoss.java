package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * max(d(a, p) - d(a, n) + margin, 0) with the p-norm distance d, as torch.nn.TripletMarginLoss;
 * defaults margin 1, p 2, eps 1e-6, no swap, mean reduction. Three inputs: {@code call(anchor,
 * positive, negative)}.
 */
public final class TripletMarginLoss extends Module {
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

    /** Runs the loss through its forward hooks. */
    public Tensor call(Tensor anchor, Tensor positive, Tensor negative) {
        return callWithHooks(a -> forward((Tensor) a[0], (Tensor) a[1], (Tensor) a[2]), anchor, positive, negative);
    }

    /** Needs three inputs: always throws, naming the right call. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(
                "TripletMarginLoss takes (anchor, positive, negative): use " + "call(anchor, positive, negative)");
    }

    public Reduction reduction() {
        return reduction;
    }
}
