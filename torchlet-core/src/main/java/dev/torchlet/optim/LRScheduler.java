package dev.torchlet.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * Base of the epoch/step-indexed learning-rate schedulers: {@link #step()} advances the counter
 * and sets each group's "lr" to {@link #lrAt}(base lr of the group, counter). Construction sets
 * the lr for step 0, like PyTorch.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    private final List<Double> baseLrs = new ArrayList<>();
    private int lastEpoch;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        for (ParamGroup g : optimizer.paramGroups()) {
            g.options().putIfAbsent("initial_lr", g.lr());
            baseLrs.add(g.get("initial_lr"));
        }
        lastEpoch = 0;
    }

    /** Call once from the subclass constructor, after its fields are set. */
    protected final void initialize() {
        apply();
    }

    /** The learning rate of a group with base lr {@code baseLr} at step {@code t} (t = 0 at construction). */
    protected abstract double lrAt(int group, double baseLr, int t);

    public void step() {
        lastEpoch++;
        apply();
    }

    private void apply() {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).setLr(lrAt(i, baseLrs.get(i), lastEpoch));
        }
    }

    /** The current learning rate of each group. */
    public List<Double> lastLr() {
        List<Double> out = new ArrayList<>();
        optimizer.paramGroups().forEach(g -> out.add(g.lr()));
        return out;
    }

    public int lastEpoch() {
        return lastEpoch;
    }

    /** Restores the counter (e.g. from a checkpoint) and re-applies the lr for it. */
    public void setLastEpoch(int epoch) {
        lastEpoch = epoch;
        apply();
    }
}
