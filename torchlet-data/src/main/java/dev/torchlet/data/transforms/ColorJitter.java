package dev.torchlet.data.transforms;

import dev.torchlet.Generator;
import dev.torchlet.Tensor;
import dev.torchlet.data.Samplers;

/**
 * Random brightness, contrast, saturation and hue changes in a random order, like torchvision's
 * ColorJitter: factors ~ U(max(0, 1 - b), 1 + b) for brightness/contrast/saturation and a hue
 * shift ~ U(-hue, hue) turns, hue &lt;= 0.5. A zero argument leaves that property alone.
 */
public final class ColorJitter extends RandomTransform implements Transform<Tensor, Tensor> {
    private final float brightness;
    private final float contrast;
    private final float saturation;
    private final float hue;

    public ColorJitter(float brightness, float contrast, float saturation, float hue) {
        this(brightness, contrast, saturation, hue, null);
    }

    public ColorJitter(float brightness, float contrast, float saturation, float hue, Generator generator) {
        super(generator);
        if (!(brightness >= 0 && contrast >= 0 && saturation >= 0 && hue >= 0 && hue <= 0.5f)) {
            throw new IllegalArgumentException("ColorJitter: expected brightness, contrast, saturation >= 0 and "
                    + "hue in [0, 0.5], got " + brightness + ", " + contrast + ", " + saturation + ", " + hue);
        }
        this.brightness = brightness;
        this.contrast = contrast;
        this.saturation = saturation;
        this.hue = hue;
    }

    @Override
    public Tensor apply(Tensor x) {
        Functional.check(x, "ColorJitter");
        Generator g = rng();
        int[] order = Samplers.permutation(4, g);
        // Draw all factors first (as torchvision's get_params does), then apply in the random order.
        float b = brightness > 0 ? (float) uniform(g, Math.max(0, 1 - brightness), 1 + brightness) : 1f;
        float c = contrast > 0 ? (float) uniform(g, Math.max(0, 1 - contrast), 1 + contrast) : 1f;
        float s = saturation > 0 ? (float) uniform(g, Math.max(0, 1 - saturation), 1 + saturation) : 1f;
        float h = hue > 0 ? (float) uniform(g, -hue, hue) : 0f;
        for (int k : order) {
            switch (k) {
                case 0 -> x = brightness > 0 ? Functional.adjustBrightness(x, b) : x;
                case 1 -> x = contrast > 0 ? Functional.adjustContrast(x, c) : x;
                case 2 -> x = saturation > 0 ? Functional.adjustSaturation(x, s) : x;
                default -> x = hue > 0 ? Functional.adjustHue(x, h) : x;
            }
        }
        return x;
    }
}
