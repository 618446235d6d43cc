package dev.torchlet.cli.generate;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code torchlet generate}: generative models on Fashion-MNIST (train, sample, eval, probe, fid-classifier). */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Generative models on Fashion-MNIST: a VAE, a convolutional autoencoder, DCGAN (optionally"
                + " class-conditional).",
        subcommands = {
            GenerateTrainCommand.class,
            GenerateSampleCommand.class,
            GenerateEvalCommand.class,
            GenerateProbeCommand.class,
            FidClassifierCommand.class
        })
public final class GenerateCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
