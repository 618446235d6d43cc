package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.BinaryKernels;
import dev.torchlet.kernels.BinaryOp;

/**
 * Broadcasting arithmetic: add, sub, mul, div, pow, maximum, minimum. Operands are promoted to a
 * common dtype (bool &lt; int64 &lt; float32 &lt; float64; division and pow of integers give
 * float32). Gradients come out in the broadcast shape; the engine sums them back.
 */
public final class Arithmetic {
    private Arithmetic() {}

    /** Forward only: op(a, b) with broadcasting and promotion. */
    static Tensor compute(String name, BinaryOp op, Tensor a, Tensor b) {
        if (keepsChannelsLast(a, b)) { // channels-last operands of one shape (or a scalar): so is the output
            Tensor x = Ops.isChannelsLast(a) ? Ops.nhwcView(a) : a;
            Tensor y = Ops.isChannelsLast(b) ? Ops.nhwcView(b) : b;
            return Ops.nchwView(compute(name, op, x, y));
        }
        DType dtype = DType.promote(a.dtype(), b.dtype());
        if (op == BinaryOp.DIV && !dtype.isFloatingPoint()) {
            dtype = DType.FLOAT32; // true division, like torch.div
        } else if (dtype == DType.BOOL) {
            dtype = DType.INT64; // bool arithmetic counts in integers
        }
        int[] shape = Shape.broadcast(name, TensorInternals.shapeRef(a), TensorInternals.shapeRef(b));
        Tensor x = a.dtype() == dtype ? a : Conversion.rawCopy(a, dtype);
        Tensor y = b.dtype() == dtype ? b : Conversion.rawCopy(b, dtype);
        Tensor out = Ops.output(dtype, shape, a, b); // written whole
        BinaryKernels.broadcast(
                op,
                shape,
                TensorInternals.storage(x),
                x.offset(),
                Ops.broadcastStrides(x, shape),
                TensorInternals.storage(y),
                y.offset(),
                Ops.broadcastStrides(y, shape),
                TensorInternals.storage(out));
        return out;
    }

    /** True if one operand is channels-last and the other is too with the same shape, or is 0-d. */
    private static boolean keepsChannelsLast(Tensor a, Tensor b) {
        boolean ca = Ops.isChannelsLast(a);
        boolean cb = Ops.isChannelsLast(b);
        if (ca && cb) {
            return java.util.Arrays.equals(TensorInternals.shapeRef(a), TensorInternals.shapeRef(b));
        }
        return ca && b.dim() == 0 || cb && a.dim() == 0;
    }

    private static Tensor scalarLike(Tensor t, float value) {
        return Ops.scalar(value, DType.promoteWithFloatScalar(t.dtype()));
    }

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = compute("add", BinaryOp.ADD, a, b);
        return Autograd.record("AddBackward0", out, new Tensor[] {a, b}, new Tensor[0], (g, s) -> new Tensor[] {g, g});
    }

    public static Tensor add(Tensor a, float b) {
        Tensor out = compute("add", BinaryOp.ADD, a, scalarLike(a, b));
        Autograd.record("AddBackward1", out, new Tensor[] {a}, new Tensor[0], (g, s) -> new Tensor[] {g});
        return Autograd.annotate(out, "other", b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        if (a.dtype() == DType.BOOL && b.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("sub: subtracting two bool tensors (shapes "
                    + Shape.str(TensorInternals.shapeRef(a)) + " and " + Shape.str(TensorInternals.shapeRef(b))
                    + ") is not supported; use logical ops or convert first");
        }
        Tensor out = compute("sub", BinaryOp.SUB, a, b);
        return Autograd.record("SubBackward0", out, new Tensor[] {a, b}, new Tensor[0], (g, s) ->
                new Tensor[] {g, b.requiresGrad() ? g.neg() : null});
    }

    /** -a, keeping the dtype (int64 stays int64); bool is rejected like in PyTorch. */
    public static Tensor neg(Tensor a) {
        if (a.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("neg: negating a bool tensor (shape "
                    + Shape.str(TensorInternals.shapeRef(a)) + ") is not supported; use logical not or convert first");
        }
        Tensor out = compute("neg", BinaryOp.MUL, a, Ops.scalar(-1, a.dtype()));
        return Autograd.record("NegBackward0", out, new Tensor[] {a}, new Tensor[0], (g, s) -> new Tensor[] {g.neg()});
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = compute("mul", BinaryOp.MUL, a, b);
        return Autograd.record("MulBackward0", out, new Tensor[] {a, b}, (g, s) ->
                new Tensor[] {s[0].requiresGrad() ? g.mul(s[1]) : null, s[1].requiresGrad() ? g.mul(s[0]) : null});
    }

    public static Tensor mul(Tensor a, float b) {
        Tensor out = compute("mul", BinaryOp.MUL, a, scalarLike(a, b));
        Autograd.record("MulBackward1", out, new Tensor[] {a}, new Tensor[0], (g, s) -> new Tensor[] {g.mul(b)});
        return Autograd.annotate(out, "other", b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = compute("div", BinaryOp.DIV, a, b);
        // d(a/b)/da = 1/b ; d(a/b)/db = -a/b^2
        return Autograd.record("DivBackward0", out, new Tensor[] {a, b}, (g, s) -> new Tensor[] {
            s[0].requiresGrad() ? g.div(s[1]) : null,
            s[1].requiresGrad() ? g.mul(s[0]).div(s[1].mul(s[1])).neg() : null
        });
    }

    public static Tensor div(Tensor a, float b) {
        Tensor out = compute("div", BinaryOp.DIV, a, scalarLike(a, b));
        Autograd.record("DivBackward1", out, new Tensor[] {a}, new Tensor[0], (g, s) -> new Tensor[] {g.div(b)});
        return Autograd.annotate(out, "other", b);
    }

    /** a^e for a scalar exponent; d/da = e * a^(e-1) (0 when e == 0). */
    public static Tensor pow(Tensor a, float e) {
        Tensor out = compute("pow", BinaryOp.POW, a, scalarLike(a, e));
        Autograd.record("PowBackward0", out, new Tensor[] {a}, (g, s) -> new Tensor[] {
            e == 0f ? Torch.zerosLike(g) : g.mul(s[0].pow(e - 1f)).mul(e)
        });
        return Autograd.annotate(out, "exponent", e);
    }

    /**
     * a^b elementwise. d/da = b * a^(b-1), taken as 0 where b == 0 (so 0^0 gives 0, not 0 * inf);
     * d/db = a^b * log(a), taken as 0 where a == 0 and b &gt;= 0. These are PyTorch's masks; they are
     * applied arithmetically (exponent and log argument replaced by safe values under the mask).
     */
    public static Tensor pow(Tensor a, Tensor b) {
        Tensor out = compute("pow", BinaryOp.POW, a, b);
        return Autograd.record("PowBackward1", out, new Tensor[] {a, b}, new Tensor[] {a, b, out}, (g, s) -> {
            Tensor x = s[0];
            Tensor e = s[1];
            Tensor ga = null;
            Tensor gb = null;
            if (x.requiresGrad()) {
                Tensor eZero = e.eq(0f).to(g.dtype()); // 1 where b == 0
                // b * a^(b - 1 + [b == 0]): the factor b zeroes the masked entries, a^0 = 1 keeps them finite
                ga = g.mul(e).mul(x.pow(e.sub(1f).add(eZero)));
            }
            if (e.requiresGrad()) {
                Tensor masked = x.eq(0f).mul(e.ge(0f)).to(g.dtype()); // a == 0 and b >= 0
                Tensor logA = x.add(masked).log(); // log(1) = 0 under the mask
                gb = g.mul(s[2]).mul(logA);
            }
            return new Tensor[] {ga, gb};
        });
    }

    /**
     * Elementwise max. Like PyTorch, where a == b the gradient is split in half between the two.
     */
    public static Tensor maximum(Tensor a, Tensor b) {
        return extremum("maximum", "MaximumBackward0", BinaryOp.MAX, a, b);
    }

    public static Tensor minimum(Tensor a, Tensor b) {
        return extremum("minimum", "MinimumBackward0", BinaryOp.MIN, a, b);
    }

    private static Tensor extremum(String name, String node, BinaryOp op, Tensor a, Tensor b) {
        Tensor out = compute(name, op, a, b);
        return Autograd.record(node, out, new Tensor[] {a, b}, (g, s) -> {
            Tensor aWins = op == BinaryOp.MAX ? s[0].gt(s[1]) : s[0].lt(s[1]);
            Tensor tie = s[0].eq(s[1]);
            // weight of a: 1 where a wins, 0.5 on ties, 0 where b wins
            Tensor wa = aWins.to(g.dtype()).add(tie.to(g.dtype()).mul(0.5f));
            Tensor ga = g.mul(wa);
            return new Tensor[] {ga, g.sub(ga)};
        });
    }
}
