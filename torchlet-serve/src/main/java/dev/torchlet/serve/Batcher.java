package dev.torchlet.serve;

import dev.torchlet.MemoryFormat;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * The dynamic batcher of one model. A collector thread takes the first waiting request, then waits up to
 * maxDelay (from that request's arrival) for more, up to maxBatchSize samples; then it waits until the model may run
 * another batch (options.instances) and a shared inference worker is free and, since more requests may have
 * come meanwhile, tops the batch up without waiting.
 * So under light load a request waits at most maxDelay; under heavy load batches fill while the workers are
 * busy. The batch is concatenated to (B, C, H, W), run in no-grad mode under the model's read lock (explain
 * takes the write lock: its hooks must not see other requests) and split back into the requests' rows.
 *
 * <p>Closing stops accepting; requests already queued are still run (see {@link #submit} for the hand-over
 * to a replacement batcher during a reload).
 */
final class Batcher {
    /** What became of a submitted job. */
    enum Offer {
        ACCEPTED,
        QUEUE_FULL,
        CLOSED
    }

    /** How often a collecting batcher looks whether the model went idle. */
    private static final long SLICE_NANOS = 200_000;

    private final ServedModel model;
    private final BatchOptions options;
    private final BlockingQueue<InferenceJob> queue;
    private final Executor workers;
    private final Semaphore freeWorkers;
    private final ReadWriteLock modelLock;
    private final ServerMetrics.BatchSink batchSizes;
    private final Thread collector;
    private final AtomicInteger running = new AtomicInteger(); // batches of this model on the workers
    private final Semaphore instances; // at most options.instances() batches of this model at once
    private volatile boolean closed;
    private InferenceJob carry; // a job that did not fit into the previous batch

    Batcher(
            ServedModel model,
            BatchOptions options,
            Executor workers,
            Semaphore freeWorkers,
            ReadWriteLock modelLock,
            ServerMetrics.BatchSink batchSizes) {
        this.model = model;
        this.options = options;
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        this.workers = workers;
        this.freeWorkers = freeWorkers;
        this.modelLock = modelLock;
        this.batchSizes = batchSizes;
        this.instances = new Semaphore(options.instances());
        this.collector =
                Thread.ofPlatform().daemon(true).name("batcher-" + model.name()).start(this::collectLoop);
    }

    BatchOptions options() {
        return options;
    }

    int queueDepth() {
        return queue.size();
    }

    /**
     * Queues a job. A job offered while the batcher closes is either taken by the collector (which drains the
     * queue before it stops) or removed again here and reported CLOSED, so the caller can hand it to the
     * replacement: it is never lost.
     */
    Offer submit(InferenceJob job) {
        if (closed) {
            return Offer.CLOSED;
        }
        if (!queue.offer(job)) {
            return Offer.QUEUE_FULL;
        }
        if (closed && queue.remove(job)) {
            return Offer.CLOSED;
        }
        return Offer.ACCEPTED;
    }

    /** Stops accepting; queued jobs still run. */
    void close() {
        closed = true;
    }

    /** Waits for the collector to hand off its last batch (tests, shutdown). */
    void awaitDrained(long millis) throws InterruptedException {
        collector.join(millis);
    }

    private void collectLoop() {
        try {
            while (true) {
                InferenceJob first = carry != null ? carry : queue.poll(20, TimeUnit.MILLISECONDS);
                carry = null;
                if (first == null) {
                    if (closed && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                List<InferenceJob> batch = collect(first);
                instances.acquire();
                freeWorkers.acquire();
                topUp(batch);
                running.incrementAndGet();
                workers.execute(() -> {
                    try {
                        run(batch);
                    } finally {
                        running.decrementAndGet();
                        freeWorkers.release();
                        instances.release();
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failQueued(new IllegalStateException("model '" + model.name() + "': batcher interrupted"));
        }
    }

    /**
     * The first job plus whatever arrives until the batch is full or the first job waited maxDelay. While no
     * batch of this model is running, nothing is gained by holding requests back: then only what is already
     * queued joins, and the batch goes at once (so a lone request pays no delay).
     */
    private List<InferenceJob> collect(InferenceJob first) throws InterruptedException {
        List<InferenceJob> batch = new ArrayList<>();
        batch.add(first);
        int samples = first.samples;
        long deadline = first.enqueuedNanos + (long) (options.maxDelayMs() * 1e6);
        while (samples < options.maxBatchSize()) {
            long wait = Math.min(deadline - System.nanoTime(), SLICE_NANOS);
            InferenceJob next = wait > 0 && running.get() > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null && running.get() > 0 && deadline - System.nanoTime() > 0) {
                continue; // the model is busy anyway: keep collecting until the deadline
            }
            if (next == null) {
                break;
            }
            if (samples + next.samples > options.maxBatchSize()) {
                carry = next;
                break;
            }
            batch.add(next);
            samples += next.samples;
        }
        return batch;
    }

    /** Adds jobs that arrived while waiting for a worker, without waiting for more. */
    private void topUp(List<InferenceJob> batch) {
        if (carry != null) {
            return;
        }
        int samples = batch.stream().mapToInt(j -> j.samples).sum();
        while (samples < options.maxBatchSize()) {
            InferenceJob next = queue.poll();
            if (next == null) {
                return;
            }
            if (samples + next.samples > options.maxBatchSize()) {
                carry = next;
                return;
            }
            batch.add(next);
            samples += next.samples;
        }
    }

    /** Runs one batch and completes its jobs; a failure fails every job of the batch with the same message. */
    private void run(List<InferenceJob> batch) {
        List<InferenceJob> live = batch.stream().filter(j -> !j.cancelled()).toList();
        if (live.isEmpty()) {
            return;
        }
        try {
            List<Tensor> inputs = live.stream().map(j -> j.input).toList();
            float[] out;
            long t0 = System.nanoTime();
            modelLock.readLock().lock();
            try (var g = Torch.inferenceMode()) { // activations recycled from batch to batch
                Tensor x = inputs.size() == 1 ? inputs.get(0) : Torch.cat(inputs, 0); // (B, C, H, W)
                if (x.dim() == 4) { // the convolutions' fastest layout in inference; the values are the same
                    x = x.contiguous(MemoryFormat.CHANNELS_LAST);
                }
                out = model.module().call(x).toFloatArray(); // (B, ...) flattened
            } finally {
                modelLock.readLock().unlock();
            }
            int per = model.outputNumel();
            int total = live.stream().mapToInt(j -> j.samples).sum();
            if (out.length != total * per) {
                throw new IllegalStateException("model '" + model.name() + "': batch of " + total + " gave "
                        + out.length + " outputs, expected " + total + " x " + per);
            }
            batchSizes.record(total, System.nanoTime() - t0);
            int offset = 0;
            for (InferenceJob job : live) {
                int n = job.samples * per;
                float[] rows = new float[n];
                System.arraycopy(out, offset, rows, 0, n);
                offset += n;
                job.result.complete(rows);
            }
        } catch (RuntimeException | Error e) {
            live.forEach(j -> j.result.completeExceptionally(e));
        }
    }

    private void failQueued(RuntimeException e) {
        InferenceJob j;
        while ((j = queue.poll()) != null) {
            j.result.completeExceptionally(e);
        }
    }
}
