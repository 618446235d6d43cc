package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.CopyKernels;

/** Copies and dtype conversions. Both are differentiable between floating-point types. */
public final class Conversion {
    private Conversion() {}

    /** A new contiguous copy with the same dtype (torch.clone). */
    public static Tensor copy(Tensor t) {
        Tensor out = rawCopy(t, t.dtype());
        return Autograd.record("CloneBackward0", out, new Tensor[] {t}, new Tensor[0], (g, s) -> new Tensor[] {g});
    }

    /** t converted to dtype; t itself when it already has it. */
    public static Tensor to(Tensor t, DType dtype) {
        if (t.dtype() == dtype) {
            return t;
        }
        Tensor out = rawCopy(t, dtype);
        if (!dtype.isFloatingPoint()) {
            return out; // integer/bool results never carry gradients
        }
        DType from = t.dtype();
        return Autograd.record(
                "ToCopyBackward0", out, new Tensor[] {t}, new Tensor[0], (g, s) -> new Tensor[] {g.to(from)});
    }

    /** A new contiguous copy in the given dtype, recording no graph. */
    public static Tensor rawCopy(Tensor t, DType dtype) {
        Tensor out = Tensor.empty(dtype, TensorInternals.shapeRef(t));
        CopyKernels.copy(
                TensorInternals.storage(t),
                t.offset(),
                TensorInternals.shapeRef(t),
                TensorInternals.stridesRef(t),
                TensorInternals.storage(out),
                0);
        return out;
    }
}
