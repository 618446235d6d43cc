package dev.torchlet.optim;

/**
 * Divides the lr by 1/factor when a metric has stopped improving for more than {@code patience}
 * epochs (mode "min" or "max", relative threshold), then waits {@code cooldown} epochs; never
 * below minLr, and changes smaller than eps are skipped. As torch.optim.lr_scheduler.ReduceLROnPlateau.
 */
public final class ReduceLROnPlateau {
    private final Optimizer optimizer;
    private final boolean minimize;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final int cooldown;
    private final double minLr;
    private final double eps;
    private double best;
    private int badEpochs;
    private int cooldownLeft;

    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, "min", 0.1, 10, 1e-4, 0, 0, 1e-8);
    }

    public ReduceLROnPlateau(
            Optimizer optimizer,
            String mode,
            double factor,
            int patience,
            double threshold,
            int cooldown,
            double minLr,
            double eps) {
        if (!mode.equals("min") && !mode.equals("max")) {
            throw new IllegalArgumentException("ReduceLROnPlateau: mode must be 'min' or 'max', got '" + mode + "'");
        }
        if (!(factor < 1 && factor > 0)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: factor should be in (0, 1), got " + factor);
        }
        this.optimizer = optimizer;
        this.minimize = mode.equals("min");
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.best = minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    private boolean isBetter(double value) {
        return minimize ? value < best * (1 - threshold) : value > best * (1 + threshold);
    }

    /** Records one epoch's metric (e.g. validation loss) and reduces the lr if it has plateaued. */
    public void step(double metric) {
        if (isBetter(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            for (ParamGroup g : optimizer.paramGroups()) {
                double old = g.lr();
                double next = Math.max(old * factor, minLr);
                if (old - next > eps) {
                    g.setLr(next);
                }
            }
            cooldownLeft = cooldown;
            badEpochs = 0;
        }
    }
}
