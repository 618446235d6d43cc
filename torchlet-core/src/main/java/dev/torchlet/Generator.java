package dev.torchlet;

import dev.torchlet.internal.GeneratorInternals;
import dev.torchlet.kernels.RandomKernels;
import java.util.random.RandomGenerator;

/**
 * A seedable random number generator. The same seed gives the same sequence on every run and
 * platform: the draws are exactly those of {@code new java.util.SplittableRandom(seed)} (SplitMix64,
 * whose algorithm is fixed by its published definition; {@code GeneratorBulkTest} compares the two).
 * The sequences are not PyTorch's: tests compare against PyTorch on fixed inputs, not on random draws.
 *
 * <p>The state is kept here rather than inside a SplittableRandom so that a bulk fill
 * ({@link #nextFloats}, behind {@code Torch.rand} and dropout) can compute its draws in parallel
 * and eight at a time: draw i of the stream depends only on the state and i.
 */
public final class Generator {
    static {
        GeneratorInternals.install((g, count) -> g.reserveFloats(count));
    }

    private SplitMix random;

    public Generator(long seed) {
        this.random = new SplitMix(seed, SplitMix.GOLDEN_GAMMA);
    }

    public synchronized void manualSeed(long seed) {
        this.random = new SplitMix(seed, SplitMix.GOLDEN_GAMMA);
    }

    /** Uniform in [0, 1). */
    public synchronized float nextFloat() {
        return random.nextFloat();
    }

    /**
     * Fills d with uniform [0, 1) draws: the same values as d.length calls of {@link #nextFloat}, under
     * one lock and computed by the vector kernels on the intra-op threads (one by one, this was 4 ns a
     * draw: a third of a Transformer training step went to its dropout masks).
     */
    public synchronized void nextFloats(float[] d) {
        RandomKernels.uniformFloats(random.seed, random.gamma, d, 0, d.length);
        random.seed += d.length * random.gamma;
    }

    /** The next count float draws, left for the caller to compute (fused dropout draws its mask itself). */
    private synchronized RandomKernels.Draws reserveFloats(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("reserveFloats: negative count " + count);
        }
        RandomKernels.Draws draws = new RandomKernels.Draws(random.seed, random.gamma);
        random.seed += count * random.gamma;
        return draws;
    }

    /** Fills d with uniform [0, 1) draws: the same values as d.length calls of {@link #nextDouble}, one lock. */
    public synchronized void nextDoubles(double[] d) {
        for (int i = 0; i < d.length; i++) {
            d[i] = random.nextDouble();
        }
    }

    /** Fills d with standard normal draws: the same values as d.length calls of {@link #nextGaussian}, one lock. */
    public synchronized void nextGaussians(double[] d) {
        for (int i = 0; i < d.length; i++) {
            d[i] = random.nextGaussian();
        }
    }

    /** Uniform in [0, 1). */
    public synchronized double nextDouble() {
        return random.nextDouble();
    }

    /** Standard normal. */
    public synchronized double nextGaussian() {
        return random.nextGaussian();
    }

    /** Uniform integer in [lo, hi). */
    public synchronized long nextLong(long lo, long hi) {
        return random.nextLong(lo, hi);
    }

    /** Uniform int in [0, bound). */
    public synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** A new independent generator derived from this one (for worker threads): SplittableRandom.split(). */
    public synchronized Generator split() {
        Generator g = new Generator(0);
        g.random = random.split();
        return g;
    }

    /**
     * SplittableRandom's algorithm with its state in view: nextLong() = mix64(seed += gamma), nextInt() =
     * mix32(seed += gamma); every other draw (floats, doubles, bounded integers, Gaussians) is
     * {@link RandomGenerator}'s default built on those two, as SplittableRandom's are.
     */
    private static final class SplitMix implements RandomGenerator {
        static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

        long seed;
        final long gamma;

        SplitMix(long seed, long gamma) {
            this.seed = seed;
            this.gamma = gamma;
        }

        @Override
        public long nextLong() {
            long z = seed += gamma;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L; // Stafford's variant 13
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }

        @Override
        public int nextInt() {
            long z = seed += gamma;
            z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L; // Stafford's variant 4, high half
            return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
        }

        /** A child stream: seed from the next long, gamma mixed from the following seed. */
        SplitMix split() {
            long childSeed = nextLong();
            return new SplitMix(childSeed, mixGamma(seed += gamma));
        }

        /** An odd gamma with enough bit transitions (MurmurHash3's 64-bit finalizer). */
        private static long mixGamma(long z) {
            z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
            z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
            z = (z ^ (z >>> 33)) | 1L;
            int transitions = Long.bitCount(z ^ (z >>> 1));
            return transitions < 24 ? z ^ 0xaaaaaaaaaaaaaaaaL : z;
        }
    }
}
