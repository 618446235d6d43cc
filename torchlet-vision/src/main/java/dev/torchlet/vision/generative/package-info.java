/**
 * Generative models for small images (Fashion-MNIST sized, 1x28x28): the seed's {@link
 * dev.torchlet.vision.generative.DCGAN} and its class-conditional variant in a {@link
 * dev.torchlet.vision.generative.Gan} container trained by {@link
 * dev.torchlet.vision.generative.GanTrainer}, a {@link dev.torchlet.vision.generative.ConvAutoencoder}
 * a {@link dev.torchlet.vision.generative.VAE}, and denoising diffusion: a {@link
 * dev.torchlet.vision.generative.NoiseSchedule}, the eps-predicting {@link dev.torchlet.vision.generative.UNet}
 * (optionally class-conditional) and {@link dev.torchlet.vision.generative.Diffusion} (loss, DDPM and DDIM
 * samplers, classifier-free guidance). They live next to the vision model zoo because
 * they are image models built from the same layers; the `torchlet generate` command
 * ({@code dev.torchlet.cli.generate}) trains, samples and measures them (FID, linear probe: the
 * {@code metrics} subpackage).
 */
package dev.torchlet.vision.generative;
