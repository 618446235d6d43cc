package dev.torchlet;

import java.util.SplittableRandom;

/**
 * A seedable random number generator. The same seed gives the same sequence on every run and
 * platform (SplittableRandom's algorithm is fixed by its specification). The sequences are
 * not PyTorch's: tests compare against PyTorch on fixed inputs, not on random draws.
 */
public final class Generator {
    private SplittableRandom random;

    public Generator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public synchronized void manualSeed(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Uniform in [0, 1). */
    public synchronized float nextFloat() {
        return random.nextFloat();
    }

    /**
     * Fills d with uniform [0, 1) draws: the same values as d.length calls of {@link #nextFloat},
     * under one lock instead of one per element (that locking was a quarter of a Transformer
     * training step, through dropout).
     */
    public synchronized void nextFloats(float[] d) {
        for (int i = 0; i < d.length; i++) {
            d[i] = random.nextFloat();
        }
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

    /** A new independent generator derived from this one (for worker threads). */
    public synchronized Generator split() {
        Generator g = new Generator(0);
        g.random = random.split();
        return g;
    }
}
