package dev.torchlet.optim;

/**
 * The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR, two phases, cosine annealing): lr rises
 * from maxLr/divFactor to maxLr over pctStart of totalSteps, then falls to
 * maxLr/(divFactor*finalDivFactor). With cycleMomentum, the optimizer's momentum (SGD) or beta1
 * (Adam) moves the opposite way between maxMomentum and baseMomentum.
 */
public final class OneCycleLR extends LRScheduler {
    private final double maxLr;
    private final int totalSteps;
    private final double initialLr;
    private final double minLr;
    private final double warmupEnd;
    private final boolean cycleMomentum;
    private final double baseMomentum;
    private final double maxMomentum;

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, 25, 1e4, true, 0.85, 0.95);
    }

    public OneCycleLR(
            Optimizer optimizer,
            double maxLr,
            int totalSteps,
            double pctStart,
            double divFactor,
            double finalDivFactor,
            boolean cycleMomentum,
            double baseMomentum,
            double maxMomentum) {
        super(withInitialLr(optimizer, maxLr / divFactor));
        if (totalSteps <= 0 || !(pctStart >= 0 && pctStart <= 1)) {
            throw new IllegalArgumentException(
                    "OneCycleLR: need totalSteps > 0 and 0 <= pctStart <= 1, got " + totalSteps + ", " + pctStart);
        }
        this.maxLr = maxLr;
        this.totalSteps = totalSteps;
        this.initialLr = maxLr / divFactor;
        this.minLr = initialLr / finalDivFactor;
        this.warmupEnd = pctStart * totalSteps - 1;
        this.cycleMomentum = cycleMomentum;
        this.baseMomentum = baseMomentum;
        this.maxMomentum = maxMomentum;
        initialize();
    }

    private static Optimizer withInitialLr(Optimizer optimizer, double lr) {
        for (ParamGroup g : optimizer.paramGroups()) {
            g.options().put("initial_lr", lr);
        }
        return optimizer;
    }

    private static double cosine(double start, double end, double pct) {
        return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
    }

    @Override
    protected double lrAt(int group, double base, int t) {
        if (t > totalSteps) {
            throw new IllegalStateException(
                    "OneCycleLR: stepped " + t + " times, more than totalSteps = " + totalSteps);
        }
        double lr;
        double momentum;
        if (t <= warmupEnd) {
            double pct = t / warmupEnd;
            lr = cosine(initialLr, maxLr, pct);
            momentum = cosine(maxMomentum, baseMomentum, pct);
        } else {
            double pct = (t - warmupEnd) / (totalSteps - 1 - warmupEnd);
            lr = cosine(maxLr, minLr, pct);
            momentum = cosine(baseMomentum, maxMomentum, pct);
        }
        if (cycleMomentum) {
            ParamGroup g = optimizer.paramGroups().get(group);
            if (g.options().containsKey("beta1")) {
                g.set("beta1", momentum);
            } else if (g.options().containsKey("momentum")) {
                g.set("momentum", momentum);
            }
        }
        return lr;
    }
}
