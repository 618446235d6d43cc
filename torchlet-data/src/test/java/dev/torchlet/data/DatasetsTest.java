package dev.torchlet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Torch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetsTest {
    static Dataset<Integer> range(int from, int n) {
        return new Dataset<>() {
            public int size() {
                return n;
            }

            public Integer get(int i) {
                return from + Dataset.checkIndex("range", i, n);
            }
        };
    }

    @Test
    void subsetAndConcat() {
        var sub = new Subset<>(range(0, 10), new int[] {7, 2, 2});
        assertEquals(3, sub.size());
        assertEquals(List.of(7, 2, 2), List.of(sub.get(0), sub.get(1), sub.get(2)));
        assertThrows(IndexOutOfBoundsException.class, () -> new Subset<>(range(0, 10), new int[] {10}));
        var cat = ConcatDataset.<Integer>of(range(0, 3), range(100, 0), range(10, 2), range(20, 1));
        assertEquals(6, cat.size());
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < cat.size(); i++) {
            all.add(cat.get(i));
        }
        assertEquals(List.of(0, 1, 2, 10, 11, 20), all);
        var e = assertThrows(IndexOutOfBoundsException.class, () -> cat.get(6));
        assertEquals("ConcatDataset: index 6 is out of range for a dataset of 6 samples", e.getMessage());
        assertEquals(
                List.of(0, 2, 4),
                List.of(
                        range(0, 3).map(x -> 2 * x).get(0),
                        range(0, 3).map(x -> 2 * x).get(1),
                        range(0, 3).map(x -> 2 * x).get(2)));
    }

    @Test
    void randomSplitIsSeededAndDisjoint() {
        var ds = range(0, 100);
        var a = Datasets.randomSplit(ds, new int[] {70, 20, 10}, 5);
        var b = Datasets.randomSplit(ds, new int[] {70, 20, 10}, 5);
        var c = Datasets.randomSplit(ds, new int[] {70, 20, 10}, 6);
        assertArrayEquals(a.get(0).indices(), b.get(0).indices());
        assertNotEquals(
                List.of(a.get(0).get(0), a.get(0).get(1), a.get(0).get(2)),
                List.of(c.get(0).get(0), c.get(0).get(1), c.get(0).get(2)));
        Set<Integer> seen = new HashSet<>();
        for (var s : a) {
            for (int i = 0; i < s.size(); i++) {
                assertTrue(seen.add(s.get(i)));
            }
        }
        assertEquals(100, seen.size());
        var f = Datasets.randomSplit(range(0, 11), new double[] {0.5, 0.5}, 1);
        assertEquals(List.of(6, 5), List.of(f.get(0).size(), f.get(1).size()));
        var e = assertThrows(IllegalArgumentException.class, () -> Datasets.randomSplit(ds, new int[] {50, 49}, 1));
        assertEquals("randomSplit: lengths [50, 49] sum to 99, but the dataset has 100 samples", e.getMessage());
    }

    @Test
    void tensorDatasetChecksSizes() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> new TensorDataset(Torch.zeros(4, 2), Torch.zeros(5)));
        assertEquals("TensorDataset: size mismatch along dim 0 between tensors [4, 2], [5]", e.getMessage());
        var ds = new TensorDataset(Torch.arange(6).reshape(3, 2), Torch.zeros(3));
        assertArrayEquals(new long[] {4, 5}, ds.get(2).get(0).toLongArray());
    }
}
