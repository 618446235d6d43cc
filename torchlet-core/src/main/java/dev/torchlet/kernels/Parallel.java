package dev.torchlet.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.ArrayList;
import java.util.List;

/**
 * The one shared pool for intra-op parallelism, sized to the cores by default
 * ({@code Torch.setNumThreads}). Work below a grain size runs on the calling thread: no hand-off
 * for tiny tensors.
 */
public final class Parallel {
    private static volatile int numThreads = Runtime.getRuntime().availableProcessors();
    private static volatile ForkJoinPool pool = newPool(numThreads);

    private Parallel() {}

    /** A body over the index range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    public static int numThreads() {
        return numThreads;
    }

    public static synchronized void setNumThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("setNumThreads: need at least 1 thread, got " + n);
        }
        if (n != numThreads) {
            ForkJoinPool old = pool;
            pool = newPool(n);
            numThreads = n;
            old.shutdown();
        }
    }

    private static ForkJoinPool newPool(int n) {
        return new ForkJoinPool(n, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("torchlet-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /**
     * Runs body over [0, n) split into at most numThreads chunks, each at least {@code grain} long.
     * Runs inline when one chunk suffices or when already on a pool thread (no nested fan-out).
     */
    public static void forRange(int n, int grain, RangeBody body) {
        int threads = numThreads;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(grain, 1)));
        if (chunks <= 1 || Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w
                && w.getPool() == pool) {
            body.run(0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int s = (int) ((long) n * c / chunks);
            int e = (int) ((long) n * (c + 1) / chunks);
            tasks.add(pool.submit(() -> body.run(s, e)));
        }
        body.run(0, (int) ((long) n / chunks));
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }
}
