package dev.torchlet.data.transforms;

import dev.torchlet.Generator;
import dev.torchlet.Tensor;

/** Mirrors top-bottom with probability p (default 0.5), like torchvision's RandomVerticalFlip. */
public final class RandomVerticalFlip extends RandomTransform implements Transform<Tensor, Tensor> {
    private final double p;

    public RandomVerticalFlip() {
        this(0.5, null);
    }

    public RandomVerticalFlip(double p) {
        this(p, null);
    }

    /** generator null: use SampleRandom.current(). */
    public RandomVerticalFlip(double p, Generator generator) {
        super(generator);
        checkProbability("RandomVerticalFlip", p);
        this.p = p;
    }

    @Override
    public Tensor apply(Tensor x) {
        return rng().nextDouble() < p ? Functional.vflip(x) : x;
    }
}
