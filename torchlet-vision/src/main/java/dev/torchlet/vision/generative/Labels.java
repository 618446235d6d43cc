package dev.torchlet.vision.generative;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import java.util.Arrays;

/** Checks of class-label tensors for the conditional models. */
final class Labels {
    private Labels() {}

    static void check(String who, Tensor labels, int batch, int numClasses) {
        if (labels == null) {
            throw new IllegalArgumentException(who + ": needs class labels, got null");
        }
        if (labels.dtype() != DType.INT64 || labels.dim() != 1 || labels.shape()[0] != batch) {
            throw new IllegalArgumentException(who + ": expected int64 labels of shape [" + batch + "], got "
                    + labels.dtype() + " " + Arrays.toString(labels.shape()));
        }
        for (long y : labels.toLongArray()) {
            if (y < 0 || y >= numClasses) {
                throw new IllegalArgumentException(
                        who + ": label " + y + " is outside the " + numClasses + " classes [0, " + numClasses + ")");
            }
        }
    }
}
