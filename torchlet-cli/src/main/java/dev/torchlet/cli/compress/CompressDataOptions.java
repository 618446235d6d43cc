package dev.torchlet.cli.compress;

import dev.torchlet.Torch;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every compress command shares: Fashion-MNIST, batch size, subsets, seed and threads. */
final class CompressDataOptions {
    @Option(names = "--batch-size", defaultValue = "64", description = "Training/calibration batch size (default: 64).")
    int batchSize;

    @Option(names = "--limit", defaultValue = "0", description = "Train or calibrate on the first N training images.")
    int limit;

    @Option(names = "--test-limit", defaultValue = "0", description = "Evaluate on the first N test images only.")
    int testLimit;

    @Option(names = "--data", description = "Fashion-MNIST folder (default: the standard places).")
    Path data;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: 42).")
    long seed;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    /** Sets the compute threads (all cores by default) and the random seed. */
    void applyThreadsAndSeed() {
        Torch.setNumThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors());
        Torch.manualSeed(seed);
    }

    /** The training and test loaders these options describe. */
    CompressData open() throws IOException {
        return new CompressData(data, limit, testLimit, batchSize, seed);
    }
}
