package dev.torchlet.spark;

import dev.torchlet.Torch;
import org.apache.spark.TaskContext;

/**
 * Sizes Torchlet's intra-op thread pool inside Spark tasks. Spark already runs one task per core slot
 * ({@code spark.task.cpus} cores each), so a task that also fans out over all cores oversubscribes them: in
 * {@code local[2]} on 2 cores, ResNet-18 extraction ran at 16.9 img/s with all-core kernels and 18.4 img/s with
 * one thread per task. By default a task therefore gets the cores Spark allotted it.
 */
public final class ExecutorThreads {
    private ExecutorThreads() {}

    /**
     * Sets the JVM's Torchlet compute threads for the current task: {@code requested} when positive, else the
     * task's {@code spark.task.cpus} (1 by default). Outside a task (driver code) nothing changes.
     */
    public static void forCurrentTask(int requested) {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return;
        }
        int threads = requested > 0 ? requested : Math.max(1, task.cpus());
        if (Torch.getNumThreads() != threads) {
            Torch.setNumThreads(threads);
        }
    }
}
