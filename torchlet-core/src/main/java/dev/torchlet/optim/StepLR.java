package dev.torchlet.optim;

/** lr = base * gamma^floor(t / stepSize). */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) {
            throw new IllegalArgumentException("StepLR: stepSize must be positive, got " + stepSize);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialize();
    }

    @Override
    protected double lrAt(int group, double base, int t) {
        return base * Math.pow(gamma, t / stepSize);
    }
}
