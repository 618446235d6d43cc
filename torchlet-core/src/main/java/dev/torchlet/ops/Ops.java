package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.InferenceMode;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;

/** Small helpers shared by the op classes. */
final class Ops {
    private Ops() {}

    /** Strides that address {@code t} as if expanded to {@code outShape}: 0 along broadcast dims. */
    static int[] broadcastStrides(Tensor t, int[] outShape) {
        int[] shape = TensorInternals.shapeRef(t);
        int[] strides = TensorInternals.stridesRef(t);
        int lead = outShape.length - shape.length;
        int[] out = new int[outShape.length];
        for (int i = 0; i < shape.length; i++) {
            out[lead + i] = shape[i] == 1 && outShape[lead + i] != 1 ? 0 : strides[i];
        }
        return out;
    }

    /** t as a contiguous tensor of the given dtype (no copy when it already is one). */
    static Tensor contiguousAs(Tensor t, DType dtype) {
        Tensor c = t.dtype() == dtype ? t : t.to(dtype);
        return c.contiguous();
    }

    /**
     * A new tensor of the given shape for an op on these inputs that writes every element of it: a float32 one
     * takes its array from the activation pool (contents unspecified, recycled once the model is done with it) in
     * {@link InferenceMode} or when no input needs a gradient (the op records no graph), otherwise it is
     * zero-filled as {@link Tensor#empty} makes it.
     */
    static Tensor output(DType dtype, int[] shape, Tensor... inputs) {
        if (dtype == DType.FLOAT32 && (InferenceMode.isEnabled() || !Autograd.needsGrad(inputs))) {
            return TensorInternals.wrap(InferenceMode.unrecordedOutputStorage(Shape.numel(shape)), shape.clone());
        }
        return Tensor.empty(dtype, shape);
    }

    /**
     * True if t is channels-last ({@link dev.torchlet.MemoryFormat#CHANNELS_LAST}) and not also row-major: the
     * tensors whose layout elementwise ops keep, as PyTorch's do.
     */
    static boolean isChannelsLast(Tensor t) {
        return t.dim() == 4 && t.isContiguous(dev.torchlet.MemoryFormat.CHANNELS_LAST) && !t.isContiguous();
    }

    /** The row-major (n, h, w, c) view of a channels-last (n, c, h, w) tensor: its storage in order, no copy. */
    static Tensor nhwcView(Tensor t) {
        int[] s = TensorInternals.shapeRef(t);
        int[] st = TensorInternals.stridesRef(t);
        return TensorInternals.wrap(
                TensorInternals.storage(t), t.offset(), new int[] {s[0], s[2], s[3], s[1]}, new int[] {
                    st[0], st[2], st[3], st[1]
                });
    }

    /** The channels-last (n, c, h, w) view of a row-major (n, h, w, c) tensor (the inverse of nhwcView). */
    static Tensor nchwView(Tensor nhwc) {
        int[] s = TensorInternals.shapeRef(nhwc);
        int[] st = TensorInternals.stridesRef(nhwc);
        return TensorInternals.wrap(
                TensorInternals.storage(nhwc), nhwc.offset(), new int[] {s[0], s[3], s[1], s[2]}, new int[] {
                    st[0], st[3], st[1], st[2]
                });
    }

    /** A 0-d tensor holding a scalar in the given dtype. */
    static Tensor scalar(double value, DType dtype) {
        Storage s = Storage.allocate(dtype, 1);
        s.setDouble(0, value);
        return TensorInternals.wrap(s);
    }

    /** Input, weight and bias (when not null) of one floating-point dtype, as linear and conv need. */
    static void requireSameFloat(String op, Tensor x, Tensor weight, Tensor bias) {
        DType dt = x.dtype();
        if (!dt.isFloatingPoint() || weight.dtype() != dt || bias != null && bias.dtype() != dt) {
            throw new IllegalArgumentException(op + ": expected floating-point input, weight and bias of one dtype, "
                    + "got input " + dt + ", weight " + weight.dtype()
                    + (bias == null ? "" : ", bias " + bias.dtype()));
        }
    }

    static void requireFloat(String op, Tensor t) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expected a floating-point tensor, got " + t.dtype()
                    + " with shape " + Shape.str(TensorInternals.shapeRef(t)));
        }
    }

    /** The float dtype an op on t computes in: t's own if floating, else float32. */
    static DType floatType(Tensor t) {
        return t.dtype().isFloatingPoint() ? t.dtype() : DType.FLOAT32;
    }

    /** Normalizes and de-duplicates a list of dims; null means all dims. Result is sorted. */
    static int[] dims(String op, int[] dims, int rank) {
        if (dims == null) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int d : dims) {
            int n = Shape.dim(op, d, rank);
            if (seen[n]) {
                throw new IllegalArgumentException(op + ": dim " + n + " appears multiple times in the list of dims");
            }
            seen[n] = true;
        }
        int count = 0;
        for (boolean b : seen) {
            count += b ? 1 : 0;
        }
        int[] out = new int[rank == 0 ? 0 : count];
        int k = 0;
        for (int i = 0; i < rank; i++) {
            if (seen[i]) {
                out[k++] = i;
            }
        }
        return out;
    }
}
