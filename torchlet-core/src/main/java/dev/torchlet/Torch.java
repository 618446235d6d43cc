package dev.torchlet;

import dev.torchlet.autograd.GradMode;
import dev.torchlet.kernels.Parallel;
import dev.torchlet.ops.Indexing;
import dev.torchlet.ops.Joining;
import java.util.List;

/**
 * Factories and global settings, like the {@code torch} namespace: tensor creation, random
 * numbers (seeded by {@link #manualSeed}), {@link #noGrad()}, joining tensors and thread count.
 */
public final class Torch {
    private static final Generator DEFAULT_GENERATOR = new Generator(0x5eed_7041_c4e7L);

    private Torch() {}

    // ---------------------------------------------------------------- global state

    /** Seeds the default generator: the same seed gives the same random tensors on every run. */
    public static void manualSeed(long seed) {
        DEFAULT_GENERATOR.manualSeed(seed);
    }

    /** The default generator used by rand/randn/randint, dropout and initializers. */
    public static Generator defaultGenerator() {
        return DEFAULT_GENERATOR;
    }

    /** A scope in which ops record no graph: {@code try (var g = Torch.noGrad()) { ... }}. */
    public static GradMode.Scope noGrad() {
        return GradMode.scope(false);
    }

    /**
     * A scope for inference, PyTorch's {@code torch.inference_mode()}: no graph, and the buffers of intermediate
     * activations are recycled from one layer (and one call) to the next: {@code try (var s =
     * Torch.inferenceMode()) { model.call(x); }}. See {@link InferenceMode} for what a model's own modules must
     * not do inside it.
     */
    public static InferenceMode.Scope inferenceMode() {
        return InferenceMode.enter();
    }

    /** A scope that turns grad recording back on inside a noGrad() scope. */
    public static GradMode.Scope enableGrad() {
        return GradMode.scope(true);
    }

    public static boolean isGradEnabled() {
        return GradMode.isEnabled();
    }

    /** Threads used by the kernels for intra-op parallelism (default: the number of cores). */
    public static void setNumThreads(int n) {
        Parallel.setNumThreads(n);
    }

    public static int getNumThreads() {
        return Parallel.numThreads();
    }

    // ---------------------------------------------------------------- from data

    /** A float32 tensor holding a copy of data in row-major order. */
    public static Tensor tensor(float[] data, int... shape) {
        return Tensor.wrap(Storage.of(data.clone()), checkData("tensor", data.length, shape));
    }

    /** A float64 tensor. */
    public static Tensor tensor(double[] data, int... shape) {
        return Tensor.wrap(Storage.of(data.clone()), checkData("tensor", data.length, shape));
    }

    /** An int64 tensor (labels, indices). */
    public static Tensor tensor(long[] data, int... shape) {
        return Tensor.wrap(Storage.of(data.clone()), checkData("tensor", data.length, shape));
    }

    /** A bool tensor (masks). */
    public static Tensor tensor(boolean[] data, int... shape) {
        return Tensor.wrap(Storage.of(data.clone()), checkData("tensor", data.length, shape));
    }

    /** A 1-D float32 tensor, or a 0-d scalar when given one value and no shape is wanted use {@link #scalar}. */
    public static Tensor tensor(float... data) {
        return tensor(data, data.length);
    }

    /** A 0-dimensional float32 tensor. */
    public static Tensor scalar(float value) {
        return Tensor.wrap(Storage.of(new float[] {value}));
    }

    private static int[] checkData(String op, int length, int[] shape) {
        int[] s = Shape.check(op, shape);
        if (Shape.numel(s) != length) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fit shape " + Shape.str(s) + " ("
                    + Shape.numel(s) + " elements)");
        }
        return s;
    }

    // ---------------------------------------------------------------- filled

    public static Tensor zeros(int... shape) {
        return Tensor.empty(DType.FLOAT32, Shape.check("zeros", shape));
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return Tensor.empty(dtype, Shape.check("zeros", shape));
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1, shape);
    }

    public static Tensor full(float value, int... shape) {
        return full(DType.FLOAT32, value, shape);
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = Tensor.empty(dtype, Shape.check("full", shape));
        Storage s = t.storage();
        switch (dtype) {
            case FLOAT32 -> java.util.Arrays.fill(s.floats(), (float) value);
            case FLOAT64 -> java.util.Arrays.fill(s.doubles(), value);
            case INT64 -> java.util.Arrays.fill(s.longs(), (long) value);
            case BOOL -> java.util.Arrays.fill(s.bools(), value != 0);
        }
        return t;
    }

    public static Tensor zerosLike(Tensor t) {
        return Tensor.empty(t.dtype(), t.shapeRef());
    }

    public static Tensor onesLike(Tensor t) {
        return full(t.dtype(), 1, t.shapeRef());
    }

    public static Tensor fullLike(Tensor t, double value) {
        return full(t.dtype(), value, t.shapeRef());
    }

    /** The n x n identity matrix. */
    public static Tensor eye(int n) {
        return eye(n, n);
    }

    public static Tensor eye(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("eye: sizes must be non-negative, got rows=" + rows + ", cols=" + cols);
        }
        Tensor t = zeros(rows, cols);
        float[] d = t.storage().floats();
        for (int i = 0; i < Math.min(rows, cols); i++) {
            d[i * cols + i] = 1f;
        }
        return t;
    }

    // ---------------------------------------------------------------- ranges

    /** 0, 1, ..., n-1 as int64, like {@code torch.arange(n)}. */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /** start, start+step, ... below end, as int64. */
    public static Tensor arange(long start, long end, long step) {
        if (step == 0) {
            throw new IllegalArgumentException("arange: step must be non-zero");
        }
        checkRangeSign(start, end, step);
        long n = Math.max(0, (end - start + step + (step > 0 ? -1 : 1)) / step);
        long[] d = new long[Math.toIntExact(n)];
        for (int i = 0; i < d.length; i++) {
            d[i] = start + i * step;
        }
        return Tensor.wrap(Storage.of(d), d.length);
    }

    /** start, start+step, ... below end, as float32 (like {@code torch.arange} with float bounds). */
    public static Tensor arange(double start, double end, double step) {
        if (step == 0 || Double.isNaN(step) || !Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("arange: need finite bounds and a non-zero step, got start=" + start
                    + ", end=" + end + ", step=" + step);
        }
        checkRangeSign(start, end, step);
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) (start + i * step);
        }
        return Tensor.wrap(Storage.of(d), n);
    }

    /** Like PyTorch, a range whose end lies behind its start (in the step's direction) is an error. */
    private static void checkRangeSign(double start, double end, double step) {
        if ((step > 0 && end < start) || (step < 0 && end > start)) {
            throw new IllegalArgumentException(
                    "arange: upper bound and larger bound inconsistent with step sign: start=" + fmt(start) + ", end="
                            + fmt(end) + ", step=" + fmt(step));
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** {@code steps} evenly spaced float32 values from start to end inclusive. */
    public static Tensor linspace(double start, double end, int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("linspace: number of steps must be non-negative, got " + steps);
        }
        float[] d = new float[steps];
        if (steps == 1) {
            d[0] = (float) start;
            return Tensor.wrap(Storage.of(d), steps);
        }
        // Like PyTorch: in float32 arithmetic, the first half counted from start and the second
        // half from end, so both ends are exact.
        float s = (float) start;
        float e = (float) end;
        float step = (e - s) / (steps - 1);
        int half = steps / 2;
        for (int i = 0; i < steps; i++) {
            d[i] = i < half ? s + step * i : e - step * (steps - 1 - i);
        }
        return Tensor.wrap(Storage.of(d), steps);
    }

    // ---------------------------------------------------------------- random

    /** Uniform in [0, 1), float32. */
    public static Tensor rand(int... shape) {
        Tensor t = Tensor.empty(DType.FLOAT32, Shape.check("rand", shape));
        DEFAULT_GENERATOR.nextFloats(t.storage().floats());
        return t;
    }

    /** Standard normal, float32. */
    public static Tensor randn(int... shape) {
        Tensor t = Tensor.empty(DType.FLOAT32, Shape.check("randn", shape));
        float[] d = t.storage().floats();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) DEFAULT_GENERATOR.nextGaussian();
        }
        return t;
    }

    /** Uniform integers in [lo, hi), int64. */
    public static Tensor randint(long lo, long hi, int... shape) {
        if (hi <= lo) {
            throw new IllegalArgumentException("randint: expected lo < hi, got lo=" + lo + ", hi=" + hi);
        }
        Tensor t = Tensor.empty(DType.INT64, Shape.check("randint", shape));
        long[] d = t.storage().longs();
        for (int i = 0; i < d.length; i++) {
            d[i] = DEFAULT_GENERATOR.nextLong(lo, hi);
        }
        return t;
    }

    /** Uniform [0, 1) with t's shape and (floating-point) dtype. */
    public static Tensor randLike(Tensor t) {
        requireFloatLike("randLike", t);
        return rand(t.shapeRef()).to(t.dtype());
    }

    public static Tensor randnLike(Tensor t) {
        requireFloatLike("randnLike", t);
        return randn(t.shapeRef()).to(t.dtype());
    }

    private static void requireFloatLike(String op, Tensor t) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expected a floating-point tensor, got " + t.dtype()
                    + " with shape " + Shape.str(t.shapeRef()) + " (use randint for integers)");
        }
    }

    /** A random permutation of 0..n-1, int64. */
    public static Tensor randperm(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("randperm: n must be non-negative, got " + n);
        }
        long[] d = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = DEFAULT_GENERATOR.nextInt(i + 1);
            long tmp = d[i];
            d[i] = d[j];
            d[j] = tmp;
        }
        return Tensor.wrap(Storage.of(d), n);
    }

    // ---------------------------------------------------------------- joining and selection

    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Joining.cat(tensors, dim);
    }

    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Joining.stack(tensors, dim);
    }

    /** Elementwise {@code condition ? a : b} with broadcasting; condition is a bool tensor. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return Indexing.where(condition, a, b);
    }

    /** One-hot int64 encoding of int64 class indices: shape (..., numClasses). */
    public static Tensor oneHot(Tensor indices, int numClasses) {
        return Indexing.oneHot(indices, numClasses);
    }

    public static Tensor matmul(Tensor a, Tensor b) {
        return a.matmul(b);
    }
}
