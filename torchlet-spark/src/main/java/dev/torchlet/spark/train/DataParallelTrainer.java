package dev.torchlet.spark.train;

import dev.torchlet.Tensor;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.nn.Module;
import dev.torchlet.optim.Optimizer;
import dev.torchlet.spark.TensorPayload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Data-parallel training of a Torchlet model on Spark. The training DataFrame (features + label columns) is split
 * into {@code partitions} cached shards; the model and its optimizer live on the driver.
 *
 * <ul>
 *   <li>{@link Mode#SYNCHRONOUS}: every step broadcasts the weights, each partition computes the gradient of its
 *       share of the global batch (global batch / partitions rows), the gradients are summed with
 *       {@code treeAggregate}, and the driver divides by the global batch and applies its optimizer. This is the
 *       same update as one process training on the concatenated batch (batch-norm statistics aside: each
 *       partition normalizes over its own rows, as PyTorch's DistributedDataParallel does; running statistics
 *       are averaged).
 *   <li>{@link Mode#PARAMETER_AVERAGING} (local SGD, as DL4J's Spark training): every round broadcasts weights
 *       and optimizer state, each partition takes {@code averagingFrequency} local steps with its own copy of the
 *       optimizer, and the driver averages parameters, buffers and optimizer state. K times fewer Spark jobs.
 * </ul>
 *
 * <p>With a checkpoint path, the driver saves model, optimizer and the step reached after every
 * {@code checkpointEvery} steps (atomically). {@link #fit} on a model with an existing checkpoint resumes from
 * it: data order depends only on the seed, so a resumed run takes the same steps as one that never failed.
 */
public final class DataParallelTrainer {
    /** How partitions combine their work. */
    public enum Mode {
        SYNCHRONOUS,
        PARAMETER_AVERAGING
    }

    /** Called on the driver after every step (synchronous) or round (averaging): steps [fromStep, toStep) done. */
    @FunctionalInterface
    public interface Listener {
        void onProgress(long fromStep, long toStep, long totalSteps, int epoch, double meanLoss);
    }

    /**
     * What a run did.
     *
     * @param steps global steps of the whole run (including those before a resume)
     * @param resumedFromStep the step the checkpoint had reached (0 for a fresh run)
     * @param shardRows training rows per partition
     * @param epochLosses mean training loss per epoch (NaN for epochs done before a resume)
     * @param seconds the whole fit, including sharding the data
     * @param stepSeconds the step loop alone (Spark jobs, broadcasts, driver updates)
     * @param weightBytes bytes of one weights broadcast (parameters and buffers)
     */
    public record Summary(
            long steps,
            long resumedFromStep,
            int partitions,
            int[] shardRows,
            List<Double> epochLosses,
            double seconds,
            double stepSeconds,
            long weightBytes) {}

    private final Builder b;

    private DataParallelTrainer(Builder b) {
        this.b = b;
    }

    public static Builder builder(ModuleFactory modelFactory) {
        return new Builder(modelFactory);
    }

    /** Options; every setter returns this. */
    public static final class Builder {
        private final ModuleFactory modelFactory;
        private OptimizerFactory optimizer;
        private LossFunction loss;
        private Mode mode = Mode.SYNCHRONOUS;
        private int partitions = 2;
        private int globalBatchSize = 64;
        private int epochs = 1;
        private int averagingFrequency = 8;
        private String featuresCol = "features";
        private String labelCol = "label";
        private int[] inputShape = new int[0];
        private boolean classification = true;
        private boolean shuffle = true;
        private long seed = 0;
        private Path checkpoint;
        private int checkpointEvery = 1;
        private Listener listener = (f, s, t, e, l) -> {};

        private Builder(ModuleFactory modelFactory) {
            this.modelFactory = modelFactory;
        }

        public Builder optimizer(OptimizerFactory value) {
            optimizer = value;
            return this;
        }

        public Builder loss(LossFunction value) {
            loss = value;
            return this;
        }

        public Builder mode(Mode value) {
            mode = value;
            return this;
        }

        public Builder partitions(int value) {
            partitions = value;
            return this;
        }

        public Builder globalBatchSize(int value) {
            globalBatchSize = value;
            return this;
        }

        public Builder epochs(int value) {
            epochs = value;
            return this;
        }

        /** Local steps between averages (parameter averaging only). */
        public Builder averagingFrequency(int value) {
            averagingFrequency = value;
            return this;
        }

        public Builder featuresCol(String value) {
            featuresCol = value;
            return this;
        }

        public Builder labelCol(String value) {
            labelCol = value;
            return this;
        }

        /** Shape one row's features are reshaped to, e.g. (1, 28, 28); empty keeps them flat. */
        public Builder inputShape(int... value) {
            inputShape = value.clone();
            return this;
        }

        /** True (default): labels are class indices (int64 targets); false: float targets (regression). */
        public Builder classification(boolean value) {
            classification = value;
            return this;
        }

        public Builder shuffle(boolean value) {
            shuffle = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /** Save model + optimizer + step to this file every {@code everySteps} steps; resume from it. */
        public Builder checkpoint(Path path, int everySteps) {
            checkpoint = path;
            checkpointEvery = everySteps;
            return this;
        }

        public Builder listener(Listener value) {
            listener = value;
            return this;
        }

        public DataParallelTrainer build() {
            if (modelFactory == null || optimizer == null || loss == null) {
                throw new IllegalArgumentException(
                        "DataParallelTrainer: a model factory, an optimizer factory and a " + "loss are required");
            }
            if (partitions < 1 || globalBatchSize < 1 || epochs < 1 || averagingFrequency < 1 || checkpointEvery < 1) {
                throw new IllegalArgumentException("DataParallelTrainer: partitions, globalBatchSize, epochs, "
                        + "averagingFrequency and checkpointEvery must be positive, got " + partitions + ", "
                        + globalBatchSize + ", " + epochs + ", " + averagingFrequency + ", " + checkpointEvery);
            }
            if (globalBatchSize % partitions != 0) {
                throw new IllegalArgumentException("DataParallelTrainer: globalBatchSize " + globalBatchSize
                        + " must be a multiple of partitions " + partitions + " (each takes an equal share)");
            }
            return new DataParallelTrainer(this);
        }
    }

    /**
     * Trains {@code model} (the driver's copy, updated in place) on the DataFrame's rows; resumes from the
     * checkpoint when one exists. Executors build the architecture with the model factory and take the weights
     * from the driver, so the factory's initialization does not matter.
     */
    public Summary fit(Module model, Dataset<Row> data) {
        long t0 = System.nanoTime();
        Optimizer optimizer = b.optimizer.create(model);
        long start = resume(model, optimizer);
        JavaSparkContext sc =
                JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        JavaRDD<Shard> shards = ShardedData.of(data, b.featuresCol, b.labelCol, b.inputShape, b.partitions);
        try {
            int[] rows = ShardedData.rowCounts(shards);
            int shardBatch = b.globalBatchSize / b.partitions;
            int smallest = Arrays.stream(rows).min().orElse(0);
            if (Arrays.stream(rows).sum() == 0) {
                throw new IllegalArgumentException("DataParallelTrainer: the training DataFrame is empty");
            }
            if (smallest < shardBatch) {
                throw new IllegalArgumentException("DataParallelTrainer: partition rows " + Arrays.toString(rows)
                        + " are fewer than one step's share (globalBatchSize " + b.globalBatchSize + " / "
                        + b.partitions + " partitions = " + shardBatch + "); use a smaller batch or fewer partitions");
            }
            int stepsPerEpoch = smallest / shardBatch;
            long total = (long) stepsPerEpoch * b.epochs;
            List<String> trainable = new ArrayList<>();
            model.namedParameters().forEach((name, p) -> {
                if (p.requiresGrad()) {
                    trainable.add(name);
                }
            });
            WorkerTasks tasks = new WorkerTasks(
                    UUID.randomUUID().toString(),
                    b.modelFactory,
                    b.optimizer,
                    b.loss,
                    b.classification,
                    b.seed,
                    b.shuffle,
                    shardBatch,
                    stepsPerEpoch,
                    List.copyOf(trainable));
            double[] epochLoss = new double[b.epochs];
            long[] epochRows = new long[b.epochs];
            long step = start;
            long loopStart = System.nanoTime();
            while (step < total) {
                long to = b.mode == Mode.SYNCHRONOUS ? step + 1 : Math.min(total, step + b.averagingFrequency);
                WorkerResult r = b.mode == Mode.SYNCHRONOUS
                        ? synchronousStep(sc, shards, tasks, model, optimizer, step)
                        : averagingRound(sc, shards, tasks, model, optimizer, step, to);
                int epoch = (int) (step / stepsPerEpoch);
                epochLoss[epoch] += r.lossSum;
                epochRows[epoch] += r.rows;
                long before = step;
                step = to;
                if (b.checkpoint != null && (step / b.checkpointEvery > before / b.checkpointEvery || step == total)) {
                    save(model, optimizer, step);
                }
                b.listener.onProgress(before, step, total, epoch, r.lossSum / r.rows);
            }
            List<Double> losses = new ArrayList<>();
            for (int e = 0; e < b.epochs; e++) {
                losses.add(epochRows[e] == 0 ? Double.NaN : epochLoss[e] / epochRows[e]);
            }
            long now = System.nanoTime();
            return new Summary(
                    total,
                    start,
                    b.partitions,
                    rows,
                    losses,
                    (now - t0) * 1e-9,
                    (now - loopStart) * 1e-9,
                    TensorPayload.of(model.stateDict()).bytes());
        } finally {
            shards.unpersist(false);
        }
    }

    private WorkerResult synchronousStep(
            JavaSparkContext sc,
            JavaRDD<Shard> shards,
            WorkerTasks tasks,
            Module model,
            Optimizer optimizer,
            long step) {
        Broadcast<TensorPayload> weights = sc.broadcast(TensorPayload.of(model.stateDict()));
        try {
            WorkerResult sum = shards.map(shard -> tasks.gradient(shard, weights.value(), step))
                    .treeAggregate(WorkerResult.empty(), WorkerResult::merge, WorkerResult::merge, 2);
            Map<String, Tensor> grads = sum.tensors.scale(1.0 / sum.rows).toTensors();
            Map<String, Tensor> params = model.namedParameters();
            optimizer.zeroGrad();
            grads.forEach((name, g) -> params.get(name).setGrad(g));
            optimizer.step();
            if (sum.buffers != null) {
                model.loadStateDict(sum.buffers.scale(1.0 / sum.rows).toTensors(), false);
            }
            return sum;
        } finally {
            weights.destroy();
        }
    }

    private WorkerResult averagingRound(
            JavaSparkContext sc,
            JavaRDD<Shard> shards,
            WorkerTasks tasks,
            Module model,
            Optimizer optimizer,
            long from,
            long to) {
        Map<String, Tensor> state = optimizer.stateDict();
        Broadcast<TensorPayload> weights = sc.broadcast(TensorPayload.of(model.stateDict()));
        Broadcast<TensorPayload> optimizerState = state.isEmpty() ? null : sc.broadcast(TensorPayload.of(state));
        try {
            WorkerResult sum = shards.map(shard -> tasks.localSteps(
                            shard, weights.value(), optimizerState == null ? null : optimizerState.value(), from, to))
                    .treeAggregate(WorkerResult.empty(), WorkerResult::merge, WorkerResult::merge, 2);
            double average = 1.0 / sum.workers;
            model.loadStateDict(sum.tensors.scale(average).toTensors());
            optimizer.loadStateDict(sum.optimizerState.scale(average).toTensors());
            return sum;
        } finally {
            weights.destroy();
            if (optimizerState != null) {
                optimizerState.destroy();
            }
        }
    }

    /** Loads the checkpoint if there is one; the step it reached (0 without one). */
    private long resume(Module model, Optimizer optimizer) {
        if (b.checkpoint == null || !Files.exists(b.checkpoint)) {
            return 0;
        }
        try {
            Map<String, String> meta = Checkpoint.load(b.checkpoint, model, optimizer);
            String mode = meta.get("spark.mode");
            String batch = meta.get("spark.globalBatchSize");
            String parts = meta.get("spark.partitions");
            if (!b.mode.name().equals(mode)
                    || !Integer.toString(b.globalBatchSize).equals(batch)
                    || !Integer.toString(b.partitions).equals(parts)) {
                throw new IllegalArgumentException(
                        "DataParallelTrainer: checkpoint " + b.checkpoint + " was written by "
                                + "a run with mode " + mode + ", globalBatchSize " + batch + ", partitions " + parts
                                + "; this run has " + b.mode + ", " + b.globalBatchSize + ", " + b.partitions);
            }
            return Long.parseLong(meta.get("spark.step"));
        } catch (IOException e) {
            throw new UncheckedIOException("DataParallelTrainer: cannot resume from " + b.checkpoint, e);
        }
    }

    private void save(Module model, Optimizer optimizer, long step) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("spark.step", Long.toString(step));
        meta.put("spark.mode", b.mode.name());
        meta.put("spark.globalBatchSize", Integer.toString(b.globalBatchSize));
        meta.put("spark.partitions", Integer.toString(b.partitions));
        meta.put("spark.seed", Long.toString(b.seed));
        try {
            Checkpoint.save(b.checkpoint, model, optimizer, meta);
        } catch (IOException e) {
            throw new UncheckedIOException("DataParallelTrainer: cannot write checkpoint " + b.checkpoint, e);
        }
    }
}
