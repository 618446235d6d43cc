package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.SoftmaxKernels;
import dev.torchlet.kernels.SoftmaxReference;
import dev.torchlet.kernels.UnaryKernels;

/**
 * Activation functions with PyTorch's definitions and gradients, softmax and log-softmax included.
 * The pointwise ones map each element on its own; softmax normalizes along a dim.
 */
public final class Activations {
    private static final double SQRT_2 = Math.sqrt(2.0);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private Activations() {}

    /** relu(x) = max(x, 0); gradient 1 for x &gt; 0, else 0. */
    public static Tensor relu(Tensor t) {
        Tensor out;
        if (t.dtype() == DType.INT64) { // integers stay integers, as in PyTorch (and need no gradient)
            Tensor in = t.contiguous();
            out = Tensor.empty(DType.INT64, TensorInternals.shapeRef(t));
            long[] o = TensorInternals.storage(out).longs();
            for (int i = 0; i < o.length; i++) {
                o[i] = Math.max(TensorInternals.storage(in).getLong(in.offset() + i), 0L);
            }
            return out;
        }
        out = t.dtype() == DType.FLOAT32
                ? vectorMap(t, UnaryKernels::relu)
                : Unary.map(t, x -> x > 0 ? x : (Double.isNaN(x) ? x : 0.0));
        return Autograd.record("ReluBackward0", out, new Tensor[] {t}, new Tensor[] {out}, (g, s) ->
                new Tensor[] {reluBackward(g, s[0])});
    }

    /** PyTorch's threshold_backward(g, y, 0): 0 where y &lt;= 0, else g (y the relu output). */
    private static Tensor reluBackward(Tensor g, Tensor y) {
        Tensor fused = vectorBackward(g, y, UnaryKernels::reluBackward);
        return fused != null ? fused : Torch.where(y.le(0f), Torch.zerosLike(g), g);
    }

    /** sigmoid(x) = 1 / (1 + e^-x); gradient y (1 - y). */
    public static Tensor sigmoid(Tensor t) {
        Tensor out = t.dtype() == DType.FLOAT32
                ? vectorActivation(t, UnaryKernels.Activation.SIGMOID)
                : Unary.map(t, x -> x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x)));
        return Autograd.record("SigmoidBackward0", out, new Tensor[] {t}, new Tensor[] {out}, (g, s) ->
                new Tensor[] {g.mul(s[0].mul(s[0].neg().add(1f)))});
    }

    /** tanh; gradient 1 - y^2. */
    public static Tensor tanh(Tensor t) {
        Tensor out = t.dtype() == DType.FLOAT32
                ? vectorActivation(t, UnaryKernels.Activation.TANH)
                : Unary.map(t, Math::tanh);
        return Autograd.record("TanhBackward0", out, new Tensor[] {t}, new Tensor[] {out}, (g, s) ->
                new Tensor[] {g.mul(s[0].mul(s[0]).neg().add(1f))});
    }

    /** x for x &gt; 0, slope * x otherwise. */
    public static Tensor leakyRelu(Tensor t, float slope) {
        Tensor out = t.dtype() == DType.FLOAT32
                ? vectorMap(t, (x, xOff, o, oOff, n) -> UnaryKernels.leakyRelu(x, xOff, o, oOff, n, slope))
                : Unary.map(t, x -> x > 0 ? x : x * slope);
        Autograd.record("LeakyReluBackward0", out, new Tensor[] {t}, (g, s) -> {
            // PyTorch's leaky_relu_backward: g where x > 0, else slope * g (x the input)
            Tensor fused = vectorBackward(
                    g,
                    s[0],
                    (gr, gOff, x, xOff, o, oOff, n) ->
                            UnaryKernels.leakyReluBackward(gr, gOff, x, xOff, o, oOff, n, slope));
            if (fused != null) {
                return new Tensor[] {fused};
            }
            Tensor pos = s[0].gt(0f).to(g.dtype());
            return new Tensor[] {g.mul(pos.add(pos.neg().add(1f).mul(slope)))};
        });
        return Autograd.annotate(out, "negative_slope", slope);
    }

    /** x for x &gt; 0, alpha (e^x - 1) otherwise; gradient 1 or alpha e^x. */
    public static Tensor elu(Tensor t, float alpha) {
        Tensor out = Unary.map(t, x -> x > 0 ? x : alpha * Math.expm1(x));
        Autograd.record("EluBackward0", out, new Tensor[] {t}, (g, s) -> {
            Tensor local = Unary.map(s[0], x -> x > 0 ? 1.0 : alpha * Math.exp(x));
            return new Tensor[] {g.mul(local)};
        });
        return Autograd.annotate(out, "alpha", alpha);
    }

    /**
     * Exact: x * Phi(x) with Phi the standard normal CDF (float32: the vector kernel, erf within about 1e-7;
     * float64: {@code ErfMath}, to about 1e-16). tanh approximation (GPT-2's gelu_new):
     * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), in float32 with Simd.tanh (a few ulp), in float64 exactly.
     */
    public static Tensor gelu(Tensor t, boolean tanhApprox) {
        boolean vector = t.dtype() == DType.FLOAT32; // float32: the Simd.erf / Simd.tanh kernels
        Tensor out = vector
                ? vectorActivation(t, tanhApprox ? UnaryKernels.Activation.GELU_TANH : UnaryKernels.Activation.GELU)
                : Unary.map(t, tanhApprox ? Activations::geluTanh : Activations::geluExact);
        Autograd.record("GeluBackward0", out, new Tensor[] {t}, (g, s) -> {
            Tensor local = vector
                    ? vectorActivation(
                            s[0],
                            tanhApprox ? UnaryKernels.Activation.GELU_TANH_GRAD : UnaryKernels.Activation.GELU_GRAD)
                    : Unary.map(s[0], tanhApprox ? Activations::geluTanhGrad : Activations::geluExactGrad);
            return new Tensor[] {g.mul(local)};
        });
        return Autograd.annotate(out, "approximate", tanhApprox ? "tanh" : "none");
    }

    static double geluExact(double x) {
        return 0.5 * x * (1.0 + Erf.erf(x / SQRT_2));
    }

    static double geluExactGrad(double x) {
        double cdf = 0.5 * (1.0 + Erf.erf(x / SQRT_2));
        double pdf = INV_SQRT_2PI * Math.exp(-0.5 * x * x);
        return cdf + x * pdf;
    }

    static double geluTanh(double x) {
        double inner = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
        return 0.5 * x * (1.0 + Math.tanh(inner));
    }

    static double geluTanhGrad(double x) {
        double inner = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
        double th = Math.tanh(inner);
        double dInner = SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x);
        return 0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * dInner;
    }

    /** silu(x) = x * sigmoid(x); gradient s (1 + x (1 - s)). */
    public static Tensor silu(Tensor t) {
        Tensor out = t.dtype() == DType.FLOAT32
                ? vectorActivation(t, UnaryKernels.Activation.SILU)
                : Unary.map(t, x -> x / (1.0 + Math.exp(-x)));
        return Autograd.record("SiluBackward0", out, new Tensor[] {t}, (g, s) -> {
            Tensor fused = vectorBackward(g, s[0], UnaryKernels::siluBackward);
            if (fused != null) {
                return new Tensor[] {fused};
            }
            Tensor local = s[0].dtype() == DType.FLOAT32
                    ? vectorActivation(s[0], UnaryKernels.Activation.SILU_GRAD)
                    : Unary.map(s[0], x -> {
                        double sg = 1.0 / (1.0 + Math.exp(-x));
                        return sg * (1.0 + x * (1.0 - sg));
                    });
            return new Tensor[] {g.mul(local)};
        });
    }

    /** f(t) elementwise in float32 with the Vector API kernels (float64 keeps the scalar double formulas). */
    private static Tensor vectorActivation(Tensor t, UnaryKernels.Activation f) {
        return vectorMap(t, (x, xOff, o, oOff, n) -> UnaryKernels.activation(f, x, xOff, o, oOff, n));
    }

    /**
     * relu6(x) = min(max(x, 0), 6) (PyTorch's hardtanh(x, 0, 6)); gradient 1 for 0 &lt; x &lt; 6, else 0
     * (0 at both kinks, as PyTorch's hardtanh_backward).
     */
    public static Tensor relu6(Tensor t) {
        Tensor out = t.dtype() == DType.FLOAT32
                ? vectorMap(t, (x, xOff, o, oOff, n) -> UnaryKernels.clamp(x, xOff, o, oOff, n, 0f, 6f))
                : Unary.map(t, x -> Double.isNaN(x) ? x : Math.min(Math.max(x, 0.0), 6.0));
        Autograd.record("HardtanhBackward0", out, new Tensor[] {t}, (g, s) -> {
            Tensor local = Unary.map(s[0], x -> x > 0 && x < 6 ? 1.0 : 0.0);
            return new Tensor[] {g.mul(local)};
        });
        return Autograd.annotate(out, "min", 0f, "max", 6f);
    }

    /**
     * hardsigmoid(x) = min(max(x + 3, 0), 6) / 6: 0 for x &lt;= -3, 1 for x &gt;= 3, x / 6 + 1/2 between;
     * gradient 1/6 for -3 &lt; x &lt; 3, else 0 (0 at both kinks, as PyTorch).
     */
    public static Tensor hardsigmoid(Tensor t) {
        Tensor out = t.dtype() == DType.FLOAT32
                ? vectorMap(t, UnaryKernels::hardsigmoid)
                : Unary.map(t, x -> Double.isNaN(x) ? x : Math.min(Math.max(x + 3.0, 0.0), 6.0) / 6.0);
        return Autograd.record("HardsigmoidBackward0", out, new Tensor[] {t}, (g, s) -> {
            Tensor fused = vectorBackward(g, s[0], UnaryKernels::hardsigmoidBackward);
            if (fused != null) {
                return new Tensor[] {fused};
            }
            Tensor local = Unary.map(s[0], x -> x > -3 && x < 3 ? 1.0 / 6.0 : 0.0);
            return new Tensor[] {g.mul(local)};
        });
    }

    /**
     * hardswish(x) = x * min(max(x + 3, 0), 6) / 6: 0 for x &lt;= -3, x for x &gt;= 3, x (x + 3) / 6 between.
     * Gradient 0 for x &lt; -3, x / 3 + 1/2 for -3 &lt;= x &lt; 3, 1 for x &gt;= 3: so -1/2 at x = -3 and 1 at
     * x = 3, as PyTorch 1.13's vectorized CPU kernel (the one that runs on all but the last few elements of a
     * tensor; its scalar tail loop gives 3/2 at x = 3 instead).
     */
    public static Tensor hardswish(Tensor t) {
        Tensor out = t.dtype() == DType.FLOAT32
                ? vectorMap(t, UnaryKernels::hardswish)
                : Unary.map(t, x -> x * Math.min(Math.max(x + 3.0, 0.0), 6.0) / 6.0);
        return Autograd.record("HardswishBackward0", out, new Tensor[] {t}, (g, s) -> {
            Tensor fused = vectorBackward(g, s[0], UnaryKernels::hardswishBackward);
            if (fused != null) {
                return new Tensor[] {fused};
            }
            Tensor local = Unary.map(s[0], x -> x < -3 ? 0.0 : x < 3 ? x / 3.0 + 0.5 : 1.0);
            return new Tensor[] {g.mul(local)};
        });
    }

    /** A float32 elementwise kernel out[oOff + i] = f(x[xOff + i]), i &lt; n. */
    @FunctionalInterface
    interface FloatKernel {
        void apply(float[] x, int xOff, float[] out, int oOff, int n);
    }

    /** A float32 gradient kernel out[oOff + i] = f(g[gOff + i], x[xOff + i]), i &lt; n. */
    @FunctionalInterface
    private interface FloatGradKernel {
        void apply(float[] g, int gOff, float[] x, int xOff, float[] out, int oOff, int n);
    }

    /** f over a float32 tensor, into a new one: row-major, or channels-last for a channels-last t. */
    static Tensor vectorMap(Tensor t, FloatKernel f) {
        if (Ops.isChannelsLast(t)) { // the output keeps the layout: the same kernel over the storage's order
            return Ops.nchwView(vectorMap(Ops.nhwcView(t), f));
        }
        Tensor in = t.contiguous();
        Tensor out = Ops.output(DType.FLOAT32, TensorInternals.shapeRef(t), t); // written whole
        f.apply(
                TensorInternals.storage(in).floats(),
                in.offset(),
                TensorInternals.storage(out).floats(),
                0,
                out.numel());
        return out;
    }

    /** f(g, x) when both are float32 of one shape; null otherwise (the caller takes the general path). */
    private static Tensor vectorBackward(Tensor g, Tensor x, FloatGradKernel f) {
        if (g.dtype() != DType.FLOAT32
                || x.dtype() != DType.FLOAT32
                || !java.util.Arrays.equals(TensorInternals.shapeRef(g), TensorInternals.shapeRef(x))) {
            return null;
        }
        if (Ops.isChannelsLast(g) && Ops.isChannelsLast(x)) {
            return Ops.nchwView(vectorBackward(Ops.nhwcView(g), Ops.nhwcView(x), f));
        }
        Tensor gc = g.contiguous();
        Tensor xc = x.contiguous();
        Tensor out = Ops.output(DType.FLOAT32, TensorInternals.shapeRef(x), g, x); // written whole
        f.apply(
                TensorInternals.storage(gc).floats(),
                gc.offset(),
                TensorInternals.storage(xc).floats(),
                xc.offset(),
                TensorInternals.storage(out).floats(),
                0,
                out.numel());
        return out;
    }

    /** softplus(x) = log(1 + e^(beta x)) / beta, linear (x) where beta x &gt; threshold. */
    public static Tensor softplus(Tensor t, float beta, float threshold) {
        Tensor out = Unary.map(t, x -> x * beta > threshold ? x : Math.log1p(Math.exp(x * beta)) / beta);
        Autograd.record("SoftplusBackward0", out, new Tensor[] {t}, (g, s) -> {
            Tensor local = Unary.map(s[0], x -> x * beta > threshold ? 1.0 : 1.0 / (1.0 + Math.exp(-x * beta)));
            return new Tensor[] {g.mul(local)};
        });
        return Autograd.annotate(out, "beta", beta, "threshold", threshold);
    }

    // ---------------------------------------------------------------- softmax along a dim

    /**
     * softmax(x)_j = exp(x_j - m) / sum_k exp(x_k - m) along dim (m = max_k x_k); gradient
     * gx = y * (g - sum(g * y, dim)). The input is viewed as a contiguous (outer, n, inner) block
     * with n the softmax dim, so any dim works without a permute; the backward is a fused kernel.
     */
    public static Tensor softmax(Tensor t, int dim) {
        return softmax("softmax", "SoftmaxBackward0", t, dim, false);
    }

    /** logSoftmax(x)_j = x_j - m - log(sum_k exp(x_k - m)) along dim; gradient gx = g - exp(y) * sum(g, dim). */
    public static Tensor logSoftmax(Tensor t, int dim) {
        return softmax("log_softmax", "LogSoftmaxBackward0", t, dim, true);
    }

    /** The (outer, n, inner) sizes of t around dim d; a 0-d tensor is (1, 1, 1). */
    private static int[] blocks(int[] shape, int d) {
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < d; i++) {
            outer *= shape[i];
        }
        for (int i = d + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int n = shape.length == 0 ? 1 : shape[d];
        return new int[] {outer, n, inner};
    }

    private static Tensor softmax(String op, String node, Tensor t, int dim, boolean log) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(
                    op + ": expected a floating-point tensor, got " + t.dtype() + " with shape "
                            + Shape.str(TensorInternals.shapeRef(t)) + " (convert with .to(DType.FLOAT32) first)");
        }
        int d = Shape.dim(op, dim, t.dim());
        int[] shape = t.shape();
        int[] b = blocks(shape, d);
        Tensor x = t.detach().contiguous();
        Tensor out = Tensor.empty(t.dtype(), shape);
        if (out.numel() > 0) {
            if (t.dtype() == DType.FLOAT32) {
                SoftmaxKernels.forward(
                        TensorInternals.storage(x).floats(),
                        x.offset(),
                        TensorInternals.storage(out).floats(),
                        b[0],
                        b[1],
                        b[2],
                        log);
            } else {
                SoftmaxReference.forward(
                        TensorInternals.storage(x).doubles(),
                        x.offset(),
                        TensorInternals.storage(out).doubles(),
                        b[0],
                        b[1],
                        b[2],
                        log);
            }
        }
        Autograd.record(node, out, new Tensor[] {t}, new Tensor[] {out}, (g, s) -> {
            Tensor y = s[0];
            Tensor gc = Ops.contiguousAs(g, y.dtype());
            Tensor gx = Tensor.empty(y.dtype(), shape);
            if (gx.numel() > 0) {
                if (y.dtype() == DType.FLOAT32) {
                    SoftmaxKernels.backward(
                            TensorInternals.storage(y).floats(),
                            TensorInternals.storage(gc).floats(),
                            gc.offset(),
                            TensorInternals.storage(gx).floats(),
                            b[0],
                            b[1],
                            b[2],
                            log);
                } else {
                    SoftmaxReference.backward(
                            TensorInternals.storage(y).doubles(),
                            TensorInternals.storage(gc).doubles(),
                            gc.offset(),
                            TensorInternals.storage(gx).doubles(),
                            b[0],
                            b[1],
                            b[2],
                            log);
                }
            }
            return new Tensor[] {gx};
        });
        return Autograd.annotate(out, "dim", d);
    }
}
