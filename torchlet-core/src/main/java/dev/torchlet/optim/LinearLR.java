package dev.torchlet.optim;

/**
 * Linear warm-up: the factor goes linearly from startFactor to endFactor over totalIters steps,
 * then stays: lr = base * (start + (end - start) * min(t, totalIters) / totalIters).
 */
public final class LinearLR extends LRScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        if (!(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1) || totalIters <= 0) {
            throw new IllegalArgumentException("LinearLR: need 0 < startFactor <= 1, 0 <= endFactor <= 1 and "
                    + "totalIters > 0, got " + startFactor + ", " + endFactor + ", " + totalIters);
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        initialize();
    }

    @Override
    protected double lrAt(int group, double base, int t) {
        return base * (startFactor + (endFactor - startFactor) * Math.min(t, totalIters) / totalIters);
    }
}
