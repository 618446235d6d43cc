package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One-input elementwise kernels over contiguous runs, {@code out[i] = f(x[xOff + i])}: the generic
 * {@link #map} for any scalar function (exp, log, ...), and Vector API kernels for the hot training
 * ops: ReLU and its backward, clamp, and the exp-based float32 activations ({@link #activation}: sigmoid,
 * tanh, SiLU and its gradient). Large arrays are split across the shared pool. The ReLU kernels have
 * plain-loop twins in {@link UnaryReference}; the activations are checked against PyTorch's goldens.
 */
public final class UnaryKernels {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Elements below which {@link #map} stays on the calling thread (a scalar function call per element). */
    private static final int MAP_GRAIN = 1 << 14;
    /** Elements below which the vector kernels stay on the calling thread (memory-bound: a hand-off costs more). */
    static final int GRAIN = 1 << 16;

    private UnaryKernels() {}

    /** out[i] = f(in[offset + i]) for i &lt; n; float32 data is computed in double and rounded once. */
    public static void map(float[] in, int offset, float[] out, int n, UnaryFn f) {
        Parallel.forRange(n, MAP_GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                out[i] = (float) f.apply(in[offset + i]);
            }
        });
    }

    /** out[i] = f(in[offset + i]) for i &lt; n. */
    public static void map(double[] in, int offset, double[] out, int n, UnaryFn f) {
        Parallel.forRange(n, MAP_GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                out[i] = f.apply(in[offset + i]);
            }
        });
    }

    /** out[i] = max(x[i], 0), NaN kept (Math.max semantics: relu(NaN) = NaN, relu(-0) = 0). */
    public static void relu(float[] x, int xOff, float[] out, int oOff, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            FloatVector zero = FloatVector.zero(S);
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                FloatVector.fromArray(S, x, xOff + i)
                        .lanewise(VectorOperators.MAX, zero)
                        .intoArray(out, oOff + i);
            }
            for (; i < e; i++) {
                out[oOff + i] = Math.max(x[xOff + i], 0f);
            }
        });
    }

    /**
     * out[i] = min(max(x[i], lo), hi), NaN kept (Math.max/min semantics); pass -inf or +inf for a missing
     * bound. relu6 is clamp(x, 0, 6).
     */
    public static void clamp(float[] x, int xOff, float[] out, int oOff, int n, float lo, float hi) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            FloatVector vlo = FloatVector.broadcast(S, lo);
            FloatVector vhi = FloatVector.broadcast(S, hi);
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                FloatVector.fromArray(S, x, xOff + i)
                        .lanewise(VectorOperators.MAX, vlo)
                        .lanewise(VectorOperators.MIN, vhi)
                        .intoArray(out, oOff + i);
            }
            for (; i < e; i++) {
                out[oOff + i] = Math.min(Math.max(x[xOff + i], lo), hi);
            }
        });
    }

    /**
     * ReLU backward as PyTorch's threshold_backward: out[i] = y[i] &lt;= 0 ? 0 : g[i] (y the forward
     * output; a NaN y passes the gradient).
     */
    public static void reluBackward(float[] g, int gOff, float[] y, int yOff, float[] out, int oOff, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            FloatVector zero = FloatVector.zero(S);
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                VectorMask<Float> off = FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.LE, 0f);
                FloatVector.fromArray(S, g, gOff + i).blend(zero, off).intoArray(out, oOff + i);
            }
            for (; i < e; i++) {
                out[oOff + i] = y[yOff + i] <= 0f ? 0f : g[gOff + i];
            }
        });
    }

    /** out[i] = x[i] &gt; 0 ? x[i] : slope * x[i] (leaky ReLU; NaN stays NaN). */
    public static void leakyRelu(float[] x, int xOff, float[] out, int oOff, int n, float slope) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, oOff + i);
            }
            for (; i < e; i++) {
                float v = x[xOff + i];
                out[oOff + i] = v > 0f ? v : v * slope;
            }
        });
    }

    /** out[i] = x[i] &gt; 0 ? g[i] : slope * g[i] (PyTorch's leaky_relu_backward, x the input). */
    public static void leakyReluBackward(
            float[] g, int gOff, float[] x, int xOff, float[] out, int oOff, int n, float slope) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                VectorMask<Float> pos = FloatVector.fromArray(S, x, xOff + i).compare(VectorOperators.GT, 0f);
                FloatVector gv = FloatVector.fromArray(S, g, gOff + i);
                gv.mul(slope).blend(gv, pos).intoArray(out, oOff + i);
            }
            for (; i < e; i++) {
                out[oOff + i] = x[xOff + i] > 0f ? g[gOff + i] : g[gOff + i] * slope;
            }
        });
    }

    /** out[i] = u[uOff + i] &gt;= threshold ? scale : 0 for i &lt; n (dropout's multiplier from uniform samples u). */
    public static void keepMask(float[] u, int uOff, float[] out, int n, float threshold, float scale) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            FloatVector zero = FloatVector.zero(S);
            FloatVector kept = FloatVector.broadcast(S, scale);
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                VectorMask<Float> keep = FloatVector.fromArray(S, u, uOff + i).compare(VectorOperators.GE, threshold);
                zero.blend(kept, keep).intoArray(out, i);
            }
            for (; i < e; i++) {
                out[i] = u[uOff + i] >= threshold ? scale : 0f;
            }
        });
    }

    /** out[i] = x[i] * min(max(x[i] + 3, 0), 6) / 6 (hardswish, in float32's order of operations as PyTorch). */
    public static void hardswish(float[] x, int xOff, float[] out, int oOff, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                v.mul(v.add(3f).max(0f).min(6f)).div(6f).intoArray(out, oOff + i);
            }
            for (; i < e; i++) {
                float v = x[xOff + i];
                out[oOff + i] = v * Math.min(Math.max(v + 3f, 0f), 6f) / 6f;
            }
        });
    }

    /** out[i] = g[i] * (x &lt; -3 ? 0 : x &lt; 3 ? x / 3 + 1/2 : 1) (hardswish's gradient, x the input; NaN: 1). */
    public static void hardswishBackward(float[] g, int gOff, float[] x, int xOff, float[] out, int oOff, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            FloatVector zero = FloatVector.zero(S);
            FloatVector one = FloatVector.broadcast(S, 1f);
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                FloatVector local = v.div(3f)
                        .add(0.5f)
                        .blend(zero, v.compare(VectorOperators.LT, -3f))
                        .blend(one, v.compare(VectorOperators.LT, 3f).not()); // x >= 3, or NaN: g, as PyTorch
                FloatVector.fromArray(S, g, gOff + i).mul(local).intoArray(out, oOff + i);
            }
            for (; i < e; i++) {
                float v = x[xOff + i];
                out[oOff + i] = g[gOff + i] * (v < -3f ? 0f : v < 3f ? v / 3f + 0.5f : 1f);
            }
        });
    }

    /** out[i] = min(max(x[i] + 3, 0), 6) / 6 (hardsigmoid; NaN stays NaN). */
    public static void hardsigmoid(float[] x, int xOff, float[] out, int oOff, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                FloatVector.fromArray(S, x, xOff + i)
                        .add(3f)
                        .max(0f)
                        .min(6f)
                        .div(6f)
                        .intoArray(out, oOff + i);
            }
            for (; i < e; i++) {
                out[oOff + i] = Math.min(Math.max(x[xOff + i] + 3f, 0f), 6f) / 6f;
            }
        });
    }

    /** out[i] = -3 &lt; x[i] &lt; 3 ? g[i] / 6 : 0 (hardsigmoid's gradient, x the input; 0 at both kinks). */
    public static void hardsigmoidBackward(float[] g, int gOff, float[] x, int xOff, float[] out, int oOff, int n) {
        float sixth = 1f / 6f;
        Parallel.forRange(n, GRAIN, (s, e) -> {
            FloatVector zero = FloatVector.zero(S);
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                VectorMask<Float> inside = v.compare(VectorOperators.GT, -3f).and(v.compare(VectorOperators.LT, 3f));
                zero.blend(FloatVector.fromArray(S, g, gOff + i).mul(sixth), inside)
                        .intoArray(out, oOff + i);
            }
            for (; i < e; i++) {
                float v = x[xOff + i];
                out[oOff + i] = v > -3f && v < 3f ? g[gOff + i] * sixth : 0f;
            }
        });
    }

    // ---- exp-based activations in float32 (Simd.exp / Simd.tanh: within a few ulp of the exact values).
    // Every element, tails included, goes through the same vector formula (tails with a mask), so a result
    // does not depend on where the pool splits the array. Bodies take the mask as an argument and the main
    // loops pass a literal null: inlined, C2 parses one unmasked copy of the polynomial.

    /** Which function {@link #activation} computes. */
    public enum Activation {
        /** 1 / (1 + e^-x). */
        SIGMOID,
        /** tanh x. */
        TANH,
        /** x sigmoid(x). */
        SILU,
        /** d silu / dx = s (1 + x (1 - s)), s = sigmoid(x). */
        SILU_GRAD,
        /** The exact GELU x Phi(x) = x (1 + erf(x / sqrt 2)) / 2. */
        GELU,
        /** d gelu / dx = Phi(x) + x phi(x), phi(x) = e^(-x^2 / 2) / sqrt(2 pi). */
        GELU_GRAD,
        /** GELU's tanh approximation (GPT-2's gelu_new): x (1 + tanh(u)) / 2, u = sqrt(2/pi) (x + 0.044715 x^3). */
        GELU_TANH,
        /** Its derivative: (1 + t) / 2 + x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2) / 2, t = tanh(u). */
        GELU_TANH_GRAD
    }

    /** out[i] = f(x[xOff + i]) for i &lt; n, f one of {@link Activation}. */
    public static void activation(Activation f, float[] x, int xOff, float[] out, int oOff, int n) {
        // one lambda per function, so each compiled loop holds one copy of its polynomial and stays small enough
        // for C2 to inline the vector helpers into it: in one lambda with a switch over all of them, SiLU's gradient
        // returned its vectors from a call that was not inlined, as objects (gigabytes a second in the DDPM step).
        // The eight lambdas repeat one loop on purpose: a shared loop calling the function through an interface
        // would pass vectors across a call C2 cannot inline (several implementations), as objects again.
        Parallel.RangeBody body = switch (f) {
            case SIGMOID ->
                (s, e) -> {
                    int end = s + S.loopBound(e - s);
                    for (int i = s; i < end; i += L) {
                        sigmoidAt(x, xOff + i, out, oOff + i);
                    }
                    tail(f, x, xOff + end, out, oOff + end, e - end);
                };
            case TANH ->
                (s, e) -> {
                    int end = s + S.loopBound(e - s);
                    for (int i = s; i < end; i += L) {
                        tanhAt(x, xOff + i, out, oOff + i);
                    }
                    tail(f, x, xOff + end, out, oOff + end, e - end);
                };
            case SILU ->
                (s, e) -> {
                    int end = s + S.loopBound(e - s);
                    for (int i = s; i < end; i += L) {
                        siluAt(x, xOff + i, out, oOff + i);
                    }
                    tail(f, x, xOff + end, out, oOff + end, e - end);
                };
            case SILU_GRAD ->
                (s, e) -> {
                    int end = s + S.loopBound(e - s);
                    for (int i = s; i < end; i += L) {
                        siluGradAt(x, xOff + i, out, oOff + i);
                    }
                    tail(f, x, xOff + end, out, oOff + end, e - end);
                };
            case GELU ->
                (s, e) -> {
                    int end = s + S.loopBound(e - s);
                    for (int i = s; i < end; i += L) {
                        geluAt(x, xOff + i, out, oOff + i);
                    }
                    tail(f, x, xOff + end, out, oOff + end, e - end);
                };
            case GELU_GRAD ->
                (s, e) -> {
                    int end = s + S.loopBound(e - s);
                    for (int i = s; i < end; i += L) {
                        geluGradAt(x, xOff + i, out, oOff + i);
                    }
                    tail(f, x, xOff + end, out, oOff + end, e - end);
                };
            case GELU_TANH ->
                (s, e) -> {
                    int end = s + S.loopBound(e - s);
                    for (int i = s; i < end; i += L) {
                        geluTanhAt(x, xOff + i, out, oOff + i);
                    }
                    tail(f, x, xOff + end, out, oOff + end, e - end);
                };
            case GELU_TANH_GRAD ->
                (s, e) -> {
                    int end = s + S.loopBound(e - s);
                    for (int i = s; i < end; i += L) {
                        geluTanhGradAt(x, xOff + i, out, oOff + i);
                    }
                    tail(f, x, xOff + end, out, oOff + end, e - end);
                };
        };
        Parallel.forRange(n, GRAIN / 8, body);
    }

    /**
     * out[oOff .. + n) = f(x[xOff .. + n)) for a tail shorter than a vector, through a whole vector of scratch (zeros
     * past n): so no masked variant of each function needs compiling. Once per chunk, so the switch costs nothing.
     */
    private static void tail(Activation f, float[] x, int xOff, float[] out, int oOff, int n) {
        if (n == 0) {
            return;
        }
        float[] buf = new float[2 * L];
        System.arraycopy(x, xOff, buf, 0, n);
        switch (f) {
            case SIGMOID -> sigmoidAt(buf, 0, buf, L);
            case TANH -> tanhAt(buf, 0, buf, L);
            case SILU -> siluAt(buf, 0, buf, L);
            case SILU_GRAD -> siluGradAt(buf, 0, buf, L);
            case GELU -> geluAt(buf, 0, buf, L);
            case GELU_GRAD -> geluGradAt(buf, 0, buf, L);
            case GELU_TANH -> geluTanhAt(buf, 0, buf, L);
            case GELU_TANH_GRAD -> geluTanhGradAt(buf, 0, buf, L);
        }
        System.arraycopy(buf, L, out, oOff, n);
    }

    private static void sigmoidAt(float[] x, int xi, float[] out, int oi) {
        Simd.sigmoid(FloatVector.fromArray(S, x, xi)).intoArray(out, oi);
    }

    private static void tanhAt(float[] x, int xi, float[] out, int oi) {
        Simd.tanh(FloatVector.fromArray(S, x, xi)).intoArray(out, oi);
    }

    private static void siluAt(float[] x, int xi, float[] out, int oi) {
        FloatVector v = FloatVector.fromArray(S, x, xi);
        v.mul(Simd.sigmoid(v)).intoArray(out, oi);
    }

    /**
     * out[i] = g[i] s (1 + x[i] (1 - s)), s = sigmoid(x[i]): SiLU's input gradient in one pass, multiplied in
     * PyTorch's order ({@code silu_backward}: (dy * s) * (1 + x (1 - s))). Tails go through a vector of scratch.
     */
    public static void siluBackward(float[] g, int gOff, float[] x, int xOff, float[] out, int oOff, int n) {
        Parallel.forRange(n, GRAIN / 8, (s, e) -> siluBackwardRow(g, gOff + s, x, xOff + s, out, oOff + s, e - s));
    }

    /** {@link #siluBackward} over one run on the calling thread (the same bits: every element, one formula). */
    static void siluBackwardRow(float[] g, int gOff, float[] x, int xOff, float[] out, int oOff, int n) {
        int end = S.loopBound(n);
        for (int i = 0; i < end; i += L) {
            siluBackwardAt(g, gOff + i, x, xOff + i, out, oOff + i);
        }
        int rest = n - end;
        if (rest > 0) {
            float[] buf = new float[3 * L]; // g, x, then the result; zeros past the tail
            System.arraycopy(g, gOff + end, buf, 0, rest);
            System.arraycopy(x, xOff + end, buf, L, rest);
            siluBackwardAt(buf, 0, buf, L, buf, 2 * L);
            System.arraycopy(buf, 2 * L, out, oOff + end, rest);
        }
    }

    /** a[off .. off + n) = silu(a[..]) in place on the calling thread, with {@link #activation}'s SILU bits. */
    static void siluInPlace(float[] a, int off, int n) {
        int end = S.loopBound(n);
        for (int i = 0; i < end; i += L) {
            siluAt(a, off + i, a, off + i);
        }
        tail(Activation.SILU, a, off + end, a, off + end, n - end);
    }

    private static void siluBackwardAt(float[] g, int gi, float[] x, int xi, float[] out, int oi) {
        FloatVector v = FloatVector.fromArray(S, x, xi);
        FloatVector sg = Simd.sigmoid(v);
        FloatVector.fromArray(S, g, gi)
                .mul(sg)
                .mul(v.mul(sg.neg().add(1f)).add(1f))
                .intoArray(out, oi);
    }

    private static void siluGradAt(float[] x, int xi, float[] out, int oi) {
        FloatVector v = FloatVector.fromArray(S, x, xi);
        FloatVector sg = Simd.sigmoid(v);
        sg.mul(v.mul(sg.neg().add(1f)).add(1f)).intoArray(out, oi);
    }

    private static final float INV_SQRT_2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    private static void geluAt(float[] x, int xi, float[] out, int oi) {
        FloatVector v = FloatVector.fromArray(S, x, xi);
        FloatVector phi = Simd.erf(v.mul(INV_SQRT_2)).add(1f).mul(0.5f); // Phi(x)
        v.mul(phi).intoArray(out, oi);
    }

    private static void geluGradAt(float[] x, int xi, float[] out, int oi) {
        FloatVector v = FloatVector.fromArray(S, x, xi);
        FloatVector cdf = Simd.erf(v.mul(INV_SQRT_2)).add(1f).mul(0.5f);
        FloatVector pdf = Simd.exp(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
        v.fma(pdf, cdf).intoArray(out, oi);
    }

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final float GELU_CUBIC = 0.044715f;

    private static void geluTanhAt(float[] x, int xi, float[] out, int oi) {
        FloatVector v = FloatVector.fromArray(S, x, xi);
        FloatVector u = v.mul(v).mul(v).mul(GELU_CUBIC).add(v).mul(SQRT_2_OVER_PI);
        v.mul(0.5f).mul(Simd.tanh(u).add(1f)).intoArray(out, oi);
    }

    private static void geluTanhGradAt(float[] x, int xi, float[] out, int oi) {
        FloatVector v = FloatVector.fromArray(S, x, xi);
        FloatVector x2 = v.mul(v);
        FloatVector t = Simd.tanh(x2.mul(v).mul(GELU_CUBIC).add(v).mul(SQRT_2_OVER_PI));
        FloatVector du = x2.mul(3 * GELU_CUBIC).add(1f).mul(SQRT_2_OVER_PI);
        FloatVector slope = t.mul(t).neg().add(1f).mul(du).mul(v); // x (1 - t^2) du/dx
        t.add(1f).add(slope).mul(0.5f).intoArray(out, oi);
    }
}
