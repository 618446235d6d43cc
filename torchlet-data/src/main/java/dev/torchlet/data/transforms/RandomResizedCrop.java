package dev.torchlet.data.transforms;

import dev.torchlet.Generator;
import dev.torchlet.Tensor;

/**
 * A random crop of random area and aspect ratio, resized to height x width (bilinear,
 * antialiased), like torchvision's RandomResizedCrop: up to 10 tries of area fraction
 * ~ U(scale) and log-uniform ratio in ratio; if none fits, a center crop with the ratio clamped
 * to the range.
 */
public final class RandomResizedCrop extends RandomTransform implements Transform<Tensor, Tensor> {
    private final int height;
    private final int width;
    private final double scaleMin;
    private final double scaleMax;
    private final double ratioMin;
    private final double ratioMax;

    public RandomResizedCrop(int size) {
        this(size, size, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0, null);
    }

    public RandomResizedCrop(
            int height,
            int width,
            double scaleMin,
            double scaleMax,
            double ratioMin,
            double ratioMax,
            Generator generator) {
        super(generator);
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("RandomResizedCrop: size must be positive, got " + height + "x" + width);
        }
        if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1) || !(ratioMin > 0 && ratioMin <= ratioMax)) {
            throw new IllegalArgumentException("RandomResizedCrop: expected 0 < scale " + scaleMin + " <= " + scaleMax
                    + " <= 1 and 0 < ratio " + ratioMin + " <= " + ratioMax);
        }
        this.height = height;
        this.width = width;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.ratioMin = ratioMin;
        this.ratioMax = ratioMax;
    }

    /** {top, left, h, w} of the crop for an ih x iw image (torchvision's get_params). */
    int[] params(int ih, int iw, Generator g) {
        double area = (double) ih * iw;
        double logLo = Math.log(ratioMin);
        double logHi = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * uniform(g, scaleMin, scaleMax);
            double ratio = Math.exp(uniform(g, logLo, logHi));
            int w = (int) Math.round(Math.sqrt(target * ratio));
            int h = (int) Math.round(Math.sqrt(target / ratio));
            if (w > 0 && w <= iw && h > 0 && h <= ih) {
                int top = g.nextInt(ih - h + 1);
                int left = g.nextInt(iw - w + 1);
                return new int[] {top, left, h, w};
            }
        }
        double inRatio = (double) iw / ih;
        int w;
        int h;
        if (inRatio < ratioMin) {
            w = iw;
            h = (int) Math.round(w / ratioMin);
        } else if (inRatio > ratioMax) {
            h = ih;
            w = (int) Math.round(h * ratioMax);
        } else {
            w = iw;
            h = ih;
        }
        return new int[] {(ih - h) / 2, (iw - w) / 2, h, w};
    }

    @Override
    public Tensor apply(Tensor x) {
        Functional.check(x, "RandomResizedCrop");
        int[] p = params(x.size(-2), x.size(-1), rng());
        return Functional.resize(Functional.crop(x, p[0], p[1], p[2], p[3]), height, width, true);
    }
}
