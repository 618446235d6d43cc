package dev.torchlet.data.datasets;

import dev.torchlet.data.transforms.Image;

/** An image and its class index, the raw sample of the image datasets. */
public record LabeledImage(Image image, long label) {}
