package dev.torchlet.data.transforms;

import dev.torchlet.Tensor;
import java.util.Arrays;

/** (x - mean[c]) / std[c] per channel of a (..., C, H, W) tensor, like torchvision's Normalize. */
public record Normalize(float[] mean, float[] std) implements Transform<Tensor, Tensor> {
    public Normalize {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize: " + mean.length + " means and " + std.length + " stds");
        }
        for (float s : std) {
            if (!(s != 0) || Float.isNaN(s)) {
                throw new IllegalArgumentException("Normalize: std " + Arrays.toString(std) + " contains zero or NaN");
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The same mean and std for every channel. */
    public Normalize(float mean, float std) {
        this(new float[] {mean}, new float[] {std});
    }

    /** ImageNet statistics used by torchvision's pretrained models. */
    public static Normalize imagenet() {
        return new Normalize(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    }

    @Override
    public Tensor apply(Tensor x) {
        return Functional.normalize(x, mean, std);
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
