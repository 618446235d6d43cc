package dev.torchlet.data.transforms;

import dev.torchlet.Generator;
import dev.torchlet.data.SampleRandom;

/**
 * Base of the random transforms: draws from the generator given at construction, or, when none
 * was given, from {@link SampleRandom#current()} (per-sample and reproducible inside a
 * DataLoader, {@code Torch.defaultGenerator()} elsewhere).
 */
abstract class RandomTransform {
    private final Generator generator;

    RandomTransform(Generator generator) {
        this.generator = generator;
    }

    final Generator rng() {
        return generator != null ? generator : SampleRandom.current();
    }

    /** Uniform in [lo, hi). */
    static double uniform(Generator g, double lo, double hi) {
        return lo + (hi - lo) * g.nextDouble();
    }

    static void checkProbability(String op, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(op + ": probability must be in [0, 1], got " + p);
        }
    }
}
