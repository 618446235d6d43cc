package dev.torchlet.ops;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.kernels.CopyKernels;

/**
 * Writes values into existing (possibly strided) tensors. Not differentiable; used by backward formulas,
 * optimizers and in-place initialization.
 */
public final class Assign {
    private Assign() {}

    /** dst[...] = src[...] elementwise, src broadcast to dst's shape and converted to dst's dtype. */
    public static void copyInto(Tensor dst, Tensor src) {
        int[] shape = dst.shapeRef();
        if (!Shape.broadcastableTo(src.shapeRef(), shape)) {
            throw new IllegalArgumentException("copy: source shape " + Shape.str(src.shapeRef())
                    + " cannot be broadcast to destination shape " + Shape.str(shape));
        }
        if (src.dtype() == dst.dtype() && src.isContiguous() && src.storage() != dst.storage()
                && java.util.Arrays.equals(src.shapeRef(), shape)) {
            // the common case (e.g. a slice's gradient embedded into zeros): no intermediate copy
            CopyKernels.scatter(src.storage(), src.offset(), dst.storage(), dst.offset(), shape, dst.stridesRef());
            return;
        }
        int[] srcStrides = Ops.broadcastStrides(src, shape);
        // gather src into a contiguous buffer of dst's dtype (it may overlap dst), then scatter into dst's strides
        Tensor srcView = Tensor.wrap(src.storage(), src.offset(), shape, srcStrides);
        Tensor contiguous = Conversion.rawCopy(srcView, dst.dtype());
        CopyKernels.scatter(contiguous.storage(), 0, dst.storage(), dst.offset(), shape, dst.stridesRef());
    }
}
