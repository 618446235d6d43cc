package dev.torchlet.kernels;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one shared pool for intra-op parallelism, sized to the cores by default
 * ({@code Torch.setNumThreads}). Work below a grain size runs on the calling thread: no hand-off
 * for tiny tensors.
 *
 * <p>A training step makes hundreds of short parallel calls (a GEMM slice, an elementwise op), so the
 * hand-off must cost microseconds, not the ~50 us of waking a parked fork-join worker. The pool is
 * therefore OpenMP-like: numThreads - 1 worker threads plus the caller share each job; after a job a
 * worker spins for {@link #SPIN_NANOS} waiting for the next one before it parks.
 *
 * <p>Determinism: a job over [0, n) is always cut into the same chunks (a function of n, the grain
 * and the thread count only); which thread runs which chunk does not matter to a kernel that keys
 * its partial results by the chunk's start.
 */
public final class Parallel {
    /** How long an idle worker keeps polling for the next job before parking. */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private static volatile int numThreads = Runtime.getRuntime().availableProcessors();
    private static volatile Pool pool = new Pool(numThreads);

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
            Pool old = pool;
            pool = new Pool(n);
            numThreads = n;
            old.shutdown();
        }
    }

    /**
     * Runs body over [0, n) split into at most numThreads chunks, each at least {@code grain} long.
     * Runs on the calling thread when one chunk suffices, when already inside a parallel job (no nested
     * fan-out), or when another thread is using the pool (concurrent callers, e.g. a server's request
     * threads); it then still runs the same chunks, one after the other in order, so that a kernel keying
     * partial results by chunk gives the same bits whether or not the pool was free.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        run(n, Math.min(numThreads, Math.max(1, n / Math.max(grain, 1))), body);
    }

    /**
     * Runs body over [0, n) cut into up to {@code chunksPerThread} chunks per thread (never more than n), which
     * the threads claim one at a time: a thread that finishes early (the other was woken late, or shares its
     * core with another guest) takes more chunks instead of waiting at the join. For bodies whose chunks are
     * expensive and independent, such as a GEMM's blocks of rows; the chunks are the same for any scheduling.
     */
    public static void forRangeDynamic(int n, int chunksPerThread, RangeBody body) {
        int threads = numThreads;
        run(n, threads == 1 ? 1 : (int) Math.min(n, (long) threads * Math.max(chunksPerThread, 1)), body);
    }

    private static void run(int n, int chunks, RangeBody body) {
        Pool p = pool;
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        if (Thread.currentThread() instanceof Worker || !p.busy.compareAndSet(false, true)) {
            for (int c = 0; c < chunks; c++) {
                body.run(chunkStart(n, c, chunks), chunkStart(n, c + 1, chunks));
            }
            return;
        }
        try {
            p.run(new Job(body, n, chunks));
        } finally {
            p.busy.set(false);
        }
    }

    /** Start of chunk c of [0, n) cut into {@code chunks} (c == chunks gives n). */
    private static int chunkStart(int n, int c, int chunks) {
        return (int) ((long) n * c / chunks);
    }

    /** One parallel call: chunk c covers [n*c/chunks, n*(c+1)/chunks). Chunks are claimed through {@code next}. */
    private static final class Job {
        final RangeBody body;
        final int n;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger remaining;
        volatile Throwable error;

        Job(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.remaining = new AtomicInteger(chunks);
        }

        /** Claims and runs chunks until none is left (after a failure, the rest are only counted down). */
        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    if (error == null) {
                        body.run(chunkStart(n, c, chunks), chunkStart(n, c + 1, chunks));
                    }
                } catch (Throwable t) {
                    if (error == null) {
                        error = t;
                    }
                } finally {
                    remaining.decrementAndGet();
                }
            }
        }
    }

    /** The caller plus numThreads - 1 spinning-then-parking workers. */
    private static final class Pool {
        final AtomicBoolean busy = new AtomicBoolean();
        final Worker[] workers;
        volatile Job current;
        volatile boolean shutdown;

        Pool(int threads) {
            workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        void run(Job job) {
            current = job;
            for (Worker w : workers) {
                if (w.sleeping) {
                    LockSupport.unpark(w);
                }
            }
            job.work();
            // wait for chunks still running on workers
            for (int spins = 0; job.remaining.get() > 0; spins++) {
                if (spins < 1 << 16) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // a worker was descheduled mid-chunk
                }
            }
            current = null; // do not keep the body's arrays reachable from idle workers
            Throwable t = job.error;
            if (t instanceof RuntimeException re) {
                throw re;
            } else if (t instanceof Error e) {
                throw e;
            } else if (t != null) {
                throw new RuntimeException(t);
            }
        }

        void shutdown() {
            shutdown = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }

    /** A pool thread: runs every new job it sees, spins a while, then parks until the next one. */
    private static final class Worker extends Thread {
        private final Pool pool;
        volatile boolean sleeping;

        Worker(Pool pool, int index) {
            super("torchlet-" + index);
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job last = null;
            while (!pool.shutdown) {
                Job job = pool.current;
                if (job != last) {
                    last = job;
                    if (job != null) {
                        job.work();
                    }
                    continue;
                }
                if (spinUntilNewJob(last)) {
                    continue;
                }
                sleeping = true;
                if (pool.current == last && !pool.shutdown) { // re-check after announcing: no lost wake-up
                    LockSupport.park(this);
                }
                sleeping = false;
            }
        }

        /** Polls for a job other than last for up to SPIN_NANOS; true if one arrived. */
        private boolean spinUntilNewJob(Job last) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (true) {
                for (int i = 0; i < 64; i++) {
                    if (pool.current != last || pool.shutdown) {
                        return true;
                    }
                    Thread.onSpinWait();
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
            }
        }
    }
}
