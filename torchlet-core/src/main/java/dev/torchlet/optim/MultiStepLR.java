package dev.torchlet.optim;

import java.util.Arrays;

/** lr = base * gamma^(number of milestones &lt;= t). */
public final class MultiStepLR extends LRScheduler {
    private final int[] milestones;
    private final double gamma;

    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
        initialize();
    }

    @Override
    protected double lrAt(int group, double base, int t) {
        int passed = 0;
        for (int m : milestones) {
            if (m <= t) {
                passed++;
            }
        }
        return base * Math.pow(gamma, passed);
    }
}
