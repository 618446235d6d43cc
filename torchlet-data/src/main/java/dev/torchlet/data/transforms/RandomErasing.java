package dev.torchlet.data.transforms;

import dev.torchlet.Generator;
import dev.torchlet.Tensor;

/**
 * With probability p, sets a random rectangle to value, like torchvision's RandomErasing: area
 * fraction ~ U(scale), log-uniform aspect ratio, up to 10 tries to fit, else unchanged. Works on
 * (normalized) CHW tensors.
 */
public final class RandomErasing extends RandomTransform implements Transform<Tensor, Tensor> {
    private final double p;
    private final double scaleMin;
    private final double scaleMax;
    private final double ratioMin;
    private final double ratioMax;
    private final float value;

    public RandomErasing() {
        this(0.5, 0.02, 0.33, 0.3, 3.3, 0f, null);
    }

    public RandomErasing(
            double p,
            double scaleMin,
            double scaleMax,
            double ratioMin,
            double ratioMax,
            float value,
            Generator generator) {
        super(generator);
        checkProbability("RandomErasing", p);
        if (!(scaleMin >= 0 && scaleMin <= scaleMax && scaleMax <= 1) || !(ratioMin > 0 && ratioMin <= ratioMax)) {
            throw new IllegalArgumentException("RandomErasing: expected 0 <= scale " + scaleMin + " <= " + scaleMax
                    + " <= 1 and 0 < ratio " + ratioMin + " <= " + ratioMax);
        }
        this.p = p;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.ratioMin = ratioMin;
        this.ratioMax = ratioMax;
        this.value = value;
    }

    @Override
    public Tensor apply(Tensor x) {
        Functional.check(x, "RandomErasing");
        Generator g = rng();
        if (g.nextDouble() >= p) {
            return x;
        }
        int ih = x.size(-2);
        int iw = x.size(-1);
        double area = (double) ih * iw;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * uniform(g, scaleMin, scaleMax);
            double ratio = Math.exp(uniform(g, Math.log(ratioMin), Math.log(ratioMax)));
            int h = (int) Math.round(Math.sqrt(target * ratio));
            int w = (int) Math.round(Math.sqrt(target / ratio));
            if (!(h < ih && w < iw)) {
                continue;
            }
            int top = g.nextInt(ih - h + 1);
            int left = g.nextInt(iw - w + 1);
            return Functional.erase(x, top, left, h, w, value);
        }
        return x;
    }
}
