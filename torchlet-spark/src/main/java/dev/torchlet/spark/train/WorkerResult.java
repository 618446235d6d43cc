package dev.torchlet.spark.train;

import dev.torchlet.spark.TensorPayload;
import java.io.Serializable;

/**
 * What one partition sends back for a step (synchronous SGD) or a round (parameter averaging), summed across
 * partitions by {@code treeAggregate}:
 * <ul>
 *   <li>{@code tensors}: synchronous: gradient of (mean loss x shard rows), i.e. of the shard's summed loss;
 *       averaging: the trained parameters and buffers;
 *   <li>{@code buffers}: synchronous only: batch-norm running statistics x shard rows (null when the model has
 *       none);
 *   <li>{@code optimizerState}: averaging only: the local optimizer's state dict;
 *   <li>summed loss (over rows), rows seen and the number of partitions that contributed.
 * </ul>
 */
final class WorkerResult implements Serializable {
    private static final long serialVersionUID = 1L;

    TensorPayload tensors;
    TensorPayload buffers;
    TensorPayload optimizerState;
    double lossSum;
    long rows;
    int workers;

    static WorkerResult empty() {
        return new WorkerResult();
    }

    /** a + b, reusing a's arrays (treeAggregate's seqOp and combOp). */
    static WorkerResult merge(WorkerResult a, WorkerResult b) {
        if (a.workers == 0) {
            return b;
        }
        if (b.workers == 0) {
            return a;
        }
        a.tensors = sum(a.tensors, b.tensors);
        a.buffers = sum(a.buffers, b.buffers);
        a.optimizerState = sum(a.optimizerState, b.optimizerState);
        a.lossSum += b.lossSum;
        a.rows += b.rows;
        a.workers += b.workers;
        return a;
    }

    private static TensorPayload sum(TensorPayload a, TensorPayload b) {
        return a == null ? b : b == null ? a : a.addInPlace(b);
    }
}
