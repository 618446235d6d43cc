package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Generator draws exactly SplittableRandom's values, and Torch.rand's bulk fill draws exactly the values (and
 * advances the stream exactly as) per-element draws do, whatever the length and the thread count.
 */
class GeneratorBulkTest {
    @Test
    void bulkFillEqualsElementDraws() {
        Torch.manualSeed(42);
        float[] bulk = Torch.rand(3, 7).toFloatArray();
        float next = Torch.defaultGenerator().nextFloat();
        Torch.manualSeed(42);
        float[] one = new float[21];
        for (int i = 0; i < one.length; i++) {
            one[i] = Torch.defaultGenerator().nextFloat();
        }
        assertArrayEquals(one, bulk, 0f);
        assertArrayEquals(new float[] {Torch.defaultGenerator().nextFloat()}, new float[] {next}, 0f);
    }

    @Test
    void longBulkFillsEqualElementDrawsOnOneAndTwoThreads() {
        int threads = Torch.getNumThreads();
        try {
            for (int t : new int[] {1, 2}) {
                Torch.setNumThreads(t);
                // vector body and scalar tail, one chunk and several (the kernel's grain is 65536 draws)
                for (int n : new int[] {0, 1, 7, 8, 9, 17, 65536 * 2 + 13, 300_001}) {
                    Generator bulk = new Generator(n * 31L + t);
                    Generator one = new Generator(n * 31L + t);
                    bulk.nextFloat(); // start mid-stream
                    one.nextFloat();
                    float[] d = new float[n];
                    bulk.nextFloats(d);
                    for (int i = 0; i < n; i++) {
                        assertEquals(one.nextFloat(), d[i], 0f, "draw " + i + " of " + n + " on " + t + " threads");
                    }
                    assertEquals(one.nextDouble(), bulk.nextDouble(), 0.0, "state after " + n + " draws");
                }
            }
        } finally {
            Torch.setNumThreads(threads);
        }
    }

    @Test
    void bulkDoublesAndGaussiansEqualElementDraws() {
        Generator bulk = new Generator(7);
        Generator one = new Generator(7);
        double[] u = new double[37];
        double[] z = new double[41];
        bulk.nextDoubles(u);
        bulk.nextGaussians(z);
        for (double v : u) {
            assertEquals(one.nextDouble(), v, 0.0);
        }
        for (double v : z) {
            assertEquals(one.nextGaussian(), v, 0.0);
        }
        assertEquals(one.nextDouble(), bulk.nextDouble(), 0.0); // the streams advanced alike
    }

    @Test
    void everyDrawIsSplittableRandoms() {
        for (long seed : new long[] {0, 1, -5, 0x5eed_7041_c4e7L}) {
            Generator g = new Generator(seed);
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < 200; i++) {
                assertEquals(r.nextFloat(), g.nextFloat(), 0f);
                assertEquals(r.nextDouble(), g.nextDouble(), 0.0);
                assertEquals(r.nextGaussian(), g.nextGaussian(), 0.0);
                assertEquals(r.nextInt(1 + i * 7919), g.nextInt(1 + i * 7919));
                assertEquals(r.nextLong(-3, 1L << (i % 63)), g.nextLong(-3, 1L << (i % 63)));
            }
            // split streams (other gammas) too, bulk fills included
            Generator gs = g.split();
            SplittableRandom rs = r.split();
            float[] d = new float[1000];
            gs.nextFloats(d);
            for (float v : d) {
                assertEquals(rs.nextFloat(), v, 0f);
            }
            assertEquals(rs.nextGaussian(), gs.nextGaussian(), 0.0);
            assertEquals(r.nextLong(0, Long.MAX_VALUE), g.nextLong(0, Long.MAX_VALUE)); // the parents advanced alike
        }
    }
}
