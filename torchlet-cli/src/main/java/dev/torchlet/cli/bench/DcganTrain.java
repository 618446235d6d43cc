package dev.torchlet.cli.bench;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.vision.generative.Gan;
import dev.torchlet.vision.generative.GanTrainer;

/**
 * {@code dcgan_train_img_s}: one DCGAN iteration, batch 64 at 1x28x28, as in the baseline: the seed's
 * generator and discriminator ({@link dev.torchlet.vision.generative.DCGAN}, train mode), a discriminator
 * step (BCE-with-logits on 64 real images with target 1 and 64 detached fakes with target 0) then a
 * generator step (non-saturating BCE-with-logits), each Adam(2e-4, betas 0.5/0.999); real images per
 * second, 10 timed reps. No label smoothing here: the baseline uses target 1.
 */
final class DcganTrain implements Workload {
    @Override
    public String name() {
        return "dcgan_train_img_s";
    }

    @Override
    public String description() {
        return "DCGAN iteration (D step + G step, Adam), batch 64 at 28x28";
    }

    @Override
    public Result run() {
        Gan gan = Gan.dcgan(100);
        GanTrainer trainer = new GanTrainer(gan, GanTrainer.Options.defaults().withRealLabel(1.0));
        Tensor real = Torch.rand(64, 1, 28, 28).mul(2f).sub(1f);
        double seconds = Timing.median(() -> trainer.step(real, null), 10);
        return new Result(64 / seconds, "img/s");
    }
}
