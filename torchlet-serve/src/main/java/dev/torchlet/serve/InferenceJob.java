package dev.torchlet.serve;

import dev.torchlet.Tensor;
import java.util.concurrent.CompletableFuture;

/**
 * One request's samples waiting for the batcher: input (n, C, H, W); the result is the n output rows,
 * flattened (n * outputNumel floats). A job whose requester gave up (timeout) is cancelled and skipped.
 */
final class InferenceJob {
    final Tensor input;
    final int samples;
    final long enqueuedNanos = System.nanoTime();
    final CompletableFuture<float[]> result = new CompletableFuture<>();

    InferenceJob(Tensor input) {
        this.input = input;
        this.samples = input.size(0);
    }

    boolean cancelled() {
        return result.isDone();
    }
}
