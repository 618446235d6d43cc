package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.Reduction;
import dev.torchlet.nn.functional.F;

/**
 * A convolutional variational autoencoder (Kingma and Welling 2014) for 1x28x28 images in [0, 1], with
 * the {@link ConvAutoencoder}'s encoder trunk and decoder:
 *
 * <pre>
 * encoder     Conv2d(1, 32, 4, s2, p1) - ReLU - Conv2d(32, 64, 4, s2, p1) - ReLU - Flatten    (B, 3136)
 * fc_mu       Linear(3136, latent)  mean of q(z | x)
 * fc_logvar   Linear(3136, latent)  log variance of q(z | x)
 * decoder     Linear(latent, 3136) - ReLU - Unflatten - ConvT(64, 32) - ReLU - ConvT(32, 1)   (B, 1, 28, 28) logits
 * </pre>
 *
 * Training: z = mu + exp(logvar / 2) * eps (the reparameterisation, so gradients reach mu and logvar),
 * loss = reconstruction + beta * KL, both summed per image and averaged over the batch:
 * reconstruction = BCE(decoder(z), x), KL(q(z|x) || N(0, I)) = -1/2 sum(1 + logvar - mu^2 - exp(logvar)).
 * In eval mode z = mu. {@code call(x)} gives reconstructions in [0, 1]; {@link #features(Tensor)} (mu)
 * is the feature extractor ({@code FeatureExtractor.of(vae, "fc_mu")} does the same through hooks);
 * {@link #sample(int)} decodes z ~ N(0, I).
 */
public class VAE extends Module {
    private final int latentDim;

    /** The encoder's output: mean and log variance of q(z | x), each (B, latent). */
    public record Posterior(Tensor mu, Tensor logVar) {}

    /** One pass: reconstruction logits (B, 1, 28, 28), the posterior and the z decoded. */
    public record Output(Tensor logits, Posterior posterior, Tensor z) {}

    /** The loss and its two terms (per image, batch mean). */
    public record Losses(Tensor total, Tensor reconstruction, Tensor kl) {}

    public VAE(int latentDim) {
        DCGAN.positive("latentDim", latentDim);
        this.latentDim = latentDim;
        registerModule("encoder", ConvAutoencoder.encoderTrunk());
        registerModule("fc_mu", new Linear(64 * 7 * 7, latentDim));
        registerModule("fc_logvar", new Linear(64 * 7 * 7, latentDim));
        registerModule("decoder", ConvAutoencoder.decoder(latentDim));
    }

    public int latentDim() {
        return latentDim;
    }

    public Posterior encode(Tensor x) {
        Tensor h = child("encoder").call(x); // (B, 3136)
        return new Posterior(child("fc_mu").call(h), child("fc_logvar").call(h));
    }

    /** mu of q(z | x): the codes used as features, (B, latent). */
    public Tensor features(Tensor x) {
        Tensor h = child("encoder").call(x);
        return child("fc_mu").call(h);
    }

    /** z = mu + sigma * eps, eps ~ N(0, I) from the global generator. */
    public static Tensor reparameterize(Posterior q) {
        Tensor std = q.logVar().mul(0.5f).exp();
        return q.mu().add(std.mul(Torch.randnLike(std)));
    }

    public Tensor decodeLogits(Tensor z) {
        return child("decoder").call(z);
    }

    /** Encodes, draws z (the mean in eval mode) and decodes. */
    public Output run(Tensor x) {
        Posterior q = encode(x);
        Tensor z = isTraining() ? reparameterize(q) : q.mu();
        return new Output(decodeLogits(z), q, z);
    }

    /** Reconstruction + beta * KL for images x in [0, 1]. */
    public static Losses loss(Output out, Tensor x, double beta) {
        if (!(beta >= 0)) {
            throw new IllegalArgumentException("VAE: beta must be >= 0, got " + beta);
        }
        float b = x.shape()[0];
        Tensor recon = F.binaryCrossEntropyWithLogits(out.logits(), x, null, null, Reduction.SUM)
                .div(b);
        Tensor mu = out.posterior().mu();
        Tensor logVar = out.posterior().logVar();
        Tensor kl = logVar.add(1f).sub(mu.pow(2f)).sub(logVar.exp()).sum().mul(-0.5f / b);
        return new Losses(recon.add(kl.mul((float) beta)), recon, kl);
    }

    /** n images in [0, 1] decoded from z ~ N(0, I), without recording a graph. */
    public Tensor sample(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("VAE: the number of samples must be at least 1, got " + n);
        }
        try (var g = Torch.noGrad()) {
            return decodeLogits(Torch.randn(n, latentDim)).sigmoid();
        }
    }

    /** Reconstructions in [0, 1]. */
    @Override
    public Tensor forward(Tensor x) {
        return run(x).logits().sigmoid();
    }
}
