package dev.torchlet.cli.generate;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.generative.Diffusion;
import dev.torchlet.vision.generative.Gan;
import dev.torchlet.vision.generative.VAE;

/**
 * What `torchlet generate eval` needs of a generative model: n new images in [0, 1], shape (n, 1, 28, 28), of
 * given classes when the model is class-conditional. A new model kind needs one case in {@link #of(Module)}.
 */
interface ImageSampler {
    /** Number of classes a conditional model generates, 0 for an unconditional one. */
    int numClasses();

    /** n images in [0, 1] (n, 1, 28, 28); labels (n class indices) for a conditional model, else null. */
    Tensor sample(int n, long[] labels);

    default boolean conditional() {
        return numClasses() > 0;
    }

    /** The sampler of a model restored by {@link GenerateSampleCommand#load}, in eval mode, without a graph. */
    static ImageSampler of(Module model) {
        return of(model, Diffusion.Sampling.ddim(50, 3));
    }

    /** As {@link #of(Module)}; a ddpm samples its EMA weights by DDIM with {@code sampling}. */
    static ImageSampler of(Module model, Diffusion.Sampling sampling) {
        return switch (model) {
            case DdpmModel ddpm ->
                new ImageSampler() { // x_0 in [-1, 1] -> [0, 1]
                    public int numClasses() {
                        return ddpm.ema().numClasses();
                    }

                    public Tensor sample(int n, long[] labels) {
                        Tensor y = labels == null ? null : Torch.tensor(labels, n);
                        try (var g = Torch.noGrad()) {
                            return ddpm.diffusion()
                                    .sampleDdim(ddpm.ema(), n, 28, y, sampling)
                                    .add(1f)
                                    .mul(0.5f)
                                    .clamp(0f, 1f);
                        }
                    }
                };
            case Gan gan ->
                new ImageSampler() { // the generator's tanh: [-1, 1] -> [0, 1]
                    public int numClasses() {
                        return gan.numClasses();
                    }

                    public Tensor sample(int n, long[] labels) {
                        Tensor y = labels == null ? null : Torch.tensor(labels, n);
                        return gan.sample(n, y).add(1f).mul(0.5f);
                    }
                };
            case VAE vae ->
                new ImageSampler() { // decoder sigmoid: already [0, 1]
                    public int numClasses() {
                        return 0;
                    }

                    public Tensor sample(int n, long[] labels) {
                        return vae.sample(n);
                    }
                };
            default ->
                throw new IllegalArgumentException(
                        "a " + model.getClass().getSimpleName() + " has no prior to sample images from");
        };
    }
}
