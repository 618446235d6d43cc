package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Bulk uniform draws of SplitMix64, the algorithm of {@link java.util.SplittableRandom}: a stream with seed s and
 * gamma g draws mix(s + g), mix(s + 2g), mix(s + 3g), ... so draw i depends only on i, and a long fill can be cut
 * between threads and computed a vector of lanes at a time with the same bits as the one-by-one loop.
 *
 * <pre>
 *   z_i   = seed + (i + 1) * gamma                           (mod 2^64)
 *   mix32 = high 32 bits of Stafford's variant 4 mix of z_i  (SplittableRandom.nextInt())
 *   u_i   = (mix32 &gt;&gt;&gt; 8) * 2^-24  in [0, 1)              (RandomGenerator.nextFloat())
 * </pre>
 * The plain formulas are in {@link RandomReference}; {@code RandomKernelsTest} checks both against
 * {@code new SplittableRandom(seed).nextFloat()}.
 */
public final class RandomKernels {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    /**
     * The kernels' float species, twice L's lanes: two long vectors of counters make one float vector of draws. (A
     * float species of L's lane count, 256-bit, ran here first: once the Transformer's dropout had used it, the
     * direct convolution compiled afterwards in the same JVM called the Vector API's Java fallback for every FMA,
     * a U-Net training step 2.8x slower. The JDK's shared vector code keeps one type profile for all shapes.)
     */
    private static final VectorSpecies<Float> F = Simd.FLOAT;

    private static final long MIX_A = RandomReference.MIX_A;
    private static final long MIX_B = RandomReference.MIX_B;
    private static final float TO_UNIT = RandomReference.TO_UNIT;
    /** Draws per parallel chunk: below this, one thread (a dropout mask of 2M floats takes ~1 ms on one core). */
    private static final int GRAIN = 1 << 16;

    private RandomKernels() {}

    /** A SplitMix64 float stream (seed, gamma) whose draw i is {@link RandomReference#uniformFloat}. */
    public record Draws(long seed, long gamma) {}

    /**
     * d[off + i] = u_{i} of the stream (seed, gamma) for i &lt; n: the first n values of nextFloat() of a
     * SplittableRandom in that state. The caller advances its seed by n * gamma afterwards.
     */
    public static void uniformFloats(long seed, long gamma, float[] d, int off, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> uniformFloatRange(seed, gamma, d, off, s, e));
    }

    /** Draws [s, e) of {@link #uniformFloats}. */
    private static void uniformFloatRange(long seed, long gamma, float[] d, int off, int s, int e) {
        int vf = F.length();
        int i = s;
        if (e - s >= vf) {
            LongVector z0 = firstCounters(seed, gamma, i);
            LongVector z1 = z0.add(L.length() * gamma);
            LongVector step = LongVector.broadcast(L, vf * gamma);
            for (; i <= e - vf; i += vf) {
                uniform(z0, z1).intoArray(d, off + i);
                z0 = z0.add(step);
                z1 = z1.add(step);
            }
        }
        for (; i < e; i++) {
            d[off + i] = RandomReference.uniformFloat(seed, gamma, i);
        }
    }

    /**
     * Inverted dropout with its mask drawn on the fly from the stream (seed, gamma):
     * out[outOff + i] = x[xOff + i] * (u_i &gt;= threshold ? scale : 0) for i &lt; n, the same bits as
     * multiplying by a mask built from {@link #uniformFloats}' draws. Linear in x, so the backward is
     * this same call on the output gradient with the same stream.
     */
    public static void dropout(
            long seed, long gamma, float threshold, float scale, float[] x, int xOff, float[] out, int outOff, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> dropoutRange(seed, gamma, threshold, scale, x, xOff, out, outOff, s, e));
    }

    /**
     * {@link #dropout} of draws [s, e) on the calling thread: out[outOff + i] = x[xOff + i] * mask_i for s &lt;= i
     * &lt; e (offsets may be negative, e.g. -s to write a scratch row from 0).
     */
    static void dropoutRange(
            Draws draws, float threshold, float scale, float[] x, int xOff, float[] out, int outOff, int s, int e) {
        dropoutRange(draws.seed(), draws.gamma(), threshold, scale, x, xOff, out, outOff, s, e);
    }

    private static void dropoutRange(
            long seed,
            long gamma,
            float threshold,
            float scale,
            float[] x,
            int xOff,
            float[] out,
            int outOff,
            int s,
            int e) {
        int vf = F.length();
        int i = s;
        if (e - s >= vf) {
            LongVector z0 = firstCounters(seed, gamma, i);
            LongVector z1 = z0.add(L.length() * gamma);
            LongVector step = LongVector.broadcast(L, vf * gamma);
            FloatVector keep = FloatVector.broadcast(F, scale);
            FloatVector drop = FloatVector.zero(F);
            for (; i <= e - vf; i += vf) {
                FloatVector m = drop.blend(keep, uniform(z0, z1).compare(VectorOperators.GE, threshold));
                FloatVector.fromArray(F, x, xOff + i).mul(m).intoArray(out, outOff + i);
                z0 = z0.add(step);
                z1 = z1.add(step);
            }
        }
        for (; i < e; i++) {
            float m = RandomReference.uniformFloat(seed, gamma, i) >= threshold ? scale : 0f;
            out[outOff + i] = x[xOff + i] * m;
        }
    }

    /** Lane k holds the counter of draw i + k: seed + (i + 1 + k) gamma. */
    private static LongVector firstCounters(long seed, long gamma, int i) {
        return LongVector.broadcast(L, gamma)
                .mul(LongVector.zero(L).addIndex(1))
                .add(seed + (i + 1L) * gamma);
    }

    /**
     * The draws of the counters z0 (lanes [0, L)) and z1 (lanes [L, 2L)): mix32(z) &gt;&gt;&gt; 8, times 2^-24. Each
     * half converts into its own lanes of a float vector, zeros elsewhere, so their sum is exact.
     */
    private static FloatVector uniform(LongVector z0, LongVector z1) {
        FloatVector lo = (FloatVector) mix24(z0).convertShape(VectorOperators.L2F, F, 0);
        FloatVector hi = (FloatVector) mix24(z1).convertShape(VectorOperators.L2F, F, -1);
        return lo.add(hi).mul(TO_UNIT);
    }

    /**
     * mix32(z) &gt;&gt;&gt; 8 per lane: (int) (m &gt;&gt;&gt; 32) &gt;&gt;&gt; 8 == m &gt;&gt;&gt; 40, a 24-bit
     * integer, exact in float.
     */
    private static LongVector mix24(LongVector z) {
        LongVector m = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 33))
                .mul(MIX_A);
        m = m.lanewise(VectorOperators.XOR, m.lanewise(VectorOperators.LSHR, 28))
                .mul(MIX_B);
        return m.lanewise(VectorOperators.LSHR, 40);
    }
}
