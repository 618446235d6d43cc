package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.Torch;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector draws equal SplittableRandom's nextFloat() stream and the plain formula, bit for bit, at any offset,
 * length (vector body and tail) and thread count; dropout with those draws equals its plain loop, NaN and infinite
 * inputs included (dropped lanes multiply by 0, as the unfused x * mask does).
 */
class RandomKernelsTest {
    @Test
    void drawsAreSplittableRandomsNextFloat() {
        int threads = Torch.getNumThreads();
        try {
            for (int t : new int[] {1, 2}) {
                Torch.setNumThreads(t);
                SplittableRandom parent = new SplittableRandom(17);
                for (int n : new int[] {1, 8, 13, 64, 65536 * 3 + 5}) {
                    // a split stream has its own gamma; its state is observable through a copy's draws
                    long seed = parent.nextLong();
                    long gamma = mixedGamma(parent.nextLong());
                    float[] d = new float[n + 3];
                    RandomKernels.uniformFloats(seed, gamma, d, 3, n);
                    for (int i = 0; i < n; i++) {
                        float expected = RandomReference.uniformFloat(seed, gamma, i);
                        assertEquals(expected, d[3 + i], 0f, "draw " + i + " of " + n + " on " + t + " threads");
                    }
                    assertEquals(0f, d[2], 0f, "nothing written before the offset");
                }
                SplittableRandom golden = new SplittableRandom(-99);
                float[] d = new float[1001];
                RandomKernels.uniformFloats(-99, 0x9e3779b97f4a7c15L, d, 0, d.length);
                for (int i = 0; i < d.length; i++) {
                    assertEquals(golden.nextFloat(), d[i], 0f, "SplittableRandom(-99) draw " + i);
                }
            }
        } finally {
            Torch.setNumThreads(threads);
        }
    }

    @Test
    void dropoutEqualsItsPlainLoop() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {5, 16, 77, 200_003}) {
            float[] x = new float[n + 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            x[2] = Float.NaN;
            x[3] = Float.POSITIVE_INFINITY;
            long seed = r.nextLong();
            long gamma = mixedGamma(r.nextLong());
            float threshold = 0.35f;
            float scale = 1f / (1f - threshold);
            float[] out = new float[n + 1];
            RandomKernels.dropout(seed, gamma, threshold, scale, x, 2, out, 1, n);
            int kept = 0;
            for (int i = 0; i < n; i++) {
                float m = RandomReference.uniformFloat(seed, gamma, i) >= threshold ? scale : 0f;
                assertEquals(x[2 + i] * m, out[1 + i], 0f, "element " + i + " of " + n);
                kept += m != 0f ? 1 : 0;
            }
            if (n > 1000) {
                assertEquals(0.65, kept / (double) n, 0.01, "kept fraction");
            }
        }
    }

    /** An odd gamma, as SplittableRandom.split() makes them (any odd number is a valid stream). */
    private static long mixedGamma(long z) {
        return (z * 0xff51afd7ed558ccdL) | 1L;
    }
}
