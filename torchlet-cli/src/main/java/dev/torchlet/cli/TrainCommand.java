package dev.torchlet.cli;

import dev.torchlet.cli.train.TrainConfig;
import dev.torchlet.cli.train.Trainer;
import dev.torchlet.io.SafeTensors;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code torchlet train}: trains a classifier on Fashion-MNIST and reports test accuracy. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains a classifier on Fashion-MNIST (shipped in data/fashion-mnist).",
            "After each epoch: test evaluation, checkpoint and loss/accuracy plot in --out.",
            "Example (stronger): torchlet train --model cnn-bn --epochs 15 --augment"
        })
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            defaultValue = "cnn",
            description = "mlp, cnn, cnn-small, cnn-bn or resnet-small (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--epochs", defaultValue = "5", description = "Number of epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--optimizer",
            defaultValue = "adam",
            description = "adam, adamw or sgd (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default: 0.001 for adam/adamw, 0.05 for sgd).")
    Double lr;

    @Option(
            names = "--schedule",
            defaultValue = "cosine",
            description = "LR schedule: cosine, step, onecycle or none (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(
            names = "--augment",
            negatable = true,
            defaultValue = "false",
            description = "Random crop (padding 2) and horizontal flip of training images (default: off).")
    boolean augment;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(
            names = "--workers",
            defaultValue = "2",
            description = "Data loader worker threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--out", description = "Output folder for checkpoint, plot and history (default: runs/<model>).")
    Path out;

    @Option(
            names = "--data",
            description = "Fashion-MNIST folder (default: $TORCHLET_DATA, the repo's data/, " + "/usr/share/datasets).")
    Path data;

    @Option(
            names = "--limit",
            defaultValue = "0",
            description = "Train on the first N training images only, for quick trials (default: all).")
    int limit;

    @Option(
            names = "--stop-after",
            defaultValue = "0",
            paramLabel = "EPOCH",
            description = "Stop after this epoch (the LR schedule still spans --epochs); continue later with --resume.")
    int stopAfter;

    @Option(
            names = "--resume",
            paramLabel = "CHECKPOINT",
            description = "Continue a run from its checkpoint; options not given are taken from the checkpoint.")
    Path resume;

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            adoptCheckpointOptions(SafeTensors.header(resume).metadata());
        }
        TrainConfig config = new TrainConfig(
                model,
                epochs,
                batchSize,
                optimizer,
                lr != null ? lr : TrainConfig.defaultLr(optimizer),
                schedule,
                augment,
                seed,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                workers,
                out != null ? out : Path.of("runs", model),
                data,
                resume,
                limit,
                stopAfter);
        Trainer.Result r = new Trainer(config, System.out).run();
        printSummary(config, r);
        return 0;
    }

    /**
     * For --resume: the checkpoint's settings ({@link TrainConfig.Setting}), except those given
     * explicitly on the command line, set into the options' fields.
     */
    private void adoptCheckpointOptions(Map<String, String> meta) {
        ParseResult pr = spec.commandLine().getParseResult();
        for (TrainConfig.Setting s : TrainConfig.Setting.values()) {
            String recorded = meta.get(s.key());
            if (recorded != null && !pr.hasMatchedOption(s.option())) {
                OptionSpec option = spec.findOption(s.option());
                option.setValue(parse(option.type(), recorded));
            }
        }
        if (out == null) {
            out = resume.toAbsolutePath().getParent();
        }
    }

    /** A recorded setting as the option field's type. */
    private static Object parse(Class<?> type, String value) {
        if (type == int.class || type == Integer.class) {
            return Integer.parseInt(value);
        } else if (type == long.class || type == Long.class) {
            return Long.parseLong(value);
        } else if (type == double.class || type == Double.class) {
            return Double.parseDouble(value);
        } else if (type == boolean.class || type == Boolean.class) {
            return Boolean.parseBoolean(value);
        }
        return value;
    }

    private static void printSummary(TrainConfig config, Trainer.Result r) {
        var h = r.history();
        double trainSeconds = h.stream().mapToDouble(s -> s.seconds()).sum();
        double images =
                h.stream().mapToDouble(s -> s.seconds() * s.imagesPerSecond()).sum();
        System.out.println();
        System.out.println("== summary ==");
        System.out.println(config.describe());
        System.out.print(r.finalEvaluation().confusion().render());
        System.out.printf(
                "wall time: %.1f s (training %.1f s, %.0f img/s)%n",
                r.wallSeconds(), trainSeconds, trainSeconds > 0 ? images / trainSeconds : 0);
        System.out.printf("test loss: %.4f%n", r.finalEvaluation().loss());
        System.out.println("checkpoint: " + r.checkpoint());
        System.out.println("plot: " + r.plot());
        System.out.printf("test accuracy: %.2f%%%n", 100 * r.finalEvaluation().accuracy());
    }
}
