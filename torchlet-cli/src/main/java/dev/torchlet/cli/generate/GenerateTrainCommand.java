package dev.torchlet.cli.generate;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code torchlet generate train}: trains a generative model, writing checkpoint, loss plot and sample grids. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains a generative model on Fashion-MNIST. After each epoch: checkpoint, loss plot, and a grid of",
            "samples of fixed noise (samples_epoch_N.png; the autoencoders also reconstructions_epoch_N.png).",
            "ddpm: a denoising diffusion U-Net (AdamW, EMA of the weights; grids sampled by DDIM).",
            "Example: torchlet generate train --model dcgan --conditional --epochs 5",
            "         torchlet generate train --model ddpm --conditional"
        })
public final class GenerateTrainCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "vae", description = "vae, ae, dcgan or ddpm (default: ${DEFAULT-VALUE})")
    String model;

    @Option(
            names = "--conditional",
            description = "Class-conditional dcgan (label embeddings in G and D) or ddpm (a label embedding, trained"
                    + " with 10% null labels for classifier-free guidance).")
    boolean conditional;

    @Option(
            names = "--epochs",
            description = "Number of epochs (default: 5 for vae and ae, 1 for dcgan, "
                    + GenerateConfig.DDPM_EPOCHS
                    + " for ddpm: each fits in 15 minutes on 2 cores).")
    Integer epochs;

    @Option(
            names = "--batch-size",
            description =
                    "Batch size (default: 64; ddpm " + GenerateConfig.DDPM_BATCH_SIZE + ": more steps in the time).")
    Integer batchSize;

    @Option(
            names = "--lr",
            description = "Adam (ddpm: AdamW) learning rate (default: 2e-4 for dcgan, 1e-3 for vae, ae and ddpm).")
    Double lr;

    @Option(names = "--beta", defaultValue = "1.0", description = "VAE: weight of the KL term (default: 1).")
    double beta;

    @Option(names = "--latent", defaultValue = "16", description = "vae/ae: latent size (default: 16).")
    int latent;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--workers", defaultValue = "2", description = "Data loader threads (default: 2).")
    int workers;

    @Option(names = "--out", description = "Output folder (default: runs/<kind>, e.g. runs/dcgan-conditional).")
    Path out;

    @Option(names = "--data", description = "Fashion-MNIST folder (default: as `torchlet train`).")
    Path data;

    @Option(
            names = "--limit",
            description = "Train on the first N training images only (default: all; ddpm: " + GenerateConfig.DDPM_LIMIT
                    + ", to fit 15 minutes).")
    Integer limit;

    @Option(
            names = "--width",
            defaultValue = "" + GenerateConfig.DEFAULT_DDPM_WIDTH,
            description =
                    "ddpm: the U-Net's base width, a multiple of 8 (default: ${DEFAULT-VALUE}; the bench's is 64).")
    int width;

    @Option(
            names = "--sample-steps",
            defaultValue = "" + GenerateConfig.DEFAULT_SAMPLE_STEPS,
            description = "ddpm: DDIM steps of the per-epoch sample grids (default: ${DEFAULT-VALUE}).")
    int sampleSteps;

    @Override
    public Integer call() throws Exception {
        GenerativeKind kind = GenerativeKind.of(model, conditional);
        if (!kind.diffusion()
                && (width != GenerateConfig.DEFAULT_DDPM_WIDTH || sampleSteps != GenerateConfig.DEFAULT_SAMPLE_STEPS)) {
            throw new IllegalArgumentException("--width and --sample-steps are for --model ddpm; got --model " + model);
        }
        GenerateConfig config = new GenerateConfig(
                kind,
                epochs != null ? epochs : GenerateConfig.defaultEpochs(kind),
                batchSize != null ? batchSize : GenerateConfig.defaultBatchSize(kind),
                lr != null ? lr : GenerateConfig.defaultLr(kind),
                beta,
                latent,
                seed,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                workers,
                out != null ? out : Path.of("runs", kind.id()),
                data,
                limit != null ? limit : GenerateConfig.defaultLimit(kind),
                width,
                sampleSteps);
        GenerativeTrainer.Result r = new GenerativeTrainer(config, System.out).run();
        System.out.println();
        System.out.println("== summary ==");
        System.out.println(config.describe());
        var last = r.history().get(r.history().size() - 1);
        double trainSeconds = r.history().stream().mapToDouble(e -> e.seconds()).sum();
        System.out.printf(
                "wall time: %.1f s (training %.1f s, %.0f img/s)%n",
                r.wallSeconds(), trainSeconds, last.imagesPerSecond());
        System.out.println("last epoch: " + last.describe());
        System.out.println("checkpoint: " + r.checkpoint());
        System.out.println("plot: " + r.plot());
        System.out.println("grid: " + r.lastGrid());
        return 0;
    }
}
