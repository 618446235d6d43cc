package dev.torchlet.data.transforms;

import dev.torchlet.Generator;
import dev.torchlet.Tensor;

/**
 * Rotates by an angle ~ U(minDegrees, maxDegrees) counter-clockwise about the center, same size,
 * nearest-neighbour, fill outside; like torchvision's RandomRotation(degrees) with its defaults.
 */
public final class RandomRotation extends RandomTransform implements Transform<Tensor, Tensor> {
    private final double minDegrees;
    private final double maxDegrees;
    private final float fill;

    /** Angles in [-degrees, degrees]. */
    public RandomRotation(double degrees) {
        this(-degrees, degrees, 0f, null);
    }

    public RandomRotation(double minDegrees, double maxDegrees, float fill, Generator generator) {
        super(generator);
        if (!(minDegrees <= maxDegrees)) {
            throw new IllegalArgumentException("RandomRotation: degrees range [" + minDegrees + ", " + maxDegrees
                    + "] is empty (a single degrees value must be >= 0)");
        }
        this.minDegrees = minDegrees;
        this.maxDegrees = maxDegrees;
        this.fill = fill;
    }

    @Override
    public Tensor apply(Tensor x) {
        double angle = uniform(rng(), minDegrees, maxDegrees);
        return Functional.rotate(x, angle, fill);
    }
}
