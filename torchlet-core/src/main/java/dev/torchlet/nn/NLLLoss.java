package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** Negative log-likelihood of log-probabilities (N, C) at int64 class indices (N). */
public final class NLLLoss extends Loss {
    private final Tensor weight;
    private final long ignoreIndex;

    public NLLLoss() {
        this(null, F.IGNORE_INDEX, Reduction.MEAN);
    }

    public NLLLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
        super(reduction);
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
    }

    @Override
    public Tensor forward(Tensor logProbs, Tensor target) {
        return F.nllLoss(logProbs, target, weight, ignoreIndex, reduction);
    }
}
