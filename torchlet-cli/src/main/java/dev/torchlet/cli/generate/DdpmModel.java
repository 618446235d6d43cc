package dev.torchlet.cli.generate;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.generative.Diffusion;
import dev.torchlet.vision.generative.NoiseSchedule;
import dev.torchlet.vision.generative.UNet;

/**
 * What `generate train --model ddpm` trains and checkpoints: the U-Net being optimized ({@code net}) and the
 * exponential moving average of its weights ({@code ema}, the copy that samples), so the checkpoint's keys are
 * {@code model.net.*} and {@code model.ema.*}; plus the diffusion process (linear schedule, T = 1000).
 */
public final class DdpmModel extends Module {
    /** The schedule's T. */
    public static final int TIMESTEPS = NoiseSchedule.DEFAULT_STEPS;

    private final Diffusion diffusion = new Diffusion(NoiseSchedule.linear(TIMESTEPS));

    /** Checks the --steps and --guidance options of `generate sample` and `generate eval` (null: not given). */
    static void checkSamplingOptions(Integer steps, Double guidance) {
        if (steps != null && (steps < 1 || steps > TIMESTEPS)) {
            throw new IllegalArgumentException(
                    "--steps must be in [1, " + TIMESTEPS + "] (the diffusion schedule's T), got " + steps);
        }
        if (guidance != null && !(guidance >= 0 && guidance < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("--guidance must be a number >= 0, got " + guidance);
        }
    }

    /**
     * @param width      the U-Net's base width
     * @param numClasses 0 for unconditional, else the classes (plus the null class of guidance)
     */
    public DdpmModel(int width, int numClasses) {
        registerModule("net", new UNet(width, 1, numClasses));
        UNet ema = registerModule("ema", new UNet(width, 1, numClasses));
        ema.requiresGrad(false);
    }

    /** The trained U-Net. */
    public UNet net() {
        return (UNet) child("net");
    }

    /** The average of the trained weights, for sampling. */
    public UNet ema() {
        return (UNet) child("ema");
    }

    public Diffusion diffusion() {
        return diffusion;
    }

    public boolean conditional() {
        return net().conditional();
    }

    /** Sampling goes through {@link Diffusion}; a DdpmModel has no single-input forward. */
    @Override
    public Tensor forward(Tensor x) {
        throw new IllegalArgumentException("DdpmModel: sample with diffusion().sampleDdim(ema(), ...)");
    }
}
