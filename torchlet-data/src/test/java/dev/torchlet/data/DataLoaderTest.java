package dev.torchlet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.data.transforms.RandomHorizontalFlip;
import dev.torchlet.internal.TensorInternals;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** Sample i: input = [i, i + 0.5, noise from SampleRandom], label = i % 7. */
    static Dataset<Example> numbers(int n) {
        return new Dataset<>() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Example get(int i) {
                float noise = SampleRandom.current().nextFloat();
                return new Example(TensorInternals.wrap(Storage.of(new float[] {i, i + 0.5f, noise}), 3), i % 7);
            }
        };
    }

    static List<float[]> run(Iterable<Batch> loader) {
        List<float[]> out = new ArrayList<>();
        for (Batch b : loader) {
            out.add(b.inputs().toFloatArray());
            float[] labels = new float[b.size()];
            long[] l = b.labels().toLongArray();
            for (int i = 0; i < l.length; i++) {
                labels[i] = l[i];
            }
            out.add(labels);
        }
        return out;
    }

    @Test
    void sameOrderAndRandomnessForAnyNumberOfWorkers() {
        Dataset<Example> ds = numbers(103);
        var base = new DataLoader.Options(8, true, 1234L);
        List<List<float[]>> runs = new ArrayList<>();
        for (int workers : new int[] {0, 1, 3}) {
            try (var loader = new DataLoader<>(ds, base.withWorkers(workers))) {
                runs.add(run(loader.epoch(0)));
                runs.add(run(loader.epoch(1)));
            }
        }
        for (int r = 2; r < runs.size(); r++) {
            assertEquals(runs.get(r % 2).size(), runs.get(r).size());
            for (int k = 0; k < runs.get(r).size(); k++) {
                assertArrayEquals(runs.get(r % 2).get(k), runs.get(r).get(k), "run " + r + " array " + k);
            }
        }
        // Epochs 0 and 1 differ (order and per-sample noise), but each covers every sample once.
        assertFalse(Arrays.equals(runs.get(0).get(0), runs.get(1).get(0)));
        for (int e = 0; e < 2; e++) {
            Set<Integer> seen = new HashSet<>();
            for (int k = 0; k < runs.get(e).size(); k += 2) {
                float[] x = runs.get(e).get(k);
                for (int i = 0; i < x.length; i += 3) {
                    assertTrue(seen.add((int) x[i]));
                }
            }
            assertEquals(103, seen.size());
        }
    }

    @Test
    void iteratorAdvancesEpochsAndSeedChangesOrder() {
        Dataset<Example> ds = numbers(50);
        var loader = new DataLoader<>(ds, new DataLoader.Options(50, true, 7L));
        float[] e0 = loader.iterator().next().inputs().toFloatArray();
        float[] e1 = loader.iterator().next().inputs().toFloatArray();
        assertFalse(Arrays.equals(e0, e1));
        assertArrayEquals(e0, loader.epoch(0).iterator().next().inputs().toFloatArray());
        loader.setEpoch(1);
        assertArrayEquals(e1, loader.iterator().next().inputs().toFloatArray());
        var other = new DataLoader<>(ds, new DataLoader.Options(50, true, 8L));
        assertFalse(Arrays.equals(e0, other.epoch(0).iterator().next().inputs().toFloatArray()));
    }

    @Test
    void sequentialBatchesAndDropLast() {
        Dataset<Example> ds = numbers(10);
        var keep = new DataLoader<>(ds, new DataLoader.Options(4, false, 0L));
        List<Integer> sizes = new ArrayList<>();
        for (Batch b : keep) {
            sizes.add(b.size());
            assertArrayEquals(new int[] {b.size(), 3}, b.inputs().shape());
        }
        assertEquals(List.of(4, 4, 2), sizes);
        assertEquals(3, keep.size());
        var drop = new DataLoader<>(
                ds, new DataLoader.Options(4, false, 0L).withDropLast(true).withWorkers(2));
        sizes.clear();
        long[] firstLabels = null;
        for (Batch b : drop) {
            sizes.add(b.size());
            if (firstLabels == null) {
                firstLabels = b.labels().toLongArray();
            }
        }
        assertEquals(List.of(4, 4), sizes);
        assertEquals(2, drop.size());
        assertArrayEquals(new long[] {0, 1, 2, 3}, firstLabels);
    }

    @Test
    void randomTransformsAreReproducibleAcrossWorkers() {
        // A random flip driven by SampleRandom: same result for 0 and 2 workers.
        Tensor img = TensorInternals.wrap(Storage.of(new float[] {1, 2, 3, 4, 5, 6}), 1, 2, 3);
        var flip = new RandomHorizontalFlip();
        Dataset<Example> ds = new Dataset<>() {
            public int size() {
                return 40;
            }

            public Example get(int i) {
                return new Example(flip.apply(img), i);
            }
        };
        float[] a =
                run(new DataLoader<>(ds, new DataLoader.Options(5, true, 3L))).getFirst();
        float[] b;
        try (var l = new DataLoader<>(ds, new DataLoader.Options(5, true, 3L).withWorkers(2))) {
            b = run(l).getFirst();
        }
        assertArrayEquals(a, b);
        // Some samples flipped, some not.
        Set<Float> firsts = new HashSet<>();
        for (int i = 0; i < a.length; i += 6) {
            firsts.add(a[i]);
        }
        assertEquals(Set.of(1f, 3f), firsts);
    }

    @Test
    void workerErrorsReachTheConsumer() {
        Dataset<Example> bad = new Dataset<>() {
            public int size() {
                return 20;
            }

            public Example get(int i) {
                if (i == 13) {
                    throw new IllegalStateException("broken sample 13");
                }
                return new Example(TensorInternals.wrap(Storage.of(new float[] {i}), 1), i);
            }
        };
        try (var loader = new DataLoader<>(bad, new DataLoader.Options(4, false, 0L).withWorkers(2))) {
            var e = assertThrows(IllegalStateException.class, () -> {
                for (Batch b : loader) {
                    b.size();
                }
            });
            assertEquals("broken sample 13", e.getMessage());
        }
    }

    @Test
    void customCollateAndIterableDataset() {
        IterableDataset<Integer> stream =
                () -> java.util.stream.IntStream.range(0, 7).boxed().iterator();
        Collate<Integer> sum = s -> Batch.of(TensorInternals.wrap(
                Storage.of(new long[] {s.stream().mapToLong(Integer::longValue).sum()}), 1));
        var loader = new DataLoader<>(stream, new DataLoader.Options(3, false, 0L), sum);
        List<Long> sums = new ArrayList<>();
        for (Batch b : loader) {
            sums.add(b.get(0).toLongArray()[0]);
        }
        assertEquals(List.of(3L, 12L, 6L), sums);
        var dropped = new DataLoader<>(stream, new DataLoader.Options(3, false, 0L).withDropLast(true));
        int n = 0;
        for (Batch b : dropped) {
            assertArrayEquals(new int[] {3}, b.get(0).shape());
            n++;
        }
        assertEquals(2, n);
        assertThrows(
                IllegalArgumentException.class, () -> new DataLoader<>(stream, new DataLoader.Options(3, true, 0L)));
    }

    @Test
    void optionsValidate() {
        var e = assertThrows(IllegalArgumentException.class, () -> new DataLoader.Options(0));
        assertEquals("DataLoader: batchSize must be positive, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataLoader.Options(4, false, 0L).withWorkers(-1));
        assertThrows(IllegalArgumentException.class, () -> new DataLoader.Options(4, false, 0L).withPrefetchFactor(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new DataLoader.Options(4, true, false, 1L, 0, 2, Samplers.sequential()));
        // withSampler turns shuffle off instead of failing.
        assertFalse(new DataLoader.Options(4, true, 0L)
                .withSampler(Samplers.sequential())
                .shuffle());
        // Without a seed, Torch.manualSeed decides it.
        dev.torchlet.Torch.manualSeed(5);
        long s1 = new DataLoader.Options(4).seed();
        dev.torchlet.Torch.manualSeed(5);
        assertEquals(s1, new DataLoader.Options(4).seed());
    }
}
