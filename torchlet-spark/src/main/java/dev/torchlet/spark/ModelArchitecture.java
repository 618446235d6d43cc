package dev.torchlet.spark;

import dev.torchlet.Tensor;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.Transform;
import dev.torchlet.nn.Module;

/**
 * A network as a {@link ModelProvider} constructs it, with what turns a decoded image into its input.
 *
 * @param module the network (weights as constructed)
 * @param imageTransform decoded image -> (C, H, W) input tensor (resize, crop, normalize)
 * @param imageChannels channels images are decoded to before the transform: 1 (grayscale) or 3 (RGB)
 */
public record ModelArchitecture(Module module, Transform<Image, Tensor> imageTransform, int imageChannels) {
    public ModelArchitecture {
        if (imageChannels != 1 && imageChannels != 3) {
            throw new IllegalArgumentException("imageChannels must be 1 or 3, got " + imageChannels);
        }
    }
}
