package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;

/**
 * A generator and its discriminator in one module, so one state dict (and one checkpoint) holds both:
 * keys {@code generator.*} and {@code discriminator.*}. {@link #dcgan(int)} is the seed's DCGAN,
 * {@link #conditionalDcgan(int, int)} its class-conditional variant ({@link ConditionalGenerator},
 * {@link ConditionalDiscriminator}). {@link GanTrainer} trains it.
 *
 * <pre>
 *   Gan gan = Gan.dcgan(DCGAN.NOISE_DIM);
 *   var trainer = new GanTrainer(gan, GanTrainer.Options.defaults());
 *   for (Batch b : loader.epoch(epoch)) trainer.step(b.inputs(), b.labels());   // images in [-1, 1]
 *   Tensor images = gan.sample(64, null);                                      // (64, 1, 28, 28)
 * </pre>
 */
public class Gan extends Module {
    /** Label-embedding size of the conditional generator. */
    public static final int LABEL_EMBED_DIM = 50;

    private final int noiseDim;
    private final int numClasses;

    private Gan(Module generator, Module discriminator, int noiseDim, int numClasses) {
        this.noiseDim = noiseDim;
        this.numClasses = numClasses;
        registerModule("generator", generator);
        registerModule("discriminator", discriminator);
    }

    /** The seed's DCGAN ({@link DCGAN#generator(int)}, {@link DCGAN#discriminator()}). */
    public static Gan dcgan(int noiseDim) {
        return new Gan(DCGAN.generator(noiseDim), DCGAN.discriminator(), noiseDim, 0);
    }

    /** The class-conditional DCGAN for {@code numClasses} classes. */
    public static Gan conditionalDcgan(int noiseDim, int numClasses) {
        return new Gan(
                new ConditionalGenerator(noiseDim, numClasses, LABEL_EMBED_DIM),
                new ConditionalDiscriminator(numClasses),
                noiseDim,
                numClasses);
    }

    public boolean conditional() {
        return numClasses > 0;
    }

    /** Number of classes of a conditional GAN, 0 for an unconditional one. */
    public int numClasses() {
        return numClasses;
    }

    public int noiseDim() {
        return noiseDim;
    }

    public Module generator() {
        return child("generator");
    }

    public Module discriminator() {
        return child("discriminator");
    }

    /** Standard normal noise (n, noiseDim) from the global generator. */
    public Tensor noise(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("Gan: the number of samples must be at least 1, got " + n);
        }
        return Torch.randn(n, noiseDim);
    }

    /** Images (B, 1, 28, 28) in [-1, 1]; labels (int64, B) for a conditional GAN, else null. */
    public Tensor generate(Tensor noise, Tensor labels) {
        if (generator() instanceof ConditionalGenerator g) {
            return g.call(noise, labels);
        }
        requireNoLabels(labels);
        return generator().call(noise);
    }

    /** Discriminator logits (B, 1): real &gt; 0. */
    public Tensor discriminate(Tensor images, Tensor labels) {
        if (discriminator() instanceof ConditionalDiscriminator d) {
            return d.call(images, labels);
        }
        requireNoLabels(labels);
        return discriminator().call(images);
    }

    /** n images from fresh noise, without recording a graph (in the current train/eval mode). */
    public Tensor sample(int n, Tensor labels) {
        try (var g = Torch.noGrad()) {
            return generate(noise(n), labels);
        }
    }

    /** The generator's images of the noise (unconditional GANs only). */
    @Override
    public Tensor forward(Tensor noise) {
        return generate(noise, null);
    }

    private void requireNoLabels(Tensor labels) {
        if (labels != null) {
            throw new IllegalArgumentException("Gan: this GAN is not class-conditional; pass null labels");
        }
    }
}
