package dev.torchlet.cli;

import dev.torchlet.cli.train.TrainConfig;
import dev.torchlet.cli.train.Trainer;
import dev.torchlet.io.SafeTensors;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code torchlet train}: trains a classifier on Fashion-MNIST and reports test accuracy. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains a classifier on Fashion-MNIST (shipped in data/fashion-mnist).",
            "After each epoch: test evaluation, checkpoint and loss/accuracy plot in --out.",
            "Example (stronger): torchlet train --model cnn-bn --epochs 15 --augment"})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "cnn", description = "mlp, cnn, cnn-bn or resnet-small (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--epochs", defaultValue = "5", description = "Number of epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam, adamw or sgd (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default: 0.001 for adam/adamw, 0.05 for sgd).")
    Double lr;

    @Option(names = "--schedule", defaultValue = "cosine",
            description = "LR schedule: cosine, step, onecycle or none (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--augment", negatable = true, defaultValue = "false",
            description = "Random crop (padding 2) and horizontal flip of training images (default: off).")
    boolean augment;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--workers", defaultValue = "2", description = "Data loader worker threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--out", description = "Output folder for checkpoint, plot and history (default: runs/<model>).")
    Path out;

    @Option(names = "--data", description = "Fashion-MNIST folder (default: $TORCHLET_DATA, the repo's data/, "
            + "/usr/share/datasets).")
    Path data;

    @Option(names = "--limit", defaultValue = "0",
            description = "Train on the first N training images only, for quick trials (default: all).")
    int limit;

    @Option(names = "--stop-after", defaultValue = "0", paramLabel = "EPOCH",
            description = "Stop after this epoch (the LR schedule still spans --epochs); continue later with --resume.")
    int stopAfter;

    @Option(names = "--resume", paramLabel = "CHECKPOINT",
            description = "Continue a run from its checkpoint; options not given are taken from the checkpoint.")
    Path resume;

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            adoptCheckpointOptions(SafeTensors.header(resume).metadata());
        }
        TrainConfig config = new TrainConfig(model, epochs, batchSize, optimizer,
                lr != null ? lr : TrainConfig.defaultLr(optimizer), schedule, augment, seed,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(), workers,
                out != null ? out : Path.of("runs", model), data, resume, limit, stopAfter);
        Trainer.Result r = new Trainer(config, System.out).run();
        printSummary(config, r);
        return 0;
    }

    /** For --resume: the checkpoint's settings, except those given explicitly on the command line. */
    private void adoptCheckpointOptions(Map<String, String> meta) {
        ParseResult pr = spec.commandLine().getParseResult();
        if (!pr.hasMatchedOption("--model") && meta.containsKey("model")) {
            model = meta.get("model");
        }
        if (!pr.hasMatchedOption("--epochs") && meta.containsKey("epochs")) {
            epochs = Integer.parseInt(meta.get("epochs"));
        }
        if (!pr.hasMatchedOption("--batch-size") && meta.containsKey("batch_size")) {
            batchSize = Integer.parseInt(meta.get("batch_size"));
        }
        if (!pr.hasMatchedOption("--optimizer") && meta.containsKey("optimizer")) {
            optimizer = meta.get("optimizer");
        }
        if (!pr.hasMatchedOption("--lr") && meta.containsKey("lr")) {
            lr = Double.parseDouble(meta.get("lr"));
        }
        if (!pr.hasMatchedOption("--schedule") && meta.containsKey("schedule")) {
            schedule = meta.get("schedule");
        }
        if (!pr.hasMatchedOption("--augment") && meta.containsKey("augment")) {
            augment = Boolean.parseBoolean(meta.get("augment"));
        }
        if (!pr.hasMatchedOption("--limit") && meta.containsKey("limit")) {
            limit = Integer.parseInt(meta.get("limit"));
        }
        if (!pr.hasMatchedOption("--seed") && meta.containsKey("seed")) {
            seed = Long.parseLong(meta.get("seed"));
        }
        if (out == null) {
            out = resume.toAbsolutePath().getParent();
        }
    }

    private static void printSummary(TrainConfig config, Trainer.Result r) {
        var h = r.history();
        double trainSeconds = h.stream().mapToDouble(s -> s.seconds()).sum();
        double images = h.stream().mapToDouble(s -> s.seconds() * s.imagesPerSecond()).sum();
        System.out.println();
        System.out.println("== summary ==");
        System.out.println(config.describe());
        System.out.print(r.finalEvaluation().confusion().render());
        System.out.printf("wall time: %.1f s (training %.1f s, %.0f img/s)%n", r.wallSeconds(), trainSeconds,
                trainSeconds > 0 ? images / trainSeconds : 0);
        System.out.printf("test loss: %.4f%n", r.finalEvaluation().loss());
        System.out.println("checkpoint: " + r.checkpoint());
        System.out.println("plot: " + r.plot());
        System.out.printf("test accuracy: %.2f%%%n", 100 * r.finalEvaluation().accuracy());
    }
}
