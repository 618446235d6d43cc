package dev.torchlet.data;

import dev.torchlet.Generator;
import dev.torchlet.Torch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches a dataset, like {@code torch.utils.data.DataLoader}:
 * <pre>{@code
 * var loader = new DataLoader<>(train, new DataLoader.Options(64, true, 42).withWorkers(2));
 * for (Batch b : loader) { Tensor x = b.inputs(), y = b.labels(); ... }   // one epoch
 * }</pre>
 *
 * <p>Determinism: epoch e visits the indices the sampler draws from a generator seeded by
 * (seed, e), and each sample is loaded with {@link SampleRandom#current()} seeded by
 * (seed, e, position), so batches (including random augmentation that uses SampleRandom) are
 * identical for any number of workers. Each call of {@link #iterator()} starts the next epoch
 * (0, 1, 2, ...); {@link #epoch(int)} iterates a given one.
 *
 * <p>Workers: with numWorkers &gt; 0, batches are loaded and collated on a pool of that many
 * daemon threads (not the intra-op pool), at most numWorkers * prefetchFactor batches ahead of
 * the consumer, and handed out in order. {@link #close()} stops the pool (it also dies with the
 * JVM). An {@link IterableDataset} is read on the calling thread, in stream order.
 */
public final class DataLoader<T> implements Iterable<Batch>, AutoCloseable {
    private static final AtomicInteger POOL_ID = new AtomicInteger();

    /**
     * Loader settings.
     *
     * @param batchSize      samples per batch (&gt; 0)
     * @param shuffle        visit samples in a new random order every epoch (the random sampler)
     * @param dropLast       drop the last batch when it is smaller than batchSize
     * @param seed           seeds shuffling, samplers and per-sample randomness
     * @param numWorkers     background loading threads; 0 loads on the calling thread
     * @param prefetchFactor batches loaded ahead per worker (&gt;= 1)
     * @param sampler        custom index order (null: sequential, or random when shuffle); not with shuffle
     */
    public record Options(
            int batchSize,
            boolean shuffle,
            boolean dropLast,
            long seed,
            int numWorkers,
            int prefetchFactor,
            Sampler sampler) {
        public Options {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("DataLoader: batchSize must be positive, got " + batchSize);
            }
            if (numWorkers < 0) {
                throw new IllegalArgumentException("DataLoader: numWorkers must be >= 0, got " + numWorkers);
            }
            if (prefetchFactor < 1) {
                throw new IllegalArgumentException("DataLoader: prefetchFactor must be >= 1, got " + prefetchFactor);
            }
            if (shuffle && sampler != null) {
                throw new IllegalArgumentException("DataLoader: shuffle=true cannot be combined with a sampler "
                        + "(the sampler decides the order)");
            }
        }

        /** Sequential batches; the seed is drawn from {@link Torch#defaultGenerator()} (see Torch.manualSeed). */
        public Options(int batchSize) {
            this(batchSize, false);
        }

        public Options(int batchSize, boolean shuffle) {
            this(batchSize, shuffle, Torch.defaultGenerator().nextLong(Long.MIN_VALUE, Long.MAX_VALUE));
        }

        public Options(int batchSize, boolean shuffle, long seed) {
            this(batchSize, shuffle, false, seed, 0, 2, null);
        }

        public Options withWorkers(int n) {
            return new Options(batchSize, shuffle, dropLast, seed, n, prefetchFactor, sampler);
        }

        public Options withDropLast(boolean drop) {
            return new Options(batchSize, shuffle, drop, seed, numWorkers, prefetchFactor, sampler);
        }

        public Options withSeed(long s) {
            return new Options(batchSize, shuffle, dropLast, s, numWorkers, prefetchFactor, sampler);
        }

        public Options withPrefetchFactor(int f) {
            return new Options(batchSize, shuffle, dropLast, seed, numWorkers, f, sampler);
        }

        /** Uses the given sampler (and turns shuffle off). */
        public Options withSampler(Sampler s) {
            return new Options(batchSize, false, dropLast, seed, numWorkers, prefetchFactor, s);
        }
    }

    private final Dataset<T> dataset; // map-style, or null
    private final IterableDataset<T> iterable; // stream-style, or null
    private final Options options;
    private final Collate<T> collate;
    private int nextEpoch;
    private ExecutorService pool;

    public DataLoader(Dataset<T> dataset, Options options) {
        this(dataset, options, Collate.defaultCollate());
    }

    public DataLoader(Dataset<T> dataset, Options options, Collate<T> collate) {
        this.dataset = requireNonNull(dataset, "dataset");
        this.iterable = null;
        this.options = requireNonNull(options, "options");
        this.collate = requireNonNull(collate, "collate");
    }

    public DataLoader(IterableDataset<T> dataset, Options options) {
        this(dataset, options, Collate.defaultCollate());
    }

    public DataLoader(IterableDataset<T> dataset, Options options, Collate<T> collate) {
        this.dataset = null;
        this.iterable = requireNonNull(dataset, "dataset");
        this.options = requireNonNull(options, "options");
        this.collate = requireNonNull(collate, "collate");
        if (options.shuffle() || options.sampler() != null) {
            throw new IllegalArgumentException("DataLoader: an IterableDataset has no indices, so shuffle and "
                    + "samplers do not apply (shuffle inside the dataset instead)");
        }
    }

    private static <X> X requireNonNull(X x, String what) {
        if (x == null) {
            throw new IllegalArgumentException("DataLoader: " + what + " is null");
        }
        return x;
    }

    public Options options() {
        return options;
    }

    /** Batches per epoch of a map-style dataset (with the sampler's sample count). */
    public int size() {
        if (dataset == null) {
            throw new UnsupportedOperationException("DataLoader: an IterableDataset has no known length");
        }
        int n = sampler().indices(dataset.size(), epochGenerator(0)).length;
        return options.dropLast() ? n / options.batchSize() : (n + options.batchSize() - 1) / options.batchSize();
    }

    /** Sets the epoch the next {@link #iterator()} call will run. */
    public synchronized void setEpoch(int epoch) {
        this.nextEpoch = epoch;
    }

    /** Iterates the next epoch (0 first), reshuffled from (seed, epoch). */
    @Override
    public Iterator<Batch> iterator() {
        int epoch;
        synchronized (this) {
            epoch = nextEpoch++;
        }
        return epochIterator(epoch);
    }

    /** The batches of a given epoch (does not advance the epoch counter). */
    public Iterable<Batch> epoch(int epoch) {
        return () -> epochIterator(epoch);
    }

    private Iterator<Batch> epochIterator(int epoch) {
        if (iterable != null) {
            return new StreamIterator(epoch);
        }
        int[] order = sampler().indices(dataset.size(), epochGenerator(epoch));
        int bs = options.batchSize();
        int batches = options.dropLast() ? order.length / bs : (order.length + bs - 1) / bs;
        return options.numWorkers() == 0
                ? new SerialIterator(order, batches, epoch)
                : new WorkerIterator(order, batches, epoch);
    }

    private Sampler sampler() {
        if (options.sampler() != null) {
            return options.sampler();
        }
        return options.shuffle() ? Samplers.random() : Samplers.sequential();
    }

    private Generator epochGenerator(int epoch) {
        return new Generator(SampleRandom.mix(options.seed(), epoch, 0x5A3B1E5L));
    }

    /** Loads and collates batch k of an epoch; runs on a worker or the calling thread. */
    private Batch loadBatch(int[] order, int k, int epoch) {
        int bs = options.batchSize();
        int start = k * bs;
        int end = Math.min(order.length, start + bs);
        List<T> samples = new ArrayList<>(end - start);
        for (int p = start; p < end; p++) {
            int index = order[p];
            Generator g = new Generator(SampleRandom.mix(options.seed(), epoch, p));
            samples.add(SampleRandom.with(g, () -> dataset.get(index)));
        }
        return collate.collate(samples);
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            int id = POOL_ID.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(options.numWorkers(), r -> {
                Thread t = new Thread(r, "torchlet-data-" + id + "-worker-" + n.getAndIncrement());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** Stops the worker threads (pending prefetches are cancelled). The loader can be reused: a new pool starts. */
    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }

    private final class SerialIterator implements Iterator<Batch> {
        private final int[] order;
        private final int batches;
        private final int epoch;
        private int k;

        SerialIterator(int[] order, int batches, int epoch) {
            this.order = order;
            this.batches = batches;
            this.epoch = epoch;
        }

        @Override
        public boolean hasNext() {
            return k < batches;
        }

        @Override
        public Batch next() {
            if (k >= batches) {
                throw new NoSuchElementException("DataLoader: epoch " + epoch + " has only " + batches + " batches");
            }
            return loadBatch(order, k++, epoch);
        }
    }

    private final class WorkerIterator implements Iterator<Batch> {
        private final int[] order;
        private final int batches;
        private final int epoch;
        private final int window;
        private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        private int submitted;
        private int k;

        WorkerIterator(int[] order, int batches, int epoch) {
            this.order = order;
            this.batches = batches;
            this.epoch = epoch;
            this.window = options.numWorkers() * options.prefetchFactor();
            fill();
        }

        private void fill() {
            ExecutorService p = pool();
            while (submitted < batches && inFlight.size() < window) {
                int b = submitted++;
                inFlight.addLast(p.submit(() -> loadBatch(order, b, epoch)));
            }
        }

        @Override
        public boolean hasNext() {
            return k < batches;
        }

        @Override
        public Batch next() {
            if (k >= batches) {
                throw new NoSuchElementException("DataLoader: epoch " + epoch + " has only " + batches + " batches");
            }
            Future<Batch> f = inFlight.removeFirst();
            fill();
            try {
                Batch b = f.get();
                k++;
                return b;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("DataLoader: interrupted while waiting for batch " + k, e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                int failed = k;
                for (Future<Batch> g : inFlight) {
                    g.cancel(true);
                }
                inFlight.clear();
                submitted = batches;
                k = batches;
                if (cause instanceof RuntimeException re) {
                    throw re; // the dataset's own error (e.g. "ImageFolder: cannot decode ...") as is
                }
                throw new IllegalStateException(
                        "DataLoader: worker failed loading batch " + failed + ": " + cause, cause);
            }
        }
    }

    private final class StreamIterator implements Iterator<Batch> {
        private final Iterator<T> source;
        private final int epoch;
        private int position;
        private Batch next;

        StreamIterator(int epoch) {
            this.epoch = epoch;
            this.source = iterable.iterator();
            advance();
        }

        private void advance() {
            int bs = options.batchSize();
            List<T> samples = new ArrayList<>(bs);
            while (samples.size() < bs) {
                Generator g = new Generator(SampleRandom.mix(options.seed(), epoch, position));
                T s = SampleRandom.with(g, () -> source.hasNext() ? source.next() : null);
                if (s == null) {
                    break;
                }
                samples.add(s);
                position++;
            }
            boolean keep = !samples.isEmpty() && (samples.size() == bs || !options.dropLast());
            next = keep ? collate.collate(samples) : null;
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Batch next() {
            if (next == null) {
                throw new NoSuchElementException("DataLoader: the stream is exhausted");
            }
            Batch b = next;
            advance();
            return b;
        }
    }
}
