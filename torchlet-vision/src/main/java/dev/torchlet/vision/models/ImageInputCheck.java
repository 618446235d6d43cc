package dev.torchlet.vision.models;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Module;

/**
 * The input check of the convolutional classifiers (ResNet, VGG, AlexNet): a batch (N, C, H, W) with
 * the channels the first convolution takes and at least the smallest size the architecture accepts,
 * failing with the model's name, the layer and the shapes instead of an error from deep inside.
 */
final class ImageInputCheck {
    private ImageInputCheck() {}

    /**
     * @param model     the model's name in messages ("resnet18")
     * @param firstPath path of the first convolution ("conv1", "features.0")
     * @param first     the module at that path; the channel check applies when it is a Conv2d (a
     *                  replacement of another kind checks its own input)
     * @param minSize   smallest height and width the architecture accepts
     */
    static void check(String model, String firstPath, Module first, int minSize, Tensor x) {
        int[] s = x.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException(model + ": expected a batch of images (N, C, H, W), got shape "
                    + Shape.str(s) + " (add a batch dim with unsqueeze(0))");
        }
        if (first instanceof Conv2d conv) {
            int c = conv.options().inChannels();
            if (s[1] != c) {
                throw new IllegalArgumentException(model + ": input " + Shape.str(s) + " has " + s[1]
                        + " channels but " + firstPath + " (Conv2d, weight "
                        + Shape.str(conv.weight().shape())
                        + ") expects " + c + ": expected input (N, " + c + ", H, W)");
            }
        }
        if (s[2] < minSize || s[3] < minSize) {
            throw new IllegalArgumentException(model + ": input " + Shape.str(s) + " is smaller than the minimum "
                    + minSize + "x" + minSize + " (H x W) this architecture accepts");
        }
    }
}
