package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Reduction;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;
import dev.torchlet.optim.AdamOptions;
import java.util.Arrays;

/**
 * One DCGAN iteration at a time: a discriminator step, then a generator step, each with its own Adam.
 *
 * <pre>
 * fake   = G(z)                                   z ~ N(0, 1), one batch of fakes for both steps
 * D step: BCEwithLogits(D(real), s) + BCEwithLogits(D(fake.detach()), 0)     s = realLabel (0.9: one-sided
 *         label smoothing, so D cannot become overconfident on the real images and starve G of gradient)
 * G step: BCEwithLogits(D(fake), 1)              the non-saturating loss -log D(G(z)), not log(1 - D(G(z))),
 *         whose gradient vanishes exactly when D wins
 * </pre>
 *
 * With {@code realLabel} 1 this is the benchmark's step ({@code dcgan_train_img_s}).
 */
public final class GanTrainer {
    /**
     * @param lr        Adam learning rate of both players (DCGAN: 2e-4)
     * @param beta1     Adam beta1 (DCGAN: 0.5)
     * @param beta2     Adam beta2 (0.999)
     * @param realLabel target of real images in the discriminator loss, in (0, 1] (0.9: one-sided smoothing)
     */
    public record Options(double lr, double beta1, double beta2, double realLabel) {
        public Options {
            if (!(lr > 0)) {
                throw new IllegalArgumentException("GanTrainer: lr must be > 0, got " + lr);
            }
            if (!(realLabel > 0 && realLabel <= 1)) {
                throw new IllegalArgumentException("GanTrainer: realLabel must be in (0, 1], got " + realLabel);
            }
        }

        /** DCGAN's Adam(2e-4, betas 0.5/0.999) with one-sided label smoothing 0.9. */
        public static Options defaults() {
            return new Options(2e-4, 0.5, 0.999, 0.9);
        }

        public Options withLr(double v) {
            return new Options(v, beta1, beta2, realLabel);
        }

        public Options withRealLabel(double v) {
            return new Options(lr, beta1, beta2, v);
        }
    }

    /**
     * One iteration's numbers.
     *
     * @param discriminatorLoss D's loss (real + fake terms)
     * @param generatorLoss     G's non-saturating loss
     * @param realScore         mean D(x) as a probability on the real images
     * @param fakeScore         mean D(G(z)) before D's step
     */
    public record StepLosses(double discriminatorLoss, double generatorLoss, double realScore, double fakeScore) {}

    private final Gan gan;
    private final Options options;
    private final Adam generatorOptimizer;
    private final Adam discriminatorOptimizer;

    public GanTrainer(Gan gan, Options options) {
        this.gan = gan;
        this.options = options;
        AdamOptions adam = AdamOptions.of(options.lr()).withBetas(options.beta1(), options.beta2());
        this.generatorOptimizer = new Adam(gan.generator().parameters(), adam);
        this.discriminatorOptimizer = new Adam(gan.discriminator().parameters(), adam);
    }

    public Adam generatorOptimizer() {
        return generatorOptimizer;
    }

    public Adam discriminatorOptimizer() {
        return discriminatorOptimizer;
    }

    /** One D step and one G step on real images (B, 1, 28, 28) in [-1, 1]; labels for a conditional GAN. */
    public StepLosses step(Tensor real, Tensor labels) {
        return step(real, labels, gan.noise(real.shape()[0]));
    }

    /** {@link #step(Tensor, Tensor)} with the generator's noise (B, noiseDim) given. */
    public StepLosses step(Tensor real, Tensor labels, Tensor noise) {
        gan.train();
        if (noise.dim() != 2 || noise.shape()[0] != real.shape()[0] || noise.shape()[1] != gan.noiseDim()) {
            throw new IllegalArgumentException("GanTrainer.step: noise must be (" + real.shape()[0] + ", "
                    + gan.noiseDim() + ") for " + real.shape()[0] + " real images, got "
                    + Arrays.toString(noise.shape()));
        }
        Tensor fake = gan.generate(noise, labels); // fakes of the real images' classes
        discriminatorOptimizer.zeroGrad();
        Tensor realLogits = gan.discriminate(real, labels);
        Tensor fakeLogits = gan.discriminate(fake.detach(), labels);
        Tensor dLoss = bce(realLogits, (float) options.realLabel()).add(bce(fakeLogits, 0f));
        dLoss.backward();
        discriminatorOptimizer.step();
        generatorOptimizer.zeroGrad();
        Tensor gLoss = bce(gan.discriminate(fake, labels), 1f);
        gLoss.backward();
        generatorOptimizer.step();
        return new StepLosses(
                dLoss.itemDouble(),
                gLoss.itemDouble(),
                realLogits.detach().sigmoid().mean().itemDouble(),
                fakeLogits.detach().sigmoid().mean().itemDouble());
    }

    private static Tensor bce(Tensor logits, float target) {
        return F.binaryCrossEntropyWithLogits(logits, Torch.full(target, logits.shape()), null, null, Reduction.MEAN);
    }
}
