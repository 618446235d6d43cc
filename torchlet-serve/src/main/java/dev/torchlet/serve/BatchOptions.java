package dev.torchlet.serve;

/**
 * Dynamic batching of one model: requests wait at most {@code maxDelayMs} after the first one of a batch
 * arrived, for at most {@code maxBatchSize} samples; at most {@code queueCapacity} requests wait (more get 503).
 * {@code maxBatchSize} 1 turns batching off. At most {@code instances} batches of the model run at once
 * (default 1: each batch already uses every core through the intra-op pool, and two batches of a large model
 * side by side only oversubscribe the cores; measured on ResNet-18, 2 cores).
 */
public record BatchOptions(int maxBatchSize, double maxDelayMs, int queueCapacity, int instances) {
    /** The queue is an array of this many slots at most (a larger one would be allocated up front). */
    public static final int MAX_QUEUE_CAPACITY = 1_000_000;

    public BatchOptions(int maxBatchSize, double maxDelayMs, int queueCapacity) {
        this(maxBatchSize, maxDelayMs, queueCapacity, 1);
    }

    public BatchOptions {
        if (instances < 1 || instances > 256) {
            throw new IllegalArgumentException("instances must be in [1, 256], got " + instances);
        }
        if (maxBatchSize < 1 || maxBatchSize > 4096) {
            throw new IllegalArgumentException("max batch size must be in [1, 4096], got " + maxBatchSize);
        }
        if (!(maxDelayMs >= 0) || maxDelayMs > 60_000) {
            throw new IllegalArgumentException("max delay must be in [0, 60000] ms, got " + maxDelayMs);
        }
        if (queueCapacity < 1 || queueCapacity > MAX_QUEUE_CAPACITY) {
            throw new IllegalArgumentException(
                    "queue capacity must be in [1, " + MAX_QUEUE_CAPACITY + "], got " + queueCapacity);
        }
    }

    /** 16 samples, 5 ms, 256 queued requests. */
    public static BatchOptions defaults() {
        return new BatchOptions(16, 5, 256);
    }
}
