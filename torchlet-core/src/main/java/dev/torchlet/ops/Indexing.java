package dev.torchlet.ops;

import dev.torchlet.Tensor;

/** Gather/scatter-style indexing: indexSelect, gather, scatter, scatterAdd, maskedFill, where, maskedSelect, oneHot. */
public final class Indexing {
    private Indexing() {}

    public static Tensor indexSelect(Tensor t, int dim, Tensor index) {
        throw new UnsupportedOperationException("indexSelect: not implemented yet");
    }

    public static Tensor gather(Tensor t, int dim, Tensor index) {
        throw new UnsupportedOperationException("gather: not implemented yet");
    }

    public static Tensor scatter(Tensor t, int dim, Tensor index, Tensor src, boolean accumulate) {
        throw new UnsupportedOperationException("scatter: not implemented yet");
    }

    public static Tensor maskedFill(Tensor t, Tensor mask, float value) {
        throw new UnsupportedOperationException("maskedFill: not implemented yet");
    }

    public static Tensor maskedSelect(Tensor t, Tensor mask) {
        throw new UnsupportedOperationException("maskedSelect: not implemented yet");
    }

    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        throw new UnsupportedOperationException("where: not implemented yet");
    }

    public static Tensor oneHot(Tensor indices, int numClasses) {
        throw new UnsupportedOperationException("oneHot: not implemented yet");
    }
}
