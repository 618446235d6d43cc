package dev.torchlet.cli.compress;

import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import dev.torchlet.nn.utils.prune.Amount;
import dev.torchlet.nn.utils.prune.ChannelPruning;
import dev.torchlet.nn.utils.prune.Prune;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code torchlet compress prune}: prunes a `torchlet train` checkpoint, optionally in rounds with
 * fine-tuning after each, and writes a checkpoint that {@code eval}/{@code predict} load.
 *
 * <p>Unstructured (default): the {@code --amount} smallest |w| of every Conv2d and Linear weight are
 * masked ({@link Prune#l1Unstructured}, per layer), fine-tuned with the masks, then made permanent;
 * the model keeps its shapes (the zeros do not make dense kernels faster). Structured
 * ({@code --structured}): {@link ChannelPruning} removes that fraction of the output channels of every
 * prunable convolution / hidden linear layer by weight norm, giving a smaller, faster dense model.
 * With {@code --rounds R} each round prunes 1 - (1 - amount)^(1/R) of what is left, then fine-tunes.
 */
@Command(
        name = "prune",
        mixinStandardHelpOptions = true,
        description = {
            "Prunes a `torchlet train` checkpoint (masks by |w| per layer, or whole channels with --structured),"
                    + " fine-tunes, and prints a before/after table.",
            "Example: torchlet compress prune --checkpoint runs/cnn-bn/checkpoint.safetensors --amount 0.5"
                    + " --structured --finetune-epochs 1"
        })
public final class PruneCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A checkpoint written by `torchlet train`.")
    Path checkpoint;

    @Option(names = "--amount", required = true, description = "Fraction in [0, 1] of weights (or channels) to prune.")
    double amount;

    @Option(names = "--structured", description = "Remove whole output channels (a smaller, faster model).")
    boolean structured;

    @Option(names = "--norm", defaultValue = "1", description = "Channel norm for --structured: 1 or 2 (default: 1).")
    int norm;

    @Option(
            names = "--layers",
            split = ",",
            description = "Only these layers (dotted paths, e.g. 0,3); default: every supported layer.")
    List<String> layers = List.of();

    @Option(names = "--rounds", defaultValue = "1", description = "Prune in this many rounds (default: 1).")
    int rounds;

    @Option(
            names = "--finetune-epochs",
            defaultValue = "0",
            description = "Fine-tuning epochs after each round (default: 0).")
    int finetuneEpochs;

    @Option(names = "--lr", defaultValue = "0.0005", description = "Fine-tuning Adam learning rate (default: 0.0005).")
    double lr;

    @Option(names = "--out", description = "Output checkpoint (default: pruned.safetensors next to --checkpoint).")
    Path out;

    @Mixin
    CompressDataOptions common;

    @Override
    public Integer call() throws Exception {
        PrintStream o = System.out;
        // every argument is checked before anything is loaded or written
        if (!(amount >= 0 && amount <= 1)) {
            throw new IllegalArgumentException("--amount must be a fraction in [0, 1], got " + amount);
        }
        if (rounds < 1 || finetuneEpochs < 0 || norm < 1 || norm > 2 || common.batchSize < 1) {
            throw new IllegalArgumentException(
                    "expected --rounds >= 1, --finetune-epochs >= 0, --norm 1 or 2 and " + "--batch-size >= 1, got "
                            + rounds + ", " + finetuneEpochs + ", " + norm + ", " + common.batchSize);
        }
        Path output = out != null ? out : checkpoint.toAbsolutePath().resolveSibling("pruned.safetensors");
        if (Files.exists(checkpoint) && Files.exists(output) && Files.isSameFile(checkpoint, output)) {
            throw new IllegalArgumentException("--out must differ from --checkpoint (the input is never overwritten)");
        }
        common.applyThreadsAndSeed();
        SavedModel saved = SavedModel.load(checkpoint);
        Module model = saved.model();
        String name = saved.metadata().get("model");
        Set<String> only = new LinkedHashSet<>(layers);
        List<Module> targets = structured ? List.of() : unstructuredTargets(model, only, name);
        if (structured) { // validates --layers and that there is something to prune, before any change
            if (ChannelPruning.select(model, Amount.fraction(amount), norm, only)
                    .isEmpty()) {
                throw new IllegalArgumentException("model '" + name + "' has no layer that can lose channels; "
                        + "supported: " + ChannelPruning.SUPPORTED);
            }
        }
        try (CompressData d = common.open()) {
            long beforeBytes = weightsBytes(model, saved.metadata());
            ModelStats before = ModelStats.measure("before", model, beforeBytes, ModelStats.accuracy(model, d));
            double perRound = 1 - Math.pow(1 - amount, 1.0 / rounds);
            for (int r = 1; r <= rounds; r++) {
                if (structured) {
                    ChannelPruning.prune(model, Amount.fraction(perRound), norm, only);
                } else {
                    for (Module m : targets) {
                        Prune.l1Unstructured(m, "weight", perRound);
                    }
                }
                if (finetuneEpochs > 0) {
                    d.train(
                            model,
                            finetuneEpochs,
                            lr,
                            (logits, x, y) -> F.crossEntropy(logits, y),
                            "round " + r + "/" + rounds + " fine-tune",
                            o);
                }
                o.printf(
                        Locale.ROOT,
                        "round %d/%d: pruned %.1f%% of what was left; test accuracy %.2f%%%n",
                        r,
                        rounds,
                        100 * perRound,
                        100 * ModelStats.accuracy(model, d));
            }
            Prune.removeAll(model);
            Map<String, String> meta = userMetadata(saved.metadata());
            meta.put(
                    "compressed",
                    String.format(
                            Locale.ROOT,
                            "prune %s amount %s rounds %d finetune-epochs %d from %s",
                            structured ? "structured L" + norm : "l1-unstructured",
                            amount,
                            rounds,
                            finetuneEpochs,
                            checkpoint.getFileName()));
            if (structured) {
                // every prunable layer's current size (also those pruned by an earlier run, or not at all)
                Map<String, Integer> now = new LinkedHashMap<>();
                ChannelPruning.chains(model)
                        .forEach(c -> now.put(c.producer(), outChannels(model.getSubmodule(c.producer()))));
                meta.put(SavedModel.CHANNELS, SavedModel.formatChannels(now));
            }
            Checkpoint.save(output, model, null, meta); // atomic: temp file, then rename
            ModelStats after = ModelStats.measure("after", model, Files.size(output), ModelStats.accuracy(model, d));
            o.println();
            Module original = SavedModel.load(checkpoint).model(); // the input again, to time both alike
            o.print(ModelStats.table(ModelStats.withLatencies(List.of(before, after), List.of(original, model))));
            o.println("pruned checkpoint: " + output);
        }
        return 0;
    }

    private static int outChannels(Module m) {
        return m instanceof Conv2d c ? c.options().outChannels() : ((Linear) m).outFeatures();
    }

    /** The Conv2d and Linear layers to mask (all, or those named by --layers, which must be one of them). */
    private static List<Module> unstructuredTargets(Module model, Set<String> only, String name) {
        Map<String, Module> modules = model.namedModules();
        for (String l : only) {
            Module m = modules.get(l);
            if (m == null) {
                throw new IllegalArgumentException("model '" + name + "' has no layer '" + l + "' (layers: "
                        + modules.entrySet().stream()
                                .filter(e -> e.getValue() instanceof Conv2d || e.getValue() instanceof Linear)
                                .map(Map.Entry::getKey)
                                .toList()
                        + ")");
            }
            if (!(m instanceof Conv2d || m instanceof Linear)) {
                throw new IllegalArgumentException("layer '" + l + "' is a "
                        + m.getClass().getSimpleName() + ", which can not be pruned; supported: Conv2d, Linear");
            }
        }
        return modules.entrySet().stream()
                .filter(e -> e.getValue() instanceof Conv2d || e.getValue() instanceof Linear)
                .filter(e -> only.isEmpty() || only.contains(e.getKey()))
                .map(Map.Entry::getValue)
                .toList();
    }

    /** A train checkpoint's own metadata for a new checkpoint: without the format keys and the history. */
    static Map<String, String> userMetadata(Map<String, String> meta) {
        Map<String, String> m = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (!k.startsWith("torchlet.") && !k.equals("history")) {
                m.put(k, v);
            }
        });
        return m;
    }

    /** The size of the model's weights alone (no optimizer state) in the checkpoint format. */
    static long weightsBytes(Module model, Map<String, String> meta) throws java.io.IOException {
        Path tmp = Files.createTempFile("torchlet-weights", ".safetensors");
        try {
            Checkpoint.save(tmp, model, null, userMetadata(meta));
            return Files.size(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
