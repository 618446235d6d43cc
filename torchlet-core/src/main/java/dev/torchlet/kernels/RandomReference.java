package dev.torchlet.kernels;

/**
 * The plain formulas of {@link RandomKernels}: draw i of a SplitMix64 stream (seed, gamma) as
 * SplittableRandom.nextFloat() returns it, and dropout with that mask in double (the float64 path).
 */
public final class RandomReference {
    /** Stafford's variant 4 mix constants (SplittableRandom's mix32). */
    static final long MIX_A = 0x62a9d9ed799705f5L;

    static final long MIX_B = 0xcb24d0a5c88c35b3L;
    /** 2^-24: a 24-bit integer to [0, 1). */
    static final float TO_UNIT = 0x1.0p-24f;

    private RandomReference() {}

    /** u_i = (mix32(seed + (i + 1) gamma) &gt;&gt;&gt; 8) * 2^-24, in [0, 1). */
    public static float uniformFloat(long seed, long gamma, long i) {
        long z = seed + (i + 1) * gamma;
        z = (z ^ (z >>> 33)) * MIX_A;
        int bits = (int) (((z ^ (z >>> 28)) * MIX_B) >>> 32);
        return (bits >>> 8) * TO_UNIT;
    }

    /** out[outOff + i] = x[xOff + i] * (u_i &gt;= threshold ? scale : 0) for i &lt; n. */
    public static void dropout(
            long seed,
            long gamma,
            float threshold,
            double scale,
            double[] x,
            int xOff,
            double[] out,
            int outOff,
            int n) {
        for (int i = 0; i < n; i++) {
            double m = uniformFloat(seed, gamma, i) >= threshold ? scale : 0.0;
            out[outOff + i] = x[xOff + i] * m;
        }
    }
}
