package dev.torchlet.data;

import dev.torchlet.Generator;
import dev.torchlet.Torch;

/**
 * The generator random transforms use when they were given none. Inside a {@link DataLoader}
 * it is a per-sample generator seeded from (loader seed, epoch, position in the epoch), so
 * random augmentation is reproducible and the same whatever the number of workers; elsewhere it
 * is {@link Torch#defaultGenerator()}.
 */
public final class SampleRandom {
    private static final ThreadLocal<Generator> CURRENT = new ThreadLocal<>();

    private SampleRandom() {}

    /** The generator for the sample being loaded on this thread, or the default generator. */
    public static Generator current() {
        Generator g = CURRENT.get();
        return g != null ? g : Torch.defaultGenerator();
    }

    /** Runs body with g as this thread's sample generator. */
    static <R> R with(Generator g, java.util.function.Supplier<R> body) {
        Generator previous = CURRENT.get();
        CURRENT.set(g);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** A 64-bit mix of several values (SplitMix64 finalizer), for deriving seeds. */
    static long mix(long... values) {
        long h = 0x9E3779B97F4A7C15L;
        for (long v : values) {
            h ^= v + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2);
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            h ^= h >>> 31;
        }
        return h;
    }
}
