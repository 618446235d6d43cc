package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;

/** Elementwise comparisons with broadcasting; results are bool tensors and carry no gradient. */
public final class Comparison {
    private Comparison() {}

    public enum Op {
        EQ,
        NE,
        LT,
        LE,
        GT,
        GE;

        boolean test(double a, double b) {
            return switch (this) {
                case EQ -> a == b;
                case NE -> a != b;
                case LT -> a < b;
                case LE -> a <= b;
                case GT -> a > b;
                case GE -> a >= b;
            };
        }

        boolean test(long a, long b) {
            return switch (this) {
                case EQ -> a == b;
                case NE -> a != b;
                case LT -> a < b;
                case LE -> a <= b;
                case GT -> a > b;
                case GE -> a >= b;
            };
        }
    }

    public static Tensor compare(Op op, Tensor a, float b) {
        if (a.dtype() == DType.FLOAT32) { // the common case (masks, thresholds): one pass, no broadcast copy of b
            return compareWithScalar(op, a.detach().contiguous(), b);
        }
        return compare(op, a, Ops.scalar(b, DType.promoteWithFloatScalar(a.dtype())));
    }

    /** a (contiguous float32) op b, elementwise, read straight from a's floats. */
    private static Tensor compareWithScalar(Op op, Tensor a, float b) {
        float[] x = TensorInternals.storage(a).floats();
        int xo = a.offset();
        Tensor out = Tensor.empty(DType.BOOL, TensorInternals.shapeRef(a));
        boolean[] o = TensorInternals.storage(out).bools();
        int n = o.length;
        for (int i = 0; i < n; i++) {
            o[i] = op.test(x[xo + i], b); // float -> double widening is exact: same results as the general path
        }
        return out;
    }

    public static Tensor compare(Op op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase();
        int[] shape = Shape.broadcast(name, TensorInternals.shapeRef(a), TensorInternals.shapeRef(b));
        DType common = DType.promote(a.dtype(), b.dtype());
        Tensor x = TensorInternals.wrap(TensorInternals.storage(a), a.offset(), shape, Ops.broadcastStrides(a, shape))
                .contiguous();
        Tensor y = TensorInternals.wrap(TensorInternals.storage(b), b.offset(), shape, Ops.broadcastStrides(b, shape))
                .contiguous();
        x = Ops.contiguousAs(x, common);
        y = Ops.contiguousAs(y, common);
        Tensor out = Tensor.empty(DType.BOOL, shape);
        boolean[] o = TensorInternals.storage(out).bools();
        int n = o.length;
        int xo = x.offset();
        int yo = y.offset();
        if (common == DType.INT64) {
            long[] xs = TensorInternals.storage(x).longs();
            long[] ys = TensorInternals.storage(y).longs();
            for (int i = 0; i < n; i++) {
                o[i] = op.test(xs[xo + i], ys[yo + i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                o[i] = op.test(
                        TensorInternals.storage(x).getDouble(xo + i),
                        TensorInternals.storage(y).getDouble(yo + i));
            }
        }
        return out;
    }
}
