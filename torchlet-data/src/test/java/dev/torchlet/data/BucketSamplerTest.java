package dev.torchlet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Generator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BucketSamplerTest {
    static int[] lengths(int n, long seed) {
        Generator g = new Generator(seed);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = 1 + g.nextInt(200);
        }
        return l;
    }

    /** Sum over batches of (max - min) length: the padding spread. */
    static long spread(int[] order, int[] lengths, int batchSize) {
        long s = 0;
        for (int b = 0; b < order.length; b += batchSize) {
            int lo = Integer.MAX_VALUE;
            int hi = 0;
            for (int k = b; k < Math.min(order.length, b + batchSize); k++) {
                lo = Math.min(lo, lengths[order[k]]);
                hi = Math.max(hi, lengths[order[k]]);
            }
            s += hi - lo;
        }
        return s;
    }

    @Test
    void batchesHaveSimilarLengthsAndCoverEveryIndexOnce() {
        int[] lengths = lengths(1003, 1);
        var sampler = new BucketSampler(lengths, 16, 20, true);
        int[] order = sampler.indices(lengths.length, new Generator(7));
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        int[] random = Samplers.permutation(lengths.length, new Generator(7));
        long bucketed = spread(order, lengths, 16);
        long plain = spread(random, lengths, 16);
        assertTrue(bucketed * 10 < plain, "bucketed spread " + bucketed + " vs random " + plain);
        assertArrayEquals(order, sampler.indices(lengths.length, new Generator(7)), "same seed, same order");
        assertFalse(Arrays.equals(order, sampler.indices(lengths.length, new Generator(8))), "new epoch, new order");
        // the partial batch (1003 = 62 * 16 + 11) stays last
        assertEquals(11, order.length - 62 * 16);
    }

    @Test
    void withoutShuffleSortsByLength() {
        int[] lengths = {5, 1, 4, 1, 3};
        int[] order = new BucketSampler(lengths, 2, 1, false).indices(5, new Generator(0));
        assertArrayEquals(new int[] {1, 3, 4, 2, 0}, order);
    }

    @Test
    void drivesTheDataLoader() {
        int[] lengths = lengths(100, 2);
        var ds = new Dataset<Integer>() {
            public int size() {
                return lengths.length;
            }

            public Integer get(int i) {
                return lengths[i];
            }
        };
        var loader = new DataLoader<>(
                ds, new DataLoader.Options(10, false, 3).withSampler(new BucketSampler(lengths, 10, 5, true)));
        int seen = 0;
        for (Batch b : loader) {
            seen += b.size();
        }
        assertEquals(100, seen);
        assertThrows(
                IllegalArgumentException.class,
                () -> new BucketSampler(lengths, 10, 5, true).indices(99, new Generator(0)));
        assertThrows(IllegalArgumentException.class, () -> new BucketSampler(new int[] {-1}, 1, 1, true));
    }
}
