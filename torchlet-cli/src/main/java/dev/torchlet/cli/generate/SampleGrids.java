package dev.torchlet.cli.generate;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.transforms.ImageGrid;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.generative.ConvAutoencoder;
import dev.torchlet.vision.generative.Diffusion;
import dev.torchlet.vision.generative.Gan;
import dev.torchlet.vision.generative.VAE;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The image grids of `torchlet generate`: samples of a fixed latent batch, and reconstructions. */
final class SampleGrids {
    /** Samples per class in a conditional grid (one row per class). */
    static final int PER_CLASS = 10;

    private SampleGrids() {}

    /** The fixed inputs of a sample grid: noise or latent codes, and labels (null when unconditional). */
    record Latents(Tensor z, Tensor labels) {}

    /**
     * Fixed latents: 64 for an unconditional model; for a conditional GAN, {@link #PER_CLASS} of each
     * class, or of one class when {@code onlyClass >= 0}. {@code count} overrides the number (0: default).
     */
    static Latents latents(Module model, int count, int onlyClass) {
        if (model instanceof DdpmModel ddpm) {
            // the latents of a diffusion model are x_T: DDIM with eta 0 maps the same x_T to the same images
            int classes = ddpm.conditional() ? ddpm.net().numClasses() : 0;
            int n = count > 0 ? count : classes > 0 && onlyClass < 0 ? PER_CLASS * classes : 64;
            Tensor labels = null;
            if (classes > 0) {
                long[] y = new long[n];
                for (int i = 0; i < n; i++) {
                    y[i] = onlyClass >= 0 ? onlyClass : (i / PER_CLASS) % classes;
                }
                labels = Torch.tensor(y, n);
            }
            return new Latents(Torch.randn(n, 1, 28, 28), labels);
        }
        if (model instanceof Gan gan) {
            if (!gan.conditional()) {
                return new Latents(gan.noise(count > 0 ? count : 64), null);
            }
            int n = count > 0 ? count : onlyClass >= 0 ? 64 : PER_CLASS * gan.numClasses();
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = onlyClass >= 0 ? onlyClass : (i / PER_CLASS) % gan.numClasses();
            }
            return new Latents(gan.noise(n), Torch.tensor(labels, n));
        }
        if (model instanceof VAE vae) {
            return new Latents(Torch.randn(count > 0 ? count : 64, vae.latentDim()), null);
        }
        throw new IllegalArgumentException("a " + model.getClass().getSimpleName()
                + " has no prior to sample from; its epochs write reconstructions");
    }

    /** The model's images of the latents, in eval mode, written as a grid PNG (ddpm: DDIM 50, guidance 3). */
    static void saveSamples(Module model, Latents latents, Path png) throws IOException {
        saveSamples(model, latents, png, Diffusion.Sampling.ddim(50, GenerateConfig.GRID_GUIDANCE));
    }

    /** As {@link #saveSamples(Module, Latents, Path)}; a ddpm samples its EMA weights with {@code sampling}. */
    static void saveSamples(Module model, Latents latents, Path png, Diffusion.Sampling sampling) throws IOException {
        boolean training = model.isTraining();
        model.eval();
        try (var g = Torch.noGrad()) {
            if (model instanceof DdpmModel ddpm) {
                Tensor images = ddpm.diffusion().sampleDdim(ddpm.ema(), latents.z(), latents.labels(), sampling);
                boolean rows = latents.labels() != null && latents.labels().numel() % PER_CLASS == 0;
                ImageGrid.save(
                        images,
                        png,
                        ImageGrid.Options.of().withNrow(rows ? PER_CLASS : 8).withValueRange(-1, 1));
            } else if (model instanceof Gan gan) {
                Tensor images = gan.generate(latents.z(), latents.labels());
                int nrow = gan.conditional() && latents.labels().numel() % PER_CLASS == 0 ? PER_CLASS : 8;
                ImageGrid.save(
                        images, png, ImageGrid.Options.of().withNrow(nrow).withValueRange(-1, 1));
            } else {
                Tensor images = ((VAE) model).decodeLogits(latents.z()).sigmoid();
                ImageGrid.save(images, png, ImageGrid.Options.of().withNrow(8));
            }
        } finally {
            if (training) {
                model.train();
            }
        }
    }

    /** Rows of originals (in [0, 1]) above rows of their reconstructions, 8 per row. */
    static void saveReconstructions(Module model, Tensor originals, Path png) throws IOException {
        boolean training = model.isTraining();
        model.eval();
        try (var g = Torch.noGrad()) {
            Tensor recon = model instanceof VAE vae ? vae.call(originals) : ((ConvAutoencoder) model).call(originals);
            ImageGrid.save(
                    Torch.cat(List.of(originals, recon), 0),
                    png,
                    ImageGrid.Options.of().withNrow(8));
        } finally {
            if (training) {
                model.train();
            }
        }
    }
}
