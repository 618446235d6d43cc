package dev.torchlet.vision.generative.metrics;

import dev.torchlet.Tensor;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;

/**
 * The feature network of Torchlet's FID: a small Fashion-MNIST classifier (trained by Torchlet itself,
 * {@code torchlet generate fid-classifier}) whose penultimate layer, 128 ReLU units, gives the features.
 * FIDs computed with it are "FID on Torchlet's Fashion-MNIST classifier features", not Inception's: they
 * rank models on Fashion-MNIST but are not comparable to published (Inception-v3) FIDs.
 *
 * <pre>
 * input      (B, 1, 28, 28) in [0, 1], normalized inside by the training pixels' mean 0.2860 and std 0.3530
 * features   [Conv2d(c_in, c, 3, p1) - BatchNorm2d - ReLU - MaxPool2d(2)] x 3 with c = 32, 64, 64
 *            (28 -> 14 -> 7 -> 3) - Flatten (576) - Linear(576, 128) - ReLU              (B, 128) FID features
 * head       Dropout(0.3) - Linear(128, classes)                                         (B, classes) logits
 * </pre>
 *
 * About 131k parameters (a 0.5 MB checkpoint).
 */
public class FidClassifier extends Module {
    /** Size of the feature vector. */
    public static final int FEATURE_DIM = 128;

    public static final float MEAN = 0.2860f;
    public static final float STD = 0.3530f;

    private final int numClasses;

    public FidClassifier(int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("FidClassifier: needs at least 2 classes, got " + numClasses);
        }
        this.numClasses = numClasses;
        registerModule(
                "features",
                new Sequential(
                        new Conv2d(1, 32, 3, 1, 1),
                        new BatchNorm2d(32),
                        new ReLU(),
                        new MaxPool2d(2),
                        new Conv2d(32, 64, 3, 1, 1),
                        new BatchNorm2d(64),
                        new ReLU(),
                        new MaxPool2d(2),
                        new Conv2d(64, 64, 3, 1, 1),
                        new BatchNorm2d(64),
                        new ReLU(),
                        new MaxPool2d(2),
                        new Flatten(),
                        new Linear(64 * 3 * 3, FEATURE_DIM),
                        new ReLU()));
        registerModule("head", new Sequential(new Dropout(0.3), new Linear(FEATURE_DIM, numClasses)));
    }

    public int numClasses() {
        return numClasses;
    }

    /** The FID features (B, 128) of images (B, 1, 28, 28) in [0, 1]. */
    public Tensor features(Tensor images) {
        int[] s = images.shape();
        if (s.length != 4 || s[1] != 1 || s[2] != 28 || s[3] != 28) {
            throw new IllegalArgumentException(
                    "FidClassifier: expected images (B, 1, 28, 28) in [0, 1], got " + java.util.Arrays.toString(s));
        }
        return child("features").call(images.sub(MEAN).div(STD));
    }

    /** Class logits (B, classes) of features (B, 128) from {@link #features(Tensor)}. */
    public Tensor classify(Tensor features) {
        return child("head").call(features);
    }

    /** Class logits (B, classes) of images (B, 1, 28, 28) in [0, 1]. */
    @Override
    public Tensor forward(Tensor images) {
        return classify(features(images));
    }
}
