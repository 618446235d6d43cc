package dev.torchlet.cli.spark;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code torchlet spark}: feature extraction and data-parallel training on a local Spark session. */
@Command(
        name = "spark",
        mixinStandardHelpOptions = true,
        description = "Runs Torchlet on Apache Spark in this process (local[N] by default, or --master for a"
                + " cluster): `extract` writes features of an image folder to Parquet, `train` trains a"
                + " Fashion-MNIST model data-parallel (synchronous SGD or parameter averaging).",
        subcommands = {SparkExtractCommand.class, SparkTrainCommand.class})
public final class SparkCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
