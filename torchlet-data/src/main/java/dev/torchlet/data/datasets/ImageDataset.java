package dev.torchlet.data.datasets;

import dev.torchlet.Tensor;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Example;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.Transform;
import java.util.List;

/** A labeled image dataset (IDX, CIFAR, ImageFolder) with named classes. */
public interface ImageDataset extends Dataset<LabeledImage> {
    /** Class names; label i is classes().get(i). */
    List<String> classes();

    /**
     * Samples as {@code Example(transform(image), label)}, ready for the default collate, e.g.
     * {@code ds.transform(new ToTensor().andThen(new Normalize(0.2860f, 0.3530f)))}.
     */
    default Dataset<Example> transform(Transform<? super Image, Tensor> transform) {
        return map(s -> new Example(transform.apply(s.image()), s.label()));
    }
}
