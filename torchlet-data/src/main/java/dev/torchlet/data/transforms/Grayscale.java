package dev.torchlet.data.transforms;

import dev.torchlet.Tensor;

/** RGB to luma with 1 or 3 output channels, like torchvision's Grayscale on tensors. */
public record Grayscale(int numOutputChannels) implements Transform<Tensor, Tensor> {
    public Grayscale {
        if (numOutputChannels != 1 && numOutputChannels != 3) {
            throw new IllegalArgumentException("Grayscale: numOutputChannels must be 1 or 3, got " + numOutputChannels);
        }
    }

    public Grayscale() {
        this(1);
    }

    @Override
    public Tensor apply(Tensor x) {
        return Functional.rgbToGrayscale(x, numOutputChannels);
    }
}
