package dev.torchlet.cli.compress;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.cli.train.TrainModels;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.nn.DistillationLoss;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code torchlet compress distill}: trains a small student from a `torchlet train` teacher with
 * {@link DistillationLoss}; the teacher runs frozen next to it (eval mode, no gradient). With
 * {@code --baseline} the same student (same initial weights and data order) is also trained on the
 * labels alone, for comparison. The student is saved as a `torchlet train` checkpoint.
 */
@Command(
        name = "distill",
        mixinStandardHelpOptions = true,
        description = {
            "Distills a `torchlet train` checkpoint (the teacher) into a smaller student model and prints a"
                    + " teacher/student table.",
            "Example: torchlet compress distill --teacher runs/cnn-bn/checkpoint.safetensors --student cnn-small"
                    + " --epochs 3 --baseline"
        })
public final class DistillCommand implements Callable<Integer> {
    @Option(names = "--teacher", required = true, description = "A checkpoint written by `torchlet train`.")
    Path teacher;

    @Option(
            names = "--student",
            defaultValue = "cnn-small",
            description = "Student model: one of `torchlet train`'s (default: ${DEFAULT-VALUE}).")
    String student;

    @Option(names = "--epochs", defaultValue = "3", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--temperature", defaultValue = "4", description = "Softening T (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(
            names = "--alpha",
            defaultValue = "0.9",
            description = "Weight of the teacher term; 1 - alpha weighs the labels (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--baseline", description = "Also train the student on the labels alone, to compare.")
    boolean baseline;

    @Option(
            names = "--out",
            description = "Output checkpoint (default: distilled-<student>.safetensors next to " + "--teacher).")
    Path out;

    @Mixin
    CompressDataOptions common;

    @Override
    public Integer call() throws Exception {
        PrintStream o = System.out;
        DistillationLoss loss = new DistillationLoss(temperature, alpha); // validates T and alpha
        if (epochs < 1 || common.batchSize < 1) {
            throw new IllegalArgumentException(
                    "expected --epochs >= 1 and --batch-size >= 1, got " + epochs + ", " + common.batchSize);
        }
        TrainModels.create(student, 10); // validates the name before anything is loaded
        Path output =
                out != null ? out : teacher.toAbsolutePath().resolveSibling("distilled-" + student + ".safetensors");
        if (Files.exists(teacher) && Files.exists(output) && Files.isSameFile(teacher, output)) {
            throw new IllegalArgumentException("--out must differ from --teacher (the input is never overwritten)");
        }
        common.applyThreadsAndSeed();
        SavedModel saved = SavedModel.load(teacher);
        Module t = saved.model();
        t.eval();
        t.requiresGrad(false);
        try (CompressData d = common.open()) {
            List<ModelStats> rows = new ArrayList<>();
            List<Module> models = new ArrayList<>(List.of(t));
            rows.add(ModelStats.measure(
                    "teacher", t, PruneCommand.weightsBytes(t, saved.metadata()), ModelStats.accuracy(t, d)));
            Torch.manualSeed(common.seed); // the student's initial weights, the same for --baseline
            Module s = TrainModels.create(student, 10);
            Map<String, Tensor> init = copy(s.stateDict());
            d.train(
                    s,
                    epochs,
                    lr,
                    (logits, x, y) -> {
                        Tensor teacherLogits;
                        try (var g = Torch.noGrad()) {
                            teacherLogits = t.call(x);
                        }
                        return loss.call(logits, teacherLogits, y);
                    },
                    "distill",
                    o);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("model", student);
            meta.put("epoch", Integer.toString(epochs));
            meta.put("dataset", "fashion-mnist");
            meta.put(
                    "compressed",
                    String.format(
                            Locale.ROOT,
                            "distill from %s (%s) T %s alpha %s epochs %d",
                            teacher.getFileName(),
                            saved.metadata().get("model"),
                            temperature,
                            alpha,
                            epochs));
            Checkpoint.save(output, s, null, meta); // atomic: temp file, then rename
            ModelStats distilled = ModelStats.measure("student", s, Files.size(output), ModelStats.accuracy(s, d));
            if (baseline) {
                Module alone = TrainModels.create(student, 10);
                alone.loadStateDict(init);
                d.train(alone, epochs, lr, (logits, x, y) -> F.crossEntropy(logits, y), "student alone", o);
                rows.add(ModelStats.measure("student alone", alone, Files.size(output), ModelStats.accuracy(alone, d)));
                models.add(alone);
            }
            rows.add(distilled);
            models.add(s);
            o.println();
            o.print(ModelStats.table(ModelStats.withLatencies(rows, models)));
            o.println("distilled student: " + output);
        }
        return 0;
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> sd) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        sd.forEach((k, v) -> out.put(k, v.contiguousCopy()));
        return out;
    }
}
