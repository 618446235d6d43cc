package dev.torchlet.spark.train;

import dev.torchlet.Tensor;
import java.io.Serializable;

/**
 * The training loss: (model output (B, ...), target (B) or (B, ...)) -> scalar, the <b>mean</b> over the batch
 * (as PyTorch's default reduction). Data-parallel training multiplies it by each shard's size and divides the
 * sum by the global batch, which gives exactly the mean over the concatenated batch. E.g.
 * {@code F::crossEntropy}.
 */
@FunctionalInterface
public interface LossFunction extends Serializable {
    Tensor apply(Tensor output, Tensor target);
}
