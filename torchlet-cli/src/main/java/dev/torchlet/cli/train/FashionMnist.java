package dev.torchlet.cli.train;

import dev.torchlet.Tensor;
import dev.torchlet.data.DataPaths;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Example;
import dev.torchlet.data.datasets.Mnist;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.Normalize;
import dev.torchlet.data.transforms.RandomCrop;
import dev.torchlet.data.transforms.RandomHorizontalFlip;
import dev.torchlet.data.transforms.ToTensor;
import dev.torchlet.data.transforms.Transform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Fashion-MNIST as `torchlet train` uses it: normalized 1x28x28 tensors, optional augmentation. */
public final class FashionMnist {
    /** Mean and standard deviation of the training pixels (in [0, 1]). */
    public static final float MEAN = 0.2860f;

    public static final float STD = 0.3530f;

    private final Mnist train;
    private final Mnist test;

    private FashionMnist(Mnist train, Mnist test) {
        this.train = train;
        this.test = test;
    }

    /** Loads both splits from an explicit folder (nullable) or the standard places (see DataPaths). */
    public static FashionMnist load(Path explicit) throws IOException {
        Path dir = DataPaths.resolve(explicit, "fashion-mnist");
        return new FashionMnist(Mnist.fashion(dir, true), Mnist.fashion(dir, false));
    }

    public List<String> classes() {
        return train.classes();
    }

    /** The transform for evaluation and prediction: to [0, 1] tensor, then normalize. */
    public static Transform<Image, Tensor> evalTransform() {
        return new ToTensor().andThen(new Normalize(MEAN, STD));
    }

    /** Training transform: with augmentation, a random 28x28 crop of the 2-pixel padded image and a random flip. */
    public static Transform<Image, Tensor> trainTransform(boolean augment) {
        if (!augment) {
            return evalTransform();
        }
        return new ToTensor()
                .andThen(new RandomCrop(28, 2))
                .andThen(new RandomHorizontalFlip())
                .andThen(new Normalize(MEAN, STD));
    }

    public Dataset<Example> trainSet(boolean augment) {
        return train.transform(trainTransform(augment));
    }

    /** The training split through another transform (e.g. to [-1, 1] for a GAN). */
    public Dataset<Example> trainSet(Transform<Image, Tensor> transform) {
        return train.transform(transform);
    }

    /** The test split through another transform. */
    public Dataset<Example> testSet(Transform<Image, Tensor> transform) {
        return test.transform(transform);
    }

    public Dataset<Example> testSet() {
        return test.transform(evalTransform());
    }
}
