package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.ConvTranspose2d;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.Unflatten;
import dev.torchlet.nn.functional.F;

/**
 * A convolutional autoencoder for 1x28x28 images in [0, 1]:
 *
 * <pre>
 * encoder  Conv2d(1, 32, 4, s2, p1) - ReLU - Conv2d(32, 64, 4, s2, p1) - ReLU - Flatten   (B, 3136)
 *          - Linear(3136, latent)                                                         (B, latent) codes
 * decoder  Linear(latent, 3136) - ReLU - Unflatten(64, 7, 7)
 *          - ConvTranspose2d(64, 32, 4, s2, p1) - ReLU - ConvTranspose2d(32, 1, 4, s2, p1) (B, 1, 28, 28) logits
 * </pre>
 *
 * {@code call(x)} gives reconstructions in [0, 1] (sigmoid of the decoder's logits); the loss is
 * binary cross-entropy on the logits ({@link #loss(Tensor, Tensor)}). The encoder is a feature extractor:
 * {@link #encode(Tensor)}, or {@code FeatureExtractor.of(ae, "encoder")}.
 */
public class ConvAutoencoder extends Module {
    private final int latentDim;

    public ConvAutoencoder(int latentDim) {
        DCGAN.positive("latentDim", latentDim);
        this.latentDim = latentDim;
        registerModule("encoder", encoderTrunk().add(new Linear(64 * 7 * 7, latentDim)));
        registerModule("decoder", decoder(latentDim));
    }

    /** The convolutional part of the encoder: (B, 1, 28, 28) -> (B, 3136). */
    static Sequential encoderTrunk() {
        return new Sequential(
                new Conv2d(1, 32, 4, 2, 1), new ReLU(), new Conv2d(32, 64, 4, 2, 1), new ReLU(), new Flatten());
    }

    /** (B, latent) -> logits (B, 1, 28, 28). */
    static Sequential decoder(int latentDim) {
        return new Sequential(
                new Linear(latentDim, 64 * 7 * 7),
                new ReLU(),
                new Unflatten(1, 64, 7, 7),
                new ConvTranspose2d(64, 32, 4, 2, 1),
                new ReLU(),
                new ConvTranspose2d(32, 1, 4, 2, 1));
    }

    public int latentDim() {
        return latentDim;
    }

    /** Codes (B, latent) of images (B, 1, 28, 28). */
    public Tensor encode(Tensor x) {
        return child("encoder").call(x);
    }

    /** Decoder logits (B, 1, 28, 28) of codes. */
    public Tensor decodeLogits(Tensor z) {
        return child("decoder").call(z);
    }

    /** Binary cross-entropy of the reconstruction logits against the images in [0, 1], summed per image, batch mean. */
    public static Tensor loss(Tensor logits, Tensor x) {
        return F.binaryCrossEntropyWithLogits(logits, x, null, null, dev.torchlet.nn.Reduction.SUM)
                .div((float) x.shape()[0]);
    }

    /** Reconstructions in [0, 1]. */
    @Override
    public Tensor forward(Tensor x) {
        return decodeLogits(encode(x)).sigmoid();
    }
}
