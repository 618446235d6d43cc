package dev.torchlet.cli.compress;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code torchlet compress}: smaller, faster models from `torchlet train` checkpoints (prune, quantize, distill). */
@Command(
        name = "compress",
        mixinStandardHelpOptions = true,
        description = "Compresses a Fashion-MNIST classifier from `torchlet train`: pruning (masks or whole channels,"
                + " with fine-tuning), int8 quantization (dynamic, static, quantization-aware training) and knowledge"
                + " distillation into a smaller student. Each run ends with a"
                + " before/after table: parameters, file size, latency at batch 1 and 64, test accuracy.",
        subcommands = {PruneCommand.class, QuantizeCommand.class, DistillCommand.class})
public final class CompressCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
