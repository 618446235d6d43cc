package dev.torchlet.cli.generate;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of one `torchlet generate train` run, validated.
 *
 * @param latentDim   latent size of the autoencoders (the GAN's noise is DCGAN's 100)
 * @param beta        weight of the VAE's KL term
 * @param limit       train on the first N images only (0: all)
 * @param width       ddpm: the U-Net's base width (multiple of 8)
 * @param sampleSteps ddpm: DDIM steps of the per-epoch sample grid
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
        int limit,
        int width,
        int sampleSteps) {
    /**
     * The U-Net width of a default ddpm run (the bench's is 64). Measured 2026-11-30 on the 2 cores, shared
     * with other jobs: width 16 trains at about 43 img/s at batch 16 (width 32 about 20 img/s at batch 64), and
     * the number of optimizer steps mattered more than the width in 8-minute trials (at step ~700, batch 16
     * after 4 minutes gave the grid batch 32 gave after 8).
     */
    public static final int DEFAULT_DDPM_WIDTH = 16;

    /** DDIM steps of the per-epoch grids of a ddpm run. */
    public static final int DEFAULT_SAMPLE_STEPS = 50;

    /** Decay of the EMA of the U-Net's weights (half-life about 140 steps: the default run has ~1900). */
    public static final double EMA_DECAY = 0.995;

    /** Classifier-free guidance weight of the per-epoch grids of a conditional ddpm. */
    public static final double GRID_GUIDANCE = 3.0;

    /** Probability of training a conditional ddpm on the null class instead of the label. */
    public static final double P_UNCOND = 0.1;

    public GenerateConfig {
        atLeast("--epochs", epochs, 1);
        atLeast("--batch-size", batchSize, 1);
        atLeast("--latent", latentDim, 1);
        atLeast("--threads", threads, 1);
        atLeast("--workers", workers, 0);
        atLeast("--limit", limit, 0);
        atLeast("--sample-steps", sampleSteps, 1);
        if (sampleSteps > DdpmModel.TIMESTEPS) {
            throw new IllegalArgumentException("--sample-steps must be at most " + DdpmModel.TIMESTEPS
                    + " (the schedule's T), got " + sampleSteps);
        }
        if (width < 8 || width % 8 != 0) {
            throw new IllegalArgumentException("--width must be a positive multiple of 8, got " + width);
        }
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

    /**
     * Epochs of a default run: 5 for the autoencoders (about 40 s an epoch on 2 cores), 1 for the GANs (a
     * discriminator and a generator step per batch: about 10 minutes an epoch, measured 2026-11-30).
     */
    public static int defaultEpochs(GenerativeKind kind) {
        return kind.gan() ? 1 : kind.diffusion() ? DDPM_EPOCHS : 5;
    }

    /** Batch size of a default run: 64, ddpm {@link #DDPM_BATCH_SIZE}. */
    public static int defaultBatchSize(GenerativeKind kind) {
        return kind.diffusion() ? DDPM_BATCH_SIZE : 64;
    }

    /** Batch size of a default ddpm run: small batches give more AdamW steps in the time. */
    public static final int DDPM_BATCH_SIZE = 16;

    /** Images of a default run: all, except ddpm (see {@link #DDPM_LIMIT}). */
    public static int defaultLimit(GenerativeKind kind) {
        return kind.diffusion() ? DDPM_LIMIT : 0;
    }

    /**
     * Epochs of a default ddpm run: 2 of {@link #DDPM_LIMIT} images, 3125 steps of batch 16. Measured 2026-11-30
     * on the 2 cores shared with another training job: 15,000 images a epoch trained at 120 img/s with the vector
     * SiLU (49 img/s before it, under heavier load), so the default grew to 25,000: the default run took 8 min
     * 24 s wall (training 457 s, 123 img/s, final loss 0.0521) next to a DCGAN training job; docs/ddpm_samples.png
     * is its last grid.
     */
    public static final int DDPM_EPOCHS = 2;

    /** Training images of a default ddpm run. */
    public static final int DDPM_LIMIT = 25000;

    /**
     * Default learning rate: 2e-4 for the GANs (DCGAN's), 1e-3 for the autoencoders and ddpm. For ddpm 1e-3 beat
     * the bench's 2e-4 in the short default run (2026-11-30, 1875 steps: final loss 0.0561 against 0.0665, and a
     * grid with visibly more recognisable garments).
     */
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
                        : kind.diffusion()
                                ? ", AdamW, U-Net width " + width + ", linear schedule T " + DdpmModel.TIMESTEPS
                                        + ", EMA " + EMA_DECAY + (kind.conditional() ? ", p_uncond " + P_UNCOND : "")
                                        + ", grids DDIM " + sampleSteps
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
        if (kind.diffusion()) {
            m.put("width", Integer.toString(width));
            m.put("schedule", "linear");
            m.put("timesteps", Integer.toString(DdpmModel.TIMESTEPS));
            m.put("ema_decay", Double.toString(EMA_DECAY));
        }
        return m;
    }
}
