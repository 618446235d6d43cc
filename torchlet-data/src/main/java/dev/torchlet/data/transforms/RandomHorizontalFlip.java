package dev.torchlet.data.transforms;

import dev.torchlet.Generator;
import dev.torchlet.Tensor;

/** Mirrors left-right with probability p (default 0.5), like torchvision's RandomHorizontalFlip. */
public final class RandomHorizontalFlip extends RandomTransform implements Transform<Tensor, Tensor> {
    private final double p;

    public RandomHorizontalFlip() {
        this(0.5, null);
    }

    public RandomHorizontalFlip(double p) {
        this(p, null);
    }

    /** generator null: use SampleRandom.current(). */
    public RandomHorizontalFlip(double p, Generator generator) {
        super(generator);
        checkProbability("RandomHorizontalFlip", p);
        this.p = p;
    }

    @Override
    public Tensor apply(Tensor x) {
        return rng().nextDouble() < p ? Functional.hflip(x) : x;
    }
}
