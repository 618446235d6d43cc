package dev.torchlet.data;

import dev.torchlet.Tensor;

/**
 * The common supervised sample: an input tensor and a class label. The default collate turns a
 * list of them into {@code Batch[inputs (B, ...), labels int64 (B)]}.
 */
public record Example(Tensor input, long label) {
    public Example {
        if (input == null) {
            throw new IllegalArgumentException("Example: input is null");
        }
    }
}
