package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.nn.BatchNorm;
import dev.torchlet.nn.BatchNorm1d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.ConvTranspose2d;
import dev.torchlet.nn.ConvTranspose2dOptions;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.LeakyReLU;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.Tanh;
import dev.torchlet.nn.Unflatten;

/**
 * The seed's DCGAN at 28x28 (its Keras layers written as PyTorch modules), exactly as {@code _dcgan()}
 * in {@code ../shared/bench/pytorch_bench.py}, so state-dict keys ({@code 0.weight}, {@code 1.running_mean},
 * ...) and parameter counts are PyTorch's:
 *
 * <pre>
 * generator      (B, noise) -> Linear(noise, 7*7*256, no bias) - BatchNorm1d - ReLU - Unflatten(256, 7, 7)
 *                -> ConvTranspose2d(256, 128, 5, s1, p2, no bias) - BN - ReLU          (B, 128, 7, 7)
 *                -> ConvTranspose2d(128, 64, 5, s2, p2, op1, no bias) - BN - ReLU      (B, 64, 14, 14)
 *                -> ConvTranspose2d(64, out, 5, s2, p2, op1, no bias) - Tanh           (B, out, 28, 28) in [-1, 1]
 * discriminator  (B, in, 28, 28) -> Conv2d(in, 64, 5, s2, p2) - LeakyReLU(0.2) - Dropout(0.3)  (B, 64, 14, 14)
 *                -> Conv2d(64, 128, 5, s2, p2) - LeakyReLU(0.2) - Dropout(0.3)                   (B, 128, 7, 7)
 *                -> Flatten - Linear(6272, 1)                                                   (B, 1) logits
 * </pre>
 *
 * With noise 100 and one channel: 2,305,472 generator and 212,865 discriminator parameters. Layers keep
 * PyTorch's default initialization (as the benchmark does); {@link #paperInit(Module)} applies the DCGAN
 * paper's N(0, 0.02), which `torchlet generate train` uses.
 */
public final class DCGAN {
    /** The seed's noise size. */
    public static final int NOISE_DIM = 100;

    private DCGAN() {}

    /** The generator for 1x28x28 images from {@code noiseDim} numbers. */
    public static Sequential generator(int noiseDim) {
        return generator(noiseDim, 1);
    }

    /** The generator for {@code outChannels}x28x28 images from {@code noiseDim} numbers. */
    public static Sequential generator(int noiseDim, int outChannels) {
        positive("noiseDim", noiseDim);
        positive("outChannels", outChannels);
        return new Sequential(
                new Linear(noiseDim, 7 * 7 * 256, false),
                new BatchNorm1d(7 * 7 * 256),
                new ReLU(),
                new Unflatten(1, 256, 7, 7),
                new ConvTranspose2d(up(256, 128, 1)),
                new BatchNorm2d(128),
                new ReLU(),
                new ConvTranspose2d(up(128, 64, 2)),
                new BatchNorm2d(64),
                new ReLU(),
                new ConvTranspose2d(up(64, outChannels, 2)),
                new Tanh());
    }

    /** The discriminator for 1x28x28 images: one logit per image (real > 0). */
    public static Sequential discriminator() {
        return discriminator(1);
    }

    /** The discriminator for {@code inChannels}x28x28 inputs. */
    public static Sequential discriminator(int inChannels) {
        positive("inChannels", inChannels);
        return new Sequential(
                new Conv2d(inChannels, 64, 5, 2, 2),
                new LeakyReLU(0.2f),
                new Dropout(0.3),
                new Conv2d(64, 128, 5, 2, 2),
                new LeakyReLU(0.2f),
                new Dropout(0.3),
                new Flatten(),
                new Linear(128 * 7 * 7, 1));
    }

    /** A 5x5 transposed conv without bias, padding 2: stride 1 keeps the size, stride 2 (output padding 1) doubles. */
    private static ConvTranspose2dOptions up(int in, int out, int stride) {
        return ConvTranspose2dOptions.of(in, out, 5)
                .withStride(stride)
                .withPadding(2)
                .withOutputPadding(stride - 1)
                .withBias(false);
    }

    /**
     * The DCGAN paper's initialization (Radford et al. 2016, as PyTorch's DCGAN example does it): every
     * convolution, transposed convolution and linear weight N(0, 0.02) with zero bias, every batch-norm
     * scale N(1, 0.02) with zero shift; other modules (embeddings) keep theirs. Returns the module.
     */
    public static <M extends Module> M paperInit(M model) {
        for (Module m : model.modules()) {
            if (m instanceof Conv2d || m instanceof ConvTranspose2d || m instanceof Linear) {
                Init.normal(m.parameter("weight"), 0, 0.02);
                zeroIfPresent(m, "bias");
            } else if (m instanceof BatchNorm bn && m.parameter("weight") != null) {
                Init.normal(bn.parameter("weight"), 1, 0.02);
                zeroIfPresent(m, "bias");
            }
        }
        return model;
    }

    private static void zeroIfPresent(Module m, String name) {
        Tensor p = m.parameter(name);
        if (p != null) {
            Init.zeros(p);
        }
    }

    static void positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("DCGAN: " + what + " must be at least 1, got " + value);
        }
    }
}
