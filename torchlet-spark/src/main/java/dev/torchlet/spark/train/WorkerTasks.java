package dev.torchlet.spark.train;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import dev.torchlet.optim.Optimizer;
import dev.torchlet.spark.ExecutorThreads;
import dev.torchlet.spark.TensorPayload;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What runs on the executors, one call per partition: a gradient for synchronous SGD, K local steps for
 * parameter averaging. Serialized with each job, so it carries only the plan (factories, loss, batch layout).
 *
 * @param runId names the run's cached network instances ({@link WorkerModels})
 * @param shardBatch rows each partition contributes per step (global batch / partitions)
 * @param stepsPerEpoch steps that make one pass over the smallest shard
 * @param trainable names of the parameters the driver trains (others get no gradient)
 */
record WorkerTasks(
        String runId,
        ModuleFactory modelFactory,
        OptimizerFactory optimizerFactory,
        LossFunction loss,
        boolean classification,
        long seed,
        boolean shuffle,
        int shardBatch,
        int stepsPerEpoch,
        List<String> trainable)
        implements Serializable {

    /** Synchronous SGD: gradient of the shard's summed loss at global step {@code step}, and its BN statistics. */
    WorkerResult gradient(Shard shard, TensorPayload weights, long step) {
        ExecutorThreads.forCurrentTask(0);
        Module model = WorkerModels.borrow(runId, modelFactory);
        try {
            prepare(model, weights);
            Tensor[] batch = batchAt(shard, step);
            Tensor loss = this.loss.apply(model.call(batch[0]), batch[1]);
            loss.mul((float) shardBatch).backward();
            Map<String, Tensor> params = model.namedParameters();
            Map<String, Tensor> grads = new LinkedHashMap<>();
            for (String name : trainable) {
                Tensor p = params.get(name);
                grads.put(name, p.grad() != null ? p.grad() : dev.torchlet.Torch.zerosLike(p));
            }
            WorkerResult r = new WorkerResult();
            r.tensors = TensorPayload.of(grads);
            Map<String, Tensor> buffers = model.namedBuffers();
            if (!buffers.isEmpty()) {
                r.buffers = TensorPayload.of(buffers).scale(shardBatch);
            }
            r.lossSum = loss.itemDouble() * shardBatch;
            r.rows = shardBatch;
            r.workers = 1;
            return r;
        } finally {
            WorkerModels.giveBack(runId, model);
        }
    }

    /** Parameter averaging: steps [from, to) on this shard from the broadcast weights and optimizer state. */
    WorkerResult localSteps(Shard shard, TensorPayload weights, TensorPayload optimizerState, long from, long to) {
        ExecutorThreads.forCurrentTask(0);
        Module model = WorkerModels.borrow(runId, modelFactory);
        try {
            prepare(model, weights);
            Optimizer optimizer = optimizerFactory.create(model);
            if (optimizerState != null) {
                optimizer.loadStateDict(optimizerState.toTensors());
            }
            WorkerResult r = new WorkerResult();
            for (long step = from; step < to; step++) {
                Tensor[] batch = batchAt(shard, step);
                optimizer.zeroGrad();
                Tensor loss = this.loss.apply(model.call(batch[0]), batch[1]);
                loss.backward();
                optimizer.step();
                r.lossSum += loss.itemDouble() * shardBatch;
                r.rows += shardBatch;
            }
            r.tensors = TensorPayload.of(model.stateDict());
            r.optimizerState = TensorPayload.of(optimizer.stateDict());
            r.workers = 1;
            return r;
        } finally {
            WorkerModels.giveBack(runId, model);
        }
    }

    private void prepare(Module model, TensorPayload weights) {
        model.loadStateDict(weights.toTensors());
        model.train();
        Set<String> trainableNames = Set.copyOf(trainable);
        model.namedParameters().forEach((name, p) -> p.requiresGrad(trainableNames.contains(name)));
        model.zeroGrad();
    }

    /** The shard's rows for a global step: epoch = step / stepsPerEpoch, then consecutive rows of its order. */
    Tensor[] batchAt(Shard shard, long step) {
        int epoch = (int) (step / stepsPerEpoch);
        int inEpoch = (int) (step % stepsPerEpoch);
        int[] order = shard.order(seed, epoch, shuffle);
        return shard.batch(order, inEpoch * shardBatch, shardBatch, classification);
    }
}
