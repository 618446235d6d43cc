package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.ops.Convolution;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private final int saved = Parallel.numThreads();

    @AfterEach
    void restore() {
        Parallel.setNumThreads(saved);
    }

    @Test
    void chunksCoverTheRangeOnceAndDependOnlyOnSizesAndThreads() {
        Parallel.setNumThreads(3);
        for (int round = 0; round < 200; round++) {
            ConcurrentLinkedQueue<int[]> seen = new ConcurrentLinkedQueue<>();
            Parallel.forRange(10, 1, (s, e) -> seen.add(new int[] {s, e}));
            List<int[]> sorted = new ArrayList<>(seen);
            sorted.sort((a, b) -> Integer.compare(a[0], b[0]));
            assertEquals(3, sorted.size());
            assertArrayEquals(new int[] {0, 3}, sorted.get(0));
            assertArrayEquals(new int[] {3, 6}, sorted.get(1));
            assertArrayEquals(new int[] {6, 10}, sorted.get(2));
        }
    }

    @Test
    void dynamicChunksCoverTheRangeOnceWhateverThreadRunsThem() {
        Parallel.setNumThreads(2);
        for (int round = 0; round < 200; round++) {
            ConcurrentLinkedQueue<int[]> seen = new ConcurrentLinkedQueue<>();
            Parallel.forRangeDynamic(10, 3, (s, e) -> seen.add(new int[] {s, e}));
            List<int[]> sorted = new ArrayList<>(seen);
            sorted.sort((a, b) -> Integer.compare(a[0], b[0]));
            // 2 threads x 3 chunks each: [0, 10) cut into 6 fixed chunks
            int[][] expected = {{0, 1}, {1, 3}, {3, 5}, {5, 6}, {6, 8}, {8, 10}};
            assertEquals(expected.length, sorted.size());
            for (int c = 0; c < expected.length; c++) {
                assertArrayEquals(expected[c], sorted.get(c));
            }
        }
        // never more chunks than indices; one thread runs everything as one chunk on the caller
        AtomicInteger calls = new AtomicInteger();
        Parallel.forRangeDynamic(3, 8, (s, e) -> calls.incrementAndGet());
        assertEquals(3, calls.get());
        Parallel.setNumThreads(1);
        Thread caller = Thread.currentThread();
        calls.set(0);
        Parallel.forRangeDynamic(100, 8, (s, e) -> {
            calls.incrementAndGet();
            assertSame(caller, Thread.currentThread());
            assertEquals(0, s);
            assertEquals(100, e);
        });
        assertEquals(1, calls.get());
    }

    @Test
    void grainLimitsTheChunkCountAndSmallWorkRunsOnTheCaller() {
        Parallel.setNumThreads(4);
        AtomicInteger calls = new AtomicInteger();
        Thread caller = Thread.currentThread();
        Parallel.forRange(7, 4, (s, e) -> {
            calls.incrementAndGet();
            assertSame(caller, Thread.currentThread());
            assertEquals(0, s);
            assertEquals(7, e);
        });
        assertEquals(1, calls.get());
    }

    @Test
    void nestedCallsRunInline() {
        Parallel.setNumThreads(2);
        AtomicLong sum = new AtomicLong();
        Parallel.forRange(4, 1, (s, e) -> {
            Thread outer = Thread.currentThread();
            Parallel.forRange(100, 1, (s2, e2) -> {
                assertSame(outer, Thread.currentThread());
                for (int i = s2; i < e2; i++) {
                    sum.addAndGet(i);
                }
            });
        });
        assertEquals(2 * 4950, sum.get());
    }

    @Test
    void exceptionsFromAnyChunkReachTheCaller() {
        Parallel.setNumThreads(2);
        for (int bad = 0; bad < 2; bad++) {
            int b = bad;
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> Parallel.forRange(2, 1, (s, end) -> {
                        if (s == b) {
                            throw new IllegalStateException("chunk " + s);
                        }
                    }));
            assertEquals("chunk " + b, e.getMessage());
        }
        // the pool still works afterwards
        AtomicInteger n = new AtomicInteger();
        Parallel.forRange(2, 1, (s, e) -> n.addAndGet(e - s));
        assertEquals(2, n.get());
    }

    @Test
    void concurrentCallersAllGetCorrectResults() throws Exception {
        Parallel.setNumThreads(2);
        int callers = 4;
        long[] results = new long[callers];
        Thread[] threads = new Thread[callers];
        for (int t = 0; t < callers; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                long total = 0;
                for (int rep = 0; rep < 500; rep++) {
                    long[] parts = new long[2];
                    Parallel.forRange(1000, 1, (s, e) -> {
                        long acc = 0;
                        for (int i = s; i < e; i++) {
                            acc += i;
                        }
                        parts[s == 0 ? 0 : 1] += acc;
                    });
                    total += parts[0] + parts[1];
                }
                results[id] = total;
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(60_000);
            assertTrue(!t.isAlive(), "a caller did not finish");
        }
        for (long r : results) {
            assertEquals(500L * 499_500L, r);
        }
    }

    @Test
    void callsThatCannotUseThePoolRunTheSameChunksInOrder() {
        // nested in a parallel body (the pool is busy, or this is a worker): the chunks are still those of a
        // top-level call, so kernels that key partial sums by chunk give the same bits either way
        Parallel.setNumThreads(3);
        List<int[]> expected = List.of(new int[] {0, 3}, new int[] {3, 6}, new int[] {6, 10});
        Parallel.forRange(2, 1, (s, e) -> {
            List<int[]> seen = new ArrayList<>();
            Parallel.forRange(10, 1, (s2, e2) -> seen.add(new int[] {s2, e2}));
            assertEquals(expected.size(), seen.size(), "chunks of a nested call");
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), seen.get(i), "chunk " + i + " of a nested call");
            }
        });
    }

    @Test
    void aConvolutionWeightGradientDoesNotDependOnWhetherThePoolWasFree() {
        // the weight gradient sums one partial per chunk; another thread holding the pool must not change it
        Parallel.setNumThreads(2);
        Torch.manualSeed(6);
        Tensor x = Torch.randn(8, 3, 10, 10);
        Tensor w = Torch.randn(4, 3, 3, 3);
        Supplier<float[]> weightGrad = () -> {
            Tensor wg = w.detach().requiresGrad(true);
            Convolution.conv2d(x, wg, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1)
                    .sum()
                    .backward();
            return wg.grad().toFloatArray();
        };
        float[] free = weightGrad.get();
        float[][] busy = new float[1][];
        Parallel.forRange(2, 1, (s, e) -> {
            if (s == 0) {
                busy[0] = weightGrad.get(); // the pool is in use by this very job
            }
        });
        assertArrayEquals(free, busy[0], 0f, "conv2d weight grad with the pool busy");
    }
}
