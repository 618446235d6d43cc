package dev.torchlet.optim;

/**
 * lr = etaMin + (base - etaMin) (1 + cos(pi t / tMax)) / 2, continuing periodically past tMax
 * (the closed form of PyTorch's recursive rule).
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax <= 0) {
            throw new IllegalArgumentException("CosineAnnealingLR: tMax must be positive, got " + tMax);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialize();
    }

    @Override
    protected double lrAt(int group, double base, int t) {
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
    }
}
