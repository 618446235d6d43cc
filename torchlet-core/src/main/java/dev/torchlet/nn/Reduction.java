package dev.torchlet.nn;

import dev.torchlet.Tensor;

/** How a loss reduces its per-element values, like PyTorch's {@code reduction=} argument. */
public enum Reduction {
    NONE,
    MEAN,
    SUM,
    /** Sum divided by the batch size (first dim); only KL divergence accepts it, as in PyTorch. */
    BATCHMEAN;

    /** Parses PyTorch's names: "none", "mean", "sum", "batchmean". */
    public static Reduction of(String name) {
        return switch (name) {
            case "none" -> NONE;
            case "mean" -> MEAN;
            case "sum" -> SUM;
            case "batchmean" -> BATCHMEAN;
            default -> throw new IllegalArgumentException("reduction: expected none, mean or sum, got '" + name + "'");
        };
    }

    /** Applies this reduction to per-element losses. */
    public Tensor apply(String op, Tensor losses) {
        return switch (this) {
            case NONE -> losses;
            case MEAN -> losses.mean();
            case SUM -> losses.sum();
            case BATCHMEAN ->
                throw new IllegalArgumentException(op + ": reduction 'batchmean' is only valid for " + "kl_div");
        };
    }
}
