package dev.torchlet.cli.train;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.Batch;
import dev.torchlet.data.DataLoader;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Example;
import dev.torchlet.data.Subset;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;
import dev.torchlet.optim.AdamOptions;
import dev.torchlet.optim.AdamW;
import dev.torchlet.optim.CosineAnnealingLR;
import dev.torchlet.optim.LRScheduler;
import dev.torchlet.optim.OneCycleLR;
import dev.torchlet.optim.Optimizer;
import dev.torchlet.optim.SGD;
import dev.torchlet.optim.SGDOptions;
import dev.torchlet.optim.StepLR;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop of `torchlet train`: epochs of Fashion-MNIST with a progress display, a
 * test evaluation, a checkpoint (atomic) and a plot after every epoch. Every epoch reseeds the
 * global generator from (seed, epoch) and the loader shuffles from (seed, epoch), so a run resumed
 * from a checkpoint continues exactly as the uninterrupted run would.
 */
public final class Trainer {
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String PLOT = "curves.png";
    public static final String HISTORY = "history.jsonl";

    private final TrainConfig config;
    private double firstStepUptimeSeconds = Double.NaN; // JVM uptime when this run's first step finished
    private final PrintStream out;

    public Trainer(TrainConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** Everything a finished run reports. */
    public record Result(
            List<EpochStats> history, Evaluation finalEvaluation, double wallSeconds, Path checkpoint, Path plot) {}

    public Result run() throws IOException {
        long t0 = System.nanoTime();
        Torch.setNumThreads(config.threads());
        Torch.manualSeed(config.seed());
        FashionMnist data = FashionMnist.load(config.data());
        Dataset<Example> trainSet = data.trainSet(config.augment());
        if (config.limit() > 0 && config.limit() < trainSet.size()) {
            trainSet = new Subset<>(
                    trainSet,
                    java.util.stream.IntStream.range(0, config.limit()).toArray());
        }
        Dataset<Example> testSet = data.testSet();
        Module model = TrainModels.create(config.model(), data.classes().size());
        Optimizer optimizer = optimizer(model);
        DataLoader.Options loaderOptions =
                new DataLoader.Options(config.batchSize(), true, config.seed()).withWorkers(config.workers());
        try (DataLoader<Example> trainLoader = new DataLoader<>(trainSet, loaderOptions);
                DataLoader<Example> testLoader =
                        new DataLoader<>(testSet, new DataLoader.Options(1000).withWorkers(config.workers()))) {
            int batches = trainLoader.size();
            LRScheduler scheduler = scheduler(optimizer, batches);
            List<EpochStats> history = new ArrayList<>();
            int firstEpoch = 1;
            if (config.resume() != null) {
                Map<String, String> meta = Checkpoint.load(config.resume(), model, optimizer, scheduler);
                checkResumable(meta);
                firstEpoch = Integer.parseInt(meta.get("epoch")) + 1;
                for (String line : meta.getOrDefault("history", "").split("\n")) {
                    if (!line.isBlank()) {
                        history.add(EpochStats.fromJson(line));
                    }
                }
                out.printf("resumed from %s after epoch %d%n", config.resume(), firstEpoch - 1);
            }
            Files.createDirectories(config.out());
            Path checkpoint = config.out().resolve(CHECKPOINT);
            Path plot = config.out().resolve(PLOT);
            out.println("training on Fashion-MNIST (" + trainSet.size() + " train / " + testSet.size()
                    + " test images): " + config.describe());
            Evaluation evaluation = null;
            for (int epoch = firstEpoch; epoch <= config.lastEpoch(); epoch++) {
                EpochStats stats = trainEpoch(model, optimizer, scheduler, trainLoader, epoch, batches);
                evaluation = Evaluation.run(model, testLoader, data.classes());
                stats = new EpochStats(
                        epoch,
                        stats.trainLoss(),
                        stats.trainAccuracy(),
                        evaluation.loss(),
                        evaluation.accuracy(),
                        stats.seconds(),
                        stats.imagesPerSecond(),
                        stats.lr());
                history.add(stats);
                out.printf(
                        "epoch %d/%d: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%% | %.1f s, %.0f img/s%s%n",
                        epoch,
                        config.epochs(),
                        stats.trainLoss(),
                        100 * stats.trainAccuracy(),
                        stats.testLoss(),
                        100 * stats.testAccuracy(),
                        stats.seconds(),
                        stats.imagesPerSecond(),
                        epoch == firstEpoch
                                ? String.format(" (first step done %.2f s after JVM start)", firstStepUptimeSeconds)
                                : "");
                Checkpoint.save(checkpoint, model, optimizer, scheduler, metadata(epoch, history));
                Files.writeString(
                        config.out().resolve(HISTORY),
                        String.join(
                                        "\n",
                                        history.stream().map(EpochStats::toJson).toList()) + "\n");
                Plots.writeCurves(history, plot);
            }
            if (evaluation == null) { // resumed from a finished run: evaluate it once
                evaluation = Evaluation.run(model, testLoader, data.classes());
            }
            return new Result(history, evaluation, (System.nanoTime() - t0) * 1e-9, checkpoint, plot);
        }
    }

    private EpochStats trainEpoch(
            Module model,
            Optimizer optimizer,
            LRScheduler scheduler,
            DataLoader<Example> loader,
            int epoch,
            int batches) {
        model.train();
        Torch.manualSeed(config.seed() * 1_000_003L + epoch); // dropout masks depend on (seed, epoch) only
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        double lr = optimizer.paramGroups().get(0).lr();
        long start = System.nanoTime();
        try (Progress progress = new Progress(String.format("epoch %d/%d", epoch, config.epochs()), batches, out)) {
            for (Batch b : loader.epoch(epoch)) {
                Tensor x = b.inputs();
                Tensor y = b.labels();
                optimizer.zeroGrad();
                Tensor logits = model.call(x);
                Tensor loss = F.crossEntropy(logits, y);
                loss.backward();
                optimizer.step();
                if (scheduler instanceof OneCycleLR) {
                    scheduler.step();
                }
                int n = y.numel();
                lossSum += loss.itemDouble() * n;
                if (Double.isNaN(firstStepUptimeSeconds)) { // JVM start-up, data loading and the first step's JIT
                    firstStepUptimeSeconds =
                            ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
                }
                correct += Evaluation.countCorrect(logits, y);
                seen += n;
                double seconds = (System.nanoTime() - start) * 1e-9;
                progress.step(
                        1,
                        String.format(
                                "loss %.4f acc %.1f%% %.0f img/s",
                                lossSum / seen, 100.0 * correct / seen, seen / seconds));
            }
        }
        if (scheduler != null && !(scheduler instanceof OneCycleLR)) {
            scheduler.step();
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        return new EpochStats(
                epoch, lossSum / seen, correct / (double) seen, Double.NaN, Double.NaN, seconds, seen / seconds, lr);
    }

    private Optimizer optimizer(Module model) {
        List<Tensor> params = model.parameters();
        return switch (config.optimizer()) {
            case "adam" -> new Adam(params, AdamOptions.of(config.lr()));
            case "adamw" -> new AdamW(params, AdamOptions.adamW(config.lr()));
            case "sgd" ->
                new SGD(
                        params,
                        SGDOptions.of(config.lr())
                                .withMomentum(0.9)
                                .withWeightDecay(5e-4)
                                .withNesterov(true));
            default -> throw new IllegalStateException("unreachable: " + config.optimizer());
        };
    }

    private LRScheduler scheduler(Optimizer optimizer, int batchesPerEpoch) {
        return switch (config.schedule()) {
            case "cosine" -> new CosineAnnealingLR(optimizer, config.epochs(), 0);
            case "step" -> new StepLR(optimizer, Math.max(1, config.epochs() / 3), 0.1);
            case "onecycle" -> new OneCycleLR(optimizer, config.lr(), config.epochs() * batchesPerEpoch);
            case "none" -> null;
            default -> throw new IllegalStateException("unreachable: " + config.schedule());
        };
    }

    private Map<String, String> metadata(int epoch, List<EpochStats> history) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("epoch", Integer.toString(epoch));
        m.putAll(config.settings());
        m.put("dataset", "fashion-mnist");
        m.put(
                "history",
                String.join("\n", history.stream().map(EpochStats::toJson).toList()));
        return m;
    }

    /** A checkpoint continues only the run it came from: same model, data order and schedule. */
    private void checkResumable(Map<String, String> meta) {
        for (TrainConfig.Setting s : TrainConfig.Setting.values()) {
            String have = meta.get(s.key());
            String want = s.valueOf(config);
            if (s.mustMatchOnResume() && have != null && !have.equals(want)) {
                throw new IllegalArgumentException("--resume " + config.resume() + ": the checkpoint was trained with "
                        + s.key() + " " + have + " but this run has " + want
                        + " (pass the same options to continue it)");
            }
        }
        if (meta.get("epoch") == null) {
            throw new IllegalArgumentException("--resume " + config.resume() + ": not a `torchlet train` checkpoint "
                    + "(no epoch in its metadata)");
        }
    }
}
