package dev.torchlet.data.transforms;

import dev.torchlet.Tensor;

/** The central height x width window (zero-padded when larger than the image), like torchvision's CenterCrop. */
public record CenterCrop(int height, int width) implements Transform<Tensor, Tensor> {
    public CenterCrop {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("CenterCrop: size must be positive, got " + height + "x" + width);
        }
    }

    public CenterCrop(int size) {
        this(size, size);
    }

    @Override
    public Tensor apply(Tensor x) {
        return Functional.centerCrop(x, height, width);
    }
}
