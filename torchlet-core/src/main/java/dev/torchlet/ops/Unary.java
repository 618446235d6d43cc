package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.UnaryFn;
import dev.torchlet.kernels.UnaryKernels;

/**
 * Elementwise math: exp, log, sqrt, rsqrt, abs, sign, sin, cos, clamp. Integer inputs compute in
 * float32 (abs, sign and clamp keep integer dtypes, as in PyTorch).
 */
public final class Unary {
    private Unary() {}

    /** out = f(t) elementwise in t's float type (or dtype when keepDtype and t is integer). */
    static Tensor map(Tensor t, UnaryFn f) {
        if (Ops.isChannelsLast(t)) { // the output keeps the layout
            return Ops.nchwView(map(Ops.nhwcView(t), f));
        }
        DType dtype = Ops.floatType(t);
        Tensor in = Ops.contiguousAs(t, dtype);
        Tensor out = Ops.output(dtype, TensorInternals.shapeRef(t), t); // written whole
        int n = out.numel();
        if (dtype == DType.FLOAT32) {
            UnaryKernels.map(
                    TensorInternals.storage(in).floats(),
                    in.offset(),
                    TensorInternals.storage(out).floats(),
                    n,
                    f);
        } else {
            UnaryKernels.map(
                    TensorInternals.storage(in).doubles(),
                    in.offset(),
                    TensorInternals.storage(out).doubles(),
                    n,
                    f);
        }
        return out;
    }

    /** Integer-preserving map for abs/sign/clamp on int64 tensors. */
    private static Tensor mapLong(Tensor t, UnaryFn f) {
        Tensor in = t.contiguous();
        Tensor out = Tensor.empty(DType.INT64, TensorInternals.shapeRef(t));
        long[] o = TensorInternals.storage(out).longs();
        for (int i = 0; i < o.length; i++) {
            o[i] = (long) f.apply(TensorInternals.storage(in).getLong(in.offset() + i));
        }
        return out;
    }

    public static Tensor exp(Tensor t) {
        Tensor out = map(t, Math::exp);
        return Autograd.record(
                "ExpBackward0", out, new Tensor[] {t}, new Tensor[] {out}, (g, s) -> new Tensor[] {g.mul(s[0])});
    }

    /** The error function; d erf(x) / dx = 2 / sqrt(pi) exp(-x^2). */
    public static Tensor erf(Tensor t) {
        Tensor out = map(t, Erf::erf);
        return Autograd.record("ErfBackward0", out, new Tensor[] {t}, (g, s) ->
                new Tensor[] {g.mul(map(s[0], x -> TWO_OVER_SQRT_PI * Math.exp(-x * x)))});
    }

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    public static Tensor log(Tensor t) {
        Tensor out = map(t, Math::log);
        return Autograd.record("LogBackward0", out, new Tensor[] {t}, (g, s) -> new Tensor[] {g.div(s[0])});
    }

    public static Tensor sqrt(Tensor t) {
        Tensor out = map(t, Math::sqrt);
        // d sqrt(x) = 1 / (2 sqrt(x))
        return Autograd.record("SqrtBackward0", out, new Tensor[] {t}, new Tensor[] {out}, (g, s) ->
                new Tensor[] {g.div(s[0].mul(2f))});
    }

    public static Tensor rsqrt(Tensor t) {
        Tensor out = map(t, x -> 1.0 / Math.sqrt(x));
        // d x^(-1/2) = -1/2 x^(-3/2) = -1/2 * out^3
        return Autograd.record("RsqrtBackward0", out, new Tensor[] {t}, new Tensor[] {out}, (g, s) ->
                new Tensor[] {g.mul(s[0].pow(3f)).mul(-0.5f)});
    }

    public static Tensor abs(Tensor t) {
        if (t.dtype() == DType.INT64) {
            return mapLong(t, Math::abs);
        }
        Tensor out = map(t, Math::abs);
        return Autograd.record("AbsBackward0", out, new Tensor[] {t}, (g, s) -> new Tensor[] {g.mul(s[0].sign())});
    }

    public static Tensor sign(Tensor t) {
        if (t.dtype() == DType.INT64) {
            return mapLong(t, Math::signum);
        }
        Tensor out = map(t, x -> Double.isNaN(x) ? 0 : Math.signum(x));
        return Autograd.record(
                "SignBackward0", out, new Tensor[] {t}, new Tensor[0], (g, s) -> new Tensor[] {Torch.zerosLike(g)});
    }

    public static Tensor sin(Tensor t) {
        Tensor out = map(t, Math::sin);
        return Autograd.record("SinBackward0", out, new Tensor[] {t}, (g, s) -> new Tensor[] {g.mul(s[0].cos())});
    }

    public static Tensor cos(Tensor t) {
        Tensor out = map(t, Math::cos);
        return Autograd.record("CosBackward0", out, new Tensor[] {t}, (g, s) ->
                new Tensor[] {g.mul(s[0].sin()).neg()});
    }

    /** Clamps into [min, max] (NaN = no bound); the gradient passes where min &lt;= x &lt;= max. */
    public static Tensor clamp(Tensor t, float min, float max) {
        if (Float.isNaN(min) && Float.isNaN(max)) {
            throw new IllegalArgumentException("clamp: at least one of min and max must be given");
        }
        boolean hasMin = !Float.isNaN(min);
        boolean hasMax = !Float.isNaN(max);
        UnaryFn f = x -> {
            if (Double.isNaN(x)) {
                return x;
            }
            double v = hasMin ? Math.max(x, min) : x;
            return hasMax ? Math.min(v, max) : v;
        };
        if (t.dtype() == DType.INT64) {
            return mapLong(t, f);
        }
        Tensor out;
        if (t.dtype() == DType.FLOAT32) { // the vector kernel (NaN stays NaN, as in the loop above)
            float lo = hasMin ? min : Float.NEGATIVE_INFINITY;
            float hi = hasMax ? max : Float.POSITIVE_INFINITY;
            out = Activations.vectorMap(t, (x, xOff, o, oOff, n) -> UnaryKernels.clamp(x, xOff, o, oOff, n, lo, hi));
        } else {
            out = map(t, f);
        }
        Autograd.record("ClampBackward1", out, new Tensor[] {t}, (g, s) -> {
            Tensor pass = Torch.onesLike(s[0]).to(DType.BOOL);
            if (hasMin) {
                pass = pass.mul(s[0].ge(min)).ne(0f);
            }
            if (hasMax) {
                pass = pass.mul(s[0].le(max)).ne(0f);
            }
            return new Tensor[] {g.mul(pass.to(g.dtype()))};
        });
        return Autograd.annotate(out, "min", min, "max", max);
    }
}
