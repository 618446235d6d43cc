package dev.torchlet.cli.generate;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of one `torchlet generate train` run, validated.
 *
 * @param latentDim latent size of the autoencoders (the GAN's noise is DCGAN's 100)
 * @param beta      weight of the VAE's KL term
 * @param limit     train on the first N images only (0: all)
 */
public record GenerateConfig(
        GenerativeKind kind,
        int epochs,
        int batchSize,
        double lr,
        double beta,
        int latentDim,
        long seed,
        int threads,
        int workers,
        Path out,
        Path data,
        int limit) {
    public GenerateConfig {
        atLeast("--epochs", epochs, 1);
        atLeast("--batch-size", batchSize, 1);
        atLeast("--latent", latentDim, 1);
        atLeast("--threads", threads, 1);
        atLeast("--workers", workers, 0);
        atLeast("--limit", limit, 0);
        if (!(lr > 0)) {
            throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        }
        if (!(beta >= 0)) {
            throw new IllegalArgumentException("--beta must be >= 0, got " + beta);
        }
    }

    private static void atLeast(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
        }
    }

    /** Default learning rate: DCGAN's 2e-4 for the GANs, 1e-3 for the autoencoders. */
    /**
     * Epochs of a default run: 5 for the autoencoders (about 40 s an epoch on 2 cores), 1 for the GANs (a
     * discriminator and a generator step per batch: about 10 minutes an epoch, measured 2026-11-30).
     */
    public static int defaultEpochs(GenerativeKind kind) {
        return kind.gan() ? 1 : 5;
    }

    public static double defaultLr(GenerativeKind kind) {
        return kind.gan() ? 2e-4 : 1e-3;
    }

    public String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "model %s, %d epochs, batch %d, lr %.2g%s, seed %d, %d threads",
                kind.id(),
                epochs,
                batchSize,
                lr,
                kind.gan()
                        ? ", Adam betas 0.5/0.999, real label 0.9"
                        : ", latent " + latentDim + (kind == GenerativeKind.VAE_MODEL ? ", beta " + beta : ""),
                seed,
                threads);
    }

    /** Recorded in the checkpoint's metadata. */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(GenerativeKind.METADATA_KEY, kind.id());
        m.put("epochs", Integer.toString(epochs));
        m.put("batch_size", Integer.toString(batchSize));
        m.put("lr", Double.toString(lr));
        m.put("beta", Double.toString(beta));
        m.put("latent_dim", Integer.toString(latentDim));
        m.put("seed", Long.toString(seed));
        m.put("limit", Integer.toString(limit));
        return m;
    }
}
