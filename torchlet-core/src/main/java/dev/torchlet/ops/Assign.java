package dev.torchlet.ops;

import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;

/** Writes values into existing (possibly strided) tensors. Not differentiable; used by backward formulas and optimizers. */
public final class Assign {
    private Assign() {}

    /** dst[...] = src[...] elementwise, src broadcast to dst's shape and converted to dst's dtype. */
    public static void copyInto(Tensor dst, Tensor src) {
        int[] shape = dst.shapeRef();
        if (!Shape.broadcastableTo(src.shapeRef(), shape)) {
            throw new IllegalArgumentException("copy: source shape " + Shape.str(src.shapeRef())
                    + " cannot be broadcast to destination shape " + Shape.str(shape));
        }
        int[] srcStrides = Ops.broadcastStrides(src, shape);
        // gather src into a contiguous buffer of dst's dtype, then scatter into dst's strides
        Tensor srcView = Tensor.wrap(src.storage(), src.offset(), shape, srcStrides);
        Tensor contiguous = Conversion.rawCopy(srcView, dst.dtype());
        scatterContiguous(contiguous.storage(), dst);
    }

    private static void scatterContiguous(Storage src, Tensor dst) {
        int[] shape = dst.shapeRef();
        int[] strides = dst.stridesRef();
        int rank = shape.length;
        int n = src.length();
        Storage out = dst.storage();
        int[] idx = new int[rank];
        int pos = dst.offset();
        for (int i = 0; i < n; i++) {
            switch (out.dtype()) {
                case FLOAT32 -> out.floats()[pos] = src.floats()[i];
                case FLOAT64 -> out.doubles()[pos] = src.doubles()[i];
                case INT64 -> out.longs()[pos] = src.longs()[i];
                case BOOL -> out.bools()[pos] = src.bools()[i];
            }
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                pos += strides[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                pos -= strides[d] * shape[d];
                idx[d] = 0;
            }
        }
    }
}
