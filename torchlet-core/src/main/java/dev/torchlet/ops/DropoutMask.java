package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.UnaryKernels;

/**
 * The multiplier of (inverted) dropout, built from uniform samples u in [0, 1) in one pass:
 * <pre>
 *   mask[i] = u[i] &gt;= p ? 1 / (1 - p) : 0        (kept with probability 1 - p, scaled so E[mask] = 1)
 * </pre>
 * The same values as {@code u.ge(p).to(dtype).div((float) (1 - p))} (threshold and 1 - p rounded to
 * float, the scale computed in the mask's dtype), so training runs do not change with the fusion.
 * Not differentiable: the mask is a constant that F.dropout multiplies into its input.
 */
public final class DropoutMask {
    private DropoutMask() {}

    /** u float32 of any shape and p in [0, 1); returns a contiguous mask of u's shape in dtype (float32 or float64). */
    public static Tensor scaledKeep(Tensor u, double p, DType dtype) {
        if (u.dtype() != DType.FLOAT32 || !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("dropout: expected float32 samples and a floating-point mask dtype, got "
                    + u.dtype() + " samples " + Shape.str(TensorInternals.shapeRef(u)) + " and mask dtype " + dtype);
        }
        Tensor uc = u.contiguous();
        float[] us = TensorInternals.storage(uc).floats();
        int off = uc.offset();
        float threshold = (float) p;
        float q = (float) (1 - p);
        Tensor mask = Tensor.empty(dtype, TensorInternals.shapeRef(u));
        if (dtype == DType.FLOAT64) {
            double[] m = TensorInternals.storage(mask).doubles();
            double scale = 1.0 / q;
            for (int i = 0; i < m.length; i++) {
                m[i] = us[off + i] >= threshold ? scale : 0.0;
            }
        } else {
            UnaryKernels.keepMask(us, off, TensorInternals.storage(mask).floats(), mask.numel(), threshold, 1f / q);
        }
        return mask;
    }
}
