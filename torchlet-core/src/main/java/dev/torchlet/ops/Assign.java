package dev.torchlet.ops;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.CopyKernels;

/**
 * Writes values into existing (possibly strided) tensors. Not differentiable; used by backward formulas,
 * optimizers and in-place initialization.
 */
public final class Assign {
    private Assign() {}

    /** dst[...] = src[...] elementwise, src broadcast to dst's shape and converted to dst's dtype. */
    public static void copyInto(Tensor dst, Tensor src) {
        int[] shape = TensorInternals.shapeRef(dst);
        if (!Shape.broadcastableTo(TensorInternals.shapeRef(src), shape)) {
            throw new IllegalArgumentException("copy: source shape " + Shape.str(TensorInternals.shapeRef(src))
                    + " cannot be broadcast to destination shape " + Shape.str(shape));
        }
        TensorInternals.storage(dst).bumpVersion();
        if (src.dtype() == dst.dtype()
                && src.isContiguous()
                && TensorInternals.storage(src) != TensorInternals.storage(dst)
                && java.util.Arrays.equals(TensorInternals.shapeRef(src), shape)) {
            // the common case (e.g. a slice's gradient embedded into zeros): no intermediate copy
            CopyKernels.scatter(
                    TensorInternals.storage(src),
                    src.offset(),
                    TensorInternals.storage(dst),
                    dst.offset(),
                    shape,
                    TensorInternals.stridesRef(dst));
            return;
        }
        int[] srcStrides = Ops.broadcastStrides(src, shape);
        // gather src into a contiguous buffer of dst's dtype (it may overlap dst), then scatter into dst's strides
        Tensor srcView = TensorInternals.wrap(TensorInternals.storage(src), src.offset(), shape, srcStrides);
        Tensor contiguous = Conversion.rawCopy(srcView, dst.dtype());
        CopyKernels.scatter(
                TensorInternals.storage(contiguous),
                0,
                TensorInternals.storage(dst),
                dst.offset(),
                shape,
                TensorInternals.stridesRef(dst));
    }
}
