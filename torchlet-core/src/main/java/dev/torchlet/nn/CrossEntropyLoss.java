package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * log-softmax + negative log-likelihood in one fused op: logits (N, C) or (N, C, d...) against
 * int64 class indices or float class probabilities. Options as in PyTorch: class weights,
 * ignoreIndex (-100), label smoothing, reduction (mean).
 */
public final class CrossEntropyLoss extends Loss {
    private final Tensor weight;
    private final long ignoreIndex;
    private final double labelSmoothing;

    public CrossEntropyLoss() {
        this(null, F.IGNORE_INDEX, 0.0, Reduction.MEAN);
    }

    public CrossEntropyLoss(Tensor weight, long ignoreIndex, double labelSmoothing, Reduction reduction) {
        super(reduction);
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
    }

    @Override
    public Tensor forward(Tensor logits, Tensor target) {
        return F.crossEntropy(logits, target, weight, ignoreIndex, labelSmoothing, reduction);
    }
}
