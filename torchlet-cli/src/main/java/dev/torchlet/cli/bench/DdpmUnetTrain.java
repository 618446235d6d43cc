package dev.torchlet.cli.bench;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.optim.AdamW;
import dev.torchlet.vision.generative.Diffusion;
import dev.torchlet.vision.generative.NoiseSchedule;
import dev.torchlet.vision.generative.UNet;

/**
 * {@code ddpm_unet_train_img_s}: one DDPM training step, batch 32 at 1x28x28, as in the baseline: the bench's
 * U-Net ({@link UNet}'s default configuration, {@code _UNet} exactly), linear betas 1e-4..0.02 over 1000 steps,
 * t uniform, eps ~ N(0, 1), MSE of the predicted eps, AdamW(2e-4); images per second, 5 timed reps.
 */
final class DdpmUnetTrain implements Workload {
    @Override
    public String name() {
        return "ddpm_unet_train_img_s";
    }

    @Override
    public String description() {
        return "DDPM training step (small U-Net, eps prediction, MSE, AdamW), batch 32 at 28x28";
    }

    @Override
    public Result run() {
        UNet net = new UNet();
        AdamW opt = new AdamW(net.parameters(), 2e-4);
        Diffusion diffusion = new Diffusion(NoiseSchedule.linear(1000));
        Tensor x0 = Torch.rand(32, 1, 28, 28).mul(2f).sub(1f);
        double seconds = Timing.median(
                () -> {
                    opt.zeroGrad();
                    diffusion.loss(net, x0).backward();
                    opt.step();
                },
                5);
        return new Result(32 / seconds, "img/s");
    }
}
