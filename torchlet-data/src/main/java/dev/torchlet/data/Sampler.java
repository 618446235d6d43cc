package dev.torchlet.data;

import dev.torchlet.Generator;

/**
 * Chooses the sample indices of one epoch, like {@code torch.utils.data.Sampler}. The loader hands
 * each epoch a generator seeded from (seed, epoch), so an epoch's order is reproducible and
 * different epochs differ. See {@link Samplers} for the standard ones.
 */
@FunctionalInterface
public interface Sampler {
    /** The indices (each in [0, datasetSize)) to visit this epoch, in order. */
    int[] indices(int datasetSize, Generator rng);
}
