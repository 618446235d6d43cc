package dev.torchlet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Generator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SamplersTest {
    @Test
    void weightedSamplerFollowsTheWeights() {
        double[] w = {1, 0, 3, 6};
        int n = 200_000;
        int[] idx = Samplers.weightedRandom(w, n, true).indices(4, new Generator(11));
        int[] counts = new int[4];
        for (int i : idx) {
            counts[i]++;
        }
        assertEquals(0, counts[1], "zero weight never drawn");
        // Expected 0.1, 0.3, 0.6; binomial std at n=200k is ~0.001, allow 0.005.
        assertEquals(0.1, counts[0] / (double) n, 0.005);
        assertEquals(0.3, counts[2] / (double) n, 0.005);
        assertEquals(0.6, counts[3] / (double) n, 0.005);
    }

    @Test
    void weightedWithoutReplacementDrawsDistinctPositiveIndices() {
        int[] idx =
                Samplers.weightedRandom(new double[] {1, 0, 3, 6, 2}, 4, false).indices(5, new Generator(3));
        int[] sorted = idx.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 2, 3, 4}, sorted);
        var e = assertThrows(
                IllegalArgumentException.class, () -> Samplers.weightedRandom(new double[] {1, 0}, 2, false));
        assertTrue(e.getMessage().contains("without replacement from 1 indices"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Samplers.weightedRandom(new double[] {1, -1}, 2, true));
        var m = assertThrows(
                IllegalArgumentException.class,
                () -> Samplers.weightedRandom(new double[] {1, 1}, 2, true).indices(3, new Generator(0)));
        assertEquals("WeightedRandomSampler: 2 weights for a dataset of 3 samples", m.getMessage());
    }

    @Test
    void sequentialAndRandom() {
        assertArrayEquals(new int[] {0, 1, 2, 3}, Samplers.sequential().indices(4, new Generator(0)));
        int[] p = Samplers.random().indices(50, new Generator(1));
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        assertArrayEquals(Samplers.sequential().indices(50, null), sorted);
        assertArrayEquals(p, Samplers.random().indices(50, new Generator(1)));
        int[] rep = Samplers.random(true, 1000).indices(3, new Generator(2));
        assertEquals(1000, rep.length);
        assertTrue(Arrays.stream(rep).allMatch(i -> i >= 0 && i < 3));
        int[] noRep = Samplers.random(false, 7).indices(3, new Generator(2));
        assertEquals(7, noRep.length);
        int[] firstThree = Arrays.copyOf(noRep, 3);
        Arrays.sort(firstThree);
        assertArrayEquals(new int[] {0, 1, 2}, firstThree);
    }

    @Test
    void loaderUsesTheSampler() {
        var ds = DatasetsTest.range(0, 4).map(i -> (long) i);
        var loader = new DataLoader<>(
                ds,
                new DataLoader.Options(100, false, 9L)
                        .withSampler(Samplers.weightedRandom(new double[] {0, 0, 1, 0}, 6, true)));
        assertArrayEquals(
                new long[] {2, 2, 2, 2, 2, 2}, loader.iterator().next().get(0).toLongArray());
    }
}
