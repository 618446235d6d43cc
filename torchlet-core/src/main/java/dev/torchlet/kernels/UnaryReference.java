package dev.torchlet.kernels;

/** Plain-loop twins of the {@link UnaryKernels} vector kernels: the test oracle. */
public final class UnaryReference {
    private UnaryReference() {}

    /** out[i] = max(x[i], 0), NaN kept. */
    public static void relu(float[] x, int xOff, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            out[oOff + i] = v > 0 ? v : (Float.isNaN(v) ? v : 0f);
        }
    }

    /** out[i] = y[i] &lt;= 0 ? 0 : g[i]. */
    public static void reluBackward(float[] g, int gOff, float[] y, int yOff, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) {
            out[oOff + i] = y[yOff + i] <= 0f ? 0f : g[gOff + i];
        }
    }

    /** The oracle of {@link UnaryKernels#activation}: the same functions in double, rounded once. */
    public static void activation(UnaryKernels.Activation f, float[] x, int xOff, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            double s = 1.0 / (1.0 + Math.exp(-v));
            out[oOff + i] = (float)
                    switch (f) {
                        case SIGMOID -> s;
                        case TANH -> Math.tanh(v);
                        case SILU -> v * s;
                        case SILU_GRAD -> s * (1.0 + v * (1.0 - s));
                        case GELU -> 0.5 * v * (1.0 + ErfMath.erf(v / Math.sqrt(2)));
                        case GELU_GRAD ->
                            0.5 * (1.0 + ErfMath.erf(v / Math.sqrt(2)))
                                    + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
                        case GELU_TANH -> 0.5 * v * (1.0 + Math.tanh(geluTanhInner(v)));
                        case GELU_TANH_GRAD -> {
                            double t = Math.tanh(geluTanhInner(v));
                            double du = Math.sqrt(2 / Math.PI) * (1.0 + 3 * 0.044715 * v * v);
                            yield 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du;
                        }
                    };
        }
    }

    /** u = sqrt(2/pi) (x + 0.044715 x^3), the argument of tanh in GELU's tanh approximation. */
    private static double geluTanhInner(double x) {
        return Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
    }
}
