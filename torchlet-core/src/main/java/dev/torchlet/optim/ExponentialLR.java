package dev.torchlet.optim;

/** lr = base * gamma^t. */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        this.gamma = gamma;
        initialize();
    }

    @Override
    protected double lrAt(int group, double base, int t) {
        return base * Math.pow(gamma, t);
    }
}
