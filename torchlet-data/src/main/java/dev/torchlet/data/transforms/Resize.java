package dev.torchlet.data.transforms;

import dev.torchlet.Tensor;

/**
 * Bilinear resize of a (..., H, W) float tensor, like torchvision's tensor {@code Resize} with
 * {@code antialias=True} (the default here): a single size matches the smaller edge (keeping the
 * aspect ratio, {@code maxSize} caps the longer one); height and width give the exact size.
 * Antialiasing only changes shrinking (enlarging is plain bilinear either way).
 *
 * @param height  target height, or the smaller edge when width is -1
 * @param width   target width, or -1
 * @param maxSize cap on the longer edge for the single-size form (0: none)
 */
public record Resize(int height, int width, int maxSize, boolean antialias) implements Transform<Tensor, Tensor> {
    public Resize {
        if (height <= 0 || (width <= 0 && width != -1)) {
            throw new IllegalArgumentException("Resize: size must be positive, got " + height + "x" + width);
        }
        if (maxSize < 0 || (maxSize > 0 && width != -1)) {
            throw new IllegalArgumentException(
                    "Resize: maxSize (" + maxSize + ") only applies to the single-size form and must be >= 0");
        }
    }

    /** The smaller edge becomes size. */
    public Resize(int size) {
        this(size, -1, 0, true);
    }

    /** Exactly height x width. */
    public Resize(int height, int width) {
        this(height, width, 0, true);
    }

    @Override
    public Tensor apply(Tensor x) {
        Functional.check(x, "Resize");
        int h = x.size(-2);
        int w = x.size(-1);
        int[] hw = width == -1 ? Functional.resizedSize(h, w, height, maxSize) : new int[] {height, width};
        return Functional.resize(x, hw[0], hw[1], antialias);
    }
}
