package dev.torchlet.nn;

import dev.torchlet.Generator;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;

/**
 * In-place initializers, like {@code torch.nn.init}. Each fills a contiguous tensor (a parameter)
 * from the default generator ({@link Torch#manualSeed}) and returns it. No gradient is recorded:
 * values are drawn in row-major order and written with {@link Tensor#copyFrom}.
 */
public final class Init {
    private Init() {}

    /** Values generated and written per step of {@link #fill}. */
    private static final int CHUNK = 1 << 16;

    /** Fan mode for the Kaiming initializers. */
    public enum FanMode {
        FAN_IN,
        FAN_OUT
    }

    private static void checkWritable(String op, Tensor t) {
        if (!t.isContiguous() || !t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expects a contiguous floating-point tensor, got " + t.dtype()
                    + " " + Shape.str(TensorInternals.shapeRef(t)) + (t.isContiguous() ? "" : " (non-contiguous)"));
        }
    }

    /**
     * t[i] = the i-th value drawn from values, in row-major order (rounded to t's dtype); returns t.
     * Written in chunks through a flat view, so no buffer of the parameter's size is needed.
     */
    private static Tensor fill(String op, Tensor t, java.util.function.DoubleSupplier values) {
        return fillChunks(op, t, chunk -> {
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = values.getAsDouble();
            }
        });
    }

    /**
     * Like {@link #fill}, with the values of each chunk written by one call (so random draws take the
     * generator's lock once per chunk, not per element: big layers initialize several times faster).
     */
    private static Tensor fillChunks(String op, Tensor t, java.util.function.Consumer<double[]> chunks) {
        checkWritable(op, t);
        int n = t.numel();
        try (var noGrad = Torch.noGrad()) {
            Tensor flat = t.view(n);
            for (int start = 0; start < n; start += CHUNK) {
                double[] v = new double[Math.min(CHUNK, n - start)];
                chunks.accept(v);
                flat.narrow(0, start, v.length).copyFrom(Torch.tensor(v, v.length));
            }
        }
        return t;
    }

    /** U(a, b). */
    public static Tensor uniform(Tensor t, double a, double b) {
        Generator g = Torch.defaultGenerator();
        return fillChunks("uniform", t, v -> {
            g.nextDoubles(v);
            for (int i = 0; i < v.length; i++) {
                v[i] = a + (b - a) * v[i];
            }
        });
    }

    /** N(mean, std^2). */
    public static Tensor normal(Tensor t, double mean, double std) {
        Generator g = Torch.defaultGenerator();
        return fillChunks("normal", t, v -> {
            g.nextGaussians(v);
            for (int i = 0; i < v.length; i++) {
                v[i] = mean + std * v[i];
            }
        });
    }

    public static Tensor constant(Tensor t, double value) {
        return fillChunks("constant", t, v -> java.util.Arrays.fill(v, value));
    }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    /** N(mean, std^2) redrawn until inside [a, b]. */
    public static Tensor truncNormal(Tensor t, double mean, double std, double a, double b) {
        if (!(a < b)) {
            throw new IllegalArgumentException("truncNormal: need a < b, got a=" + a + ", b=" + b);
        }
        Generator g = Torch.defaultGenerator();
        return fill("truncNormal", t, () -> {
            for (int tries = 0; tries < 1000; tries++) {
                double v = mean + std * g.nextGaussian();
                if (v >= a && v <= b) {
                    return v;
                }
            }
            return Math.max(a, Math.min(b, mean));
        });
    }

    /**
     * PyTorch's recommended gain for a nonlinearity ("linear", "conv2d", "sigmoid", "tanh", "relu",
     * "leaky_relu", "selu").
     */
    public static double calculateGain(String nonlinearity, double param) {
        return switch (nonlinearity) {
            case "linear",
                    "conv1d",
                    "conv2d",
                    "conv3d",
                    "conv_transpose1d",
                    "conv_transpose2d",
                    "sigmoid",
                    "identity" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
            case "selu" -> 3.0 / 4;
            default ->
                throw new IllegalArgumentException("calculateGain: unsupported nonlinearity '" + nonlinearity + "'");
        };
    }

    /** fan_in = size(1) * receptive field, fan_out = size(0) * receptive field (tensors of rank >= 2). */
    public static int[] fans(Tensor t) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("init: fan in and fan out cannot be computed for a tensor with fewer "
                    + "than 2 dims, got shape " + Shape.str(TensorInternals.shapeRef(t)));
        }
        int receptive = 1;
        for (int i = 2; i < t.dim(); i++) {
            receptive *= t.size(i);
        }
        return new int[] {t.size(1) * receptive, t.size(0) * receptive};
    }

    /** U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform(Tensor t, double gain) {
        int[] f = fans(t);
        double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform(t, -bound, bound);
    }

    /** N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal(Tensor t, double gain) {
        int[] f = fans(t);
        return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])));
    }

    /** U(-b, b) with b = gain(nonlinearity, a) * sqrt(3 / fan). PyTorch's default for Linear/Conv uses a = sqrt(5). */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, String nonlinearity) {
        int[] f = fans(t);
        int fan = mode == FanMode.FAN_IN ? f[0] : f[1];
        double bound = calculateGain(nonlinearity, a) * Math.sqrt(3.0 / fan);
        return uniform(t, -bound, bound);
    }

    /** N(0, std^2) with std = gain(nonlinearity, a) / sqrt(fan). */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, String nonlinearity) {
        int[] f = fans(t);
        int fan = mode == FanMode.FAN_IN ? f[0] : f[1];
        return normal(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan));
    }

    /**
     * A (semi-)orthogonal matrix scaled by gain, for tensors viewed as (size(0), rest): QR of a
     * Gaussian matrix with the signs of R's diagonal folded into Q, as PyTorch does.
     */
    public static Tensor orthogonal(Tensor t, double gain) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("orthogonal: only tensors with 2 or more dims are supported, got "
                    + Shape.str(TensorInternals.shapeRef(t)));
        }
        checkWritable("orthogonal", t);
        int rows = t.size(0);
        int cols = t.numel() / rows;
        boolean transpose = rows < cols;
        int m = transpose ? cols : rows; // tall matrix m x n, m >= n
        int n = transpose ? rows : cols;
        double[][] a = new double[m][n];
        Generator g = Torch.defaultGenerator();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = g.nextGaussian();
            }
        }
        // modified Gram-Schmidt on the columns: a becomes Q (m x n), r holds R's diagonal
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < m; i++) {
                    dot += a[i][k] * a[i][j];
                }
                for (int i = 0; i < m; i++) {
                    a[i][j] -= dot * a[i][k];
                }
            }
            double norm = 0;
            for (int i = 0; i < m; i++) {
                norm += a[i][j] * a[i][j];
            }
            norm = Math.sqrt(norm);
            // Gram-Schmidt gives R's diagonal positive, which is the sign-corrected Q PyTorch returns
            for (int i = 0; i < m; i++) {
                a[i][j] /= norm;
            }
        }
        int[] next = {0}; // row-major position in t
        return fill("orthogonal", t, () -> {
            int r = next[0] / cols;
            int c = next[0]++ % cols;
            return gain * (transpose ? a[c][r] : a[r][c]);
        });
    }
}
