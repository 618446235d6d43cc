package dev.torchlet.cli.compress;

import dev.torchlet.Tensor;
import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.compress.quantization.ObservedModel;
import dev.torchlet.compress.quantization.QConfig;
import dev.torchlet.compress.quantization.Quantization;
import dev.torchlet.compress.quantization.QuantizedCheckpoint;
import dev.torchlet.compress.quantization.StaticQuantizer;
import dev.torchlet.data.Batch;
import dev.torchlet.data.DataLoader;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code torchlet compress quantize}: int8 quantization of a `torchlet train` checkpoint.
 *
 * <ul>
 *   <li>{@code --dynamic}: Linear weights to int8, activations quantized per call (no data needed);
 *   <li>{@code --static} (default): Conv2d/Linear (+ReLU, batch norm folded) to int8 with activation parameters
 *       calibrated on {@code --calibration-batches} training batches ({@code --observer});
 *   <li>{@code --qat --epochs N}: quantization-aware training (fake quantization) from the checkpoint, then int8.
 * </ul>
 *
 * Writes a quantized safetensors file that {@code eval} and {@code predict} load, and prints the before/after
 * table (parameters, file size, latency at batch 1 and 64, test accuracy).
 */
@Command(
        name = "quantize",
        mixinStandardHelpOptions = true,
        description = {
            "Quantizes a `torchlet train` checkpoint to int8 (dynamic, static post-training, or quantization-aware"
                    + " training) and prints a before/after table.",
            "Example: torchlet compress quantize --checkpoint runs/cnn-bn/checkpoint.safetensors --static"
                    + " --calibration-batches 32"
        })
public final class QuantizeCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A checkpoint written by `torchlet train`.")
    Path checkpoint;

    static final class Mode {
        @Option(names = "--dynamic", description = "Dynamic quantization (Linear layers; activations per call).")
        boolean dynamic;

        @Option(names = "--static", description = "Static post-training quantization (the default).")
        boolean staticMode;

        @Option(names = "--qat", description = "Quantization-aware training, then int8.")
        boolean qat;
    }

    @ArgGroup(exclusive = true)
    Mode mode = new Mode();

    @Option(
            names = "--calibration-batches",
            defaultValue = "32",
            description = "Training batches to calibrate on with --static (default: 32).")
    int calibrationBatches;

    @Option(
            names = "--observer",
            defaultValue = "histogram",
            description = "Activation observer for --static: histogram, minmax, moving-average (default: histogram).")
    String observer;

    @Option(names = "--epochs", defaultValue = "1", description = "QAT epochs (default: 1).")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.0001", description = "QAT Adam learning rate (default: 0.0001).")
    double lr;

    @Option(names = "--out", description = "Output file (default: quantized.safetensors next to --checkpoint).")
    Path out;

    @Mixin
    CompressDataOptions common;

    @Override
    public Integer call() throws Exception {
        PrintStream o = System.out;
        String kind = mode.dynamic ? "dynamic" : mode.qat ? "qat" : "static";
        QConfig qconfig = QConfig.byName(observer); // checks --observer before anything is loaded
        if (calibrationBatches < 1 || epochs < 1 || common.batchSize < 1) {
            throw new IllegalArgumentException("expected --calibration-batches, --epochs and --batch-size >= 1, got "
                    + calibrationBatches + ", " + epochs + ", " + common.batchSize);
        }
        Path output = out != null ? out : checkpoint.toAbsolutePath().resolveSibling("quantized.safetensors");
        if (Files.exists(checkpoint) && Files.exists(output) && Files.isSameFile(checkpoint, output)) {
            throw new IllegalArgumentException("--out must differ from --checkpoint (the input is never overwritten)");
        }
        common.applyThreadsAndSeed();
        SavedModel saved = SavedModel.load(checkpoint);
        if (saved.quantization() != null) {
            throw new IllegalArgumentException(checkpoint + " is already quantized (" + saved.quantization() + ")");
        }
        Module model = saved.model();
        try (CompressData d = common.open()) {
            long beforeBytes = PruneCommand.weightsBytes(model, saved.metadata());
            ModelStats before = ModelStats.measure("float32", model, beforeBytes, ModelStats.accuracy(model, d));
            Module quantized = switch (kind) {
                case "dynamic" -> {
                    Module copy = SavedModel.load(checkpoint).model();
                    List<String> layers = Quantization.quantizeDynamic(copy);
                    o.println("dynamic int8: " + layers.size() + " Linear layers " + layers);
                    yield copy;
                }
                case "qat" -> {
                    ObservedModel prepared = StaticQuantizer.prepareQat(model);
                    d.train(prepared, epochs, lr, (logits, x, y) -> F.crossEntropy(logits, y), "QAT", o);
                    prepared.eval();
                    yield StaticQuantizer.convert(prepared);
                }
                default -> {
                    ObservedModel prepared = StaticQuantizer.prepare(model, qconfig);
                    List<Tensor> batches = calibrationInputs(d.trainLoader(), calibrationBatches);
                    o.printf(
                            Locale.ROOT,
                            "calibrating %s observers on %d batches of %d%n",
                            qconfig.name(),
                            batches.size(),
                            common.batchSize);
                    StaticQuantizer.calibrate(prepared, batches);
                    yield StaticQuantizer.convert(prepared);
                }
            };
            Map<String, String> meta = PruneCommand.userMetadata(saved.metadata());
            meta.put(
                    "compressed",
                    "quantize " + kind + (kind.equals("static") ? " observer " + qconfig.name() : "") + " from "
                            + checkpoint.getFileName());
            QuantizedCheckpoint.save(quantized, meta, output); // atomic: temp file, then rename
            ModelStats after = ModelStats.measureQuantized(
                    "int8 " + kind, quantized, Files.size(output), ModelStats.accuracy(quantized, d));
            o.println();
            Module original = SavedModel.load(checkpoint).model(); // QAT trained `model`: time the input again
            o.print(ModelStats.table(ModelStats.withLatencies(List.of(before, after), List.of(original, quantized))));
            o.println("quantized model: " + output);
        }
        return 0;
    }

    private static List<Tensor> calibrationInputs(DataLoader<?> loader, int batches) {
        List<Tensor> out = new ArrayList<>();
        for (Batch b : loader.epoch(0)) {
            out.add(b.inputs());
            if (out.size() == batches) {
                break;
            }
        }
        return out;
    }
}
