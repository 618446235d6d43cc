package dev.torchlet.vision.weights;

import dev.torchlet.Tensor;
import dev.torchlet.data.transforms.CenterCrop;
import dev.torchlet.data.transforms.Compose;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.Normalize;
import dev.torchlet.data.transforms.Resize;
import dev.torchlet.data.transforms.ToTensor;
import dev.torchlet.data.transforms.Transform;
import java.util.Arrays;

/**
 * The input transform a set of pretrained weights expects, as torchvision's
 * {@code ImageClassification} preset: resize the shorter side to {@code resize} (with
 * {@code interpolation}), center-crop {@code crop} x {@code crop}, scale to [0, 1], then normalize
 * each channel: (x - mean[c]) / std[c].
 */
public record Preprocessing(int resize, int crop, float[] mean, float[] std, String interpolation) {
    public Preprocessing {
        if (resize < 1 || crop < 1 || crop > resize) {
            throw new IllegalArgumentException(
                    "Preprocessing: need 1 <= crop <= resize, got resize " + resize + ", crop " + crop);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("Preprocessing: mean and std need 3 channels, got "
                    + Arrays.toString(mean) + ", " + Arrays.toString(std));
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** ImageNet's usual preset: resize 256, crop 224, ImageNet mean/std, bilinear. */
    public static Preprocessing imagenet(int crop) {
        return new Preprocessing(
                256, crop, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, "bilinear");
    }

    /**
     * The transform as a pipeline on decoded images: to a [0, 1] tensor, resize the shorter side,
     * center-crop, normalize; gives (3, crop, crop). Resizing is bilinear with antialiasing (as PIL);
     * weights that ask for bicubic get bilinear too ({@link #isApproximated()}).
     */
    public Transform<Image, Tensor> transform() {
        return Compose.of(new ToTensor(), new Resize(resize), new CenterCrop(crop), new Normalize(mean, std));
    }

    /** True when {@link #transform()} approximates the interpolation these weights were trained with. */
    public boolean isApproximated() {
        return !interpolation.equals("bilinear");
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p
                && resize == p.resize
                && crop == p.crop
                && Arrays.equals(mean, p.mean)
                && Arrays.equals(std, p.std)
                && interpolation.equals(p.interpolation);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * resize + crop) + Arrays.hashCode(mean) * 7 + Arrays.hashCode(std) + interpolation.hashCode();
    }

    @Override
    public String toString() {
        return "Preprocessing[resize=" + resize + ", crop=" + crop + ", mean=" + Arrays.toString(mean) + ", std="
                + Arrays.toString(std) + ", interpolation=" + interpolation + "]";
    }
}
