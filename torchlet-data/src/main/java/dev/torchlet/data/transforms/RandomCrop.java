package dev.torchlet.data.transforms;

import dev.torchlet.Generator;
import dev.torchlet.Tensor;

/**
 * A random height x width window, after optional constant padding on every side, like
 * torchvision's {@code RandomCrop(size, padding, pad_if_needed, fill)}: the top-left corner is
 * uniform over the valid positions. With padIfNeeded, an image smaller than the crop is padded
 * (both sides) first; otherwise that is an error.
 */
public final class RandomCrop extends RandomTransform implements Transform<Tensor, Tensor> {
    private final int height;
    private final int width;
    private final int padding;
    private final boolean padIfNeeded;
    private final float fill;

    public RandomCrop(int size) {
        this(size, size, 0, false, 0f, null);
    }

    /** The CIFAR recipe: {@code new RandomCrop(32, 4)}. */
    public RandomCrop(int size, int padding) {
        this(size, size, padding, false, 0f, null);
    }

    public RandomCrop(int height, int width, int padding, boolean padIfNeeded, float fill, Generator generator) {
        super(generator);
        if (height <= 0 || width <= 0 || padding < 0) {
            throw new IllegalArgumentException("RandomCrop: size must be positive and padding >= 0, got " + height + "x"
                    + width + " padding " + padding);
        }
        this.height = height;
        this.width = width;
        this.padding = padding;
        this.padIfNeeded = padIfNeeded;
        this.fill = fill;
    }

    @Override
    public Tensor apply(Tensor x) {
        Functional.check(x, "RandomCrop");
        if (padding > 0) {
            x = Functional.pad(x, padding, padding, padding, padding, fill);
        }
        int h = x.size(-2);
        int w = x.size(-1);
        if (padIfNeeded && (h < height || w < width)) {
            int ph = Math.max(0, height - h);
            int pw = Math.max(0, width - w);
            x = Functional.pad(x, pw, ph, pw, ph, fill);
            h = x.size(-2);
            w = x.size(-1);
        }
        if (h < height || w < width) {
            throw new IllegalArgumentException("RandomCrop: crop " + height + "x" + width + " is larger than the "
                    + "(padded) image " + h + "x" + w);
        }
        Generator g = rng();
        int top = g.nextInt(h - height + 1);
        int left = g.nextInt(w - width + 1);
        return Functional.crop(x, top, left, height, width);
    }
}
