package dev.torchlet.kernels;

import dev.torchlet.Storage;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Two-input elementwise kernels. {@link #broadcast}: {@code out[i] = op(a[i], b[i])} over broadcast
 * strided operands, where out is contiguous with the broadcast shape and a/b are addressed by
 * strides (a stride of 0 repeats an element); operands and output share one dtype, the op layer
 * promotes first. {@link #addInPlace}: a Vector API accumulation with its plain-loop twin in
 * {@link BinaryReference}.
 */
public final class BinaryKernels {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    /** Number of output elements below which {@link #broadcast} stays on the calling thread. */
    private static final int GRAIN = 1 << 15;
    /** Elements below which {@link #addInPlace} stays on the calling thread (memory-bound). */
    private static final int IN_PLACE_GRAIN = 1 << 16;

    private BinaryKernels() {}

    /** acc[i] += x[i] for i &lt; n. */
    public static void addInPlace(float[] acc, int aOff, float[] x, int xOff, int n) {
        Parallel.forRange(n, IN_PLACE_GRAIN, (s, e) -> {
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += S.length()) {
                FloatVector.fromArray(S, acc, aOff + i)
                        .add(FloatVector.fromArray(S, x, xOff + i))
                        .intoArray(acc, aOff + i);
            }
            for (; i < e; i++) {
                acc[aOff + i] += x[xOff + i];
            }
        });
    }

    /** out (contiguous, shape) = op(a, b), a and b addressed through their (broadcast) strides. */
    public static void broadcast(
            BinaryOp op,
            int[] shape,
            Storage a,
            int aOffset,
            int[] aStrides,
            Storage b,
            int bOffset,
            int[] bStrides,
            Storage out) {
        int n = out.length();
        if (n == 0) {
            return;
        }
        // merge dims that step through both operands as one (contiguous operands: one dim of n elements)
        int[][] merged = StridedDims.merge(shape, aStrides, bStrides);
        int[] dims = merged[0];
        int[] as = merged[1];
        int[] bs = merged[2];
        int rank = dims.length;
        int inner = dims[rank - 1];
        int sa = as[rank - 1];
        int sb = bs[rank - 1];
        if (rank == 1) { // one run: the threads split it
            Parallel.forRange(
                    n, GRAIN, (s, e) -> row(op, a, aOffset + s * sa, sa, b, bOffset + s * sb, sb, out, s, e - s));
            return;
        }
        int rows = n / inner;
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(inner, 1)), (r0, r1) -> {
            int[] idx = new int[rank - 1];
            // position the odometer at row r0
            int rem = r0;
            int pa = aOffset, pb = bOffset;
            for (int d = rank - 2; d >= 0; d--) {
                idx[d] = rem % dims[d];
                rem /= dims[d];
                pa += idx[d] * as[d];
                pb += idx[d] * bs[d];
            }
            for (int r = r0; r < r1; r++) {
                row(op, a, pa, sa, b, pb, sb, out, r * inner, inner);
                for (int d = rank - 2; d >= 0; d--) {
                    idx[d]++;
                    pa += as[d];
                    pb += bs[d];
                    if (idx[d] < dims[d]) {
                        break;
                    }
                    pa -= as[d] * dims[d];
                    pb -= bs[d] * dims[d];
                    idx[d] = 0;
                }
            }
        });
    }

    private static void row(
            BinaryOp op, Storage a, int pa, int sa, Storage b, int pb, int sb, Storage out, int po, int n) {
        switch (out.dtype()) {
            case FLOAT32 -> rowF32(op, a.floats(), pa, sa, b.floats(), pb, sb, out.floats(), po, n);
            case FLOAT64 -> {
                double[] x = a.doubles(), y = b.doubles(), o = out.doubles();
                for (int i = 0; i < n; i++) {
                    o[po + i] = op.apply(x[pa + i * sa], y[pb + i * sb]);
                }
            }
            case INT64 -> {
                long[] x = a.longs(), y = b.longs(), o = out.longs();
                for (int i = 0; i < n; i++) {
                    o[po + i] = op.apply(x[pa + i * sa], y[pb + i * sb]);
                }
            }
            case BOOL -> throw new IllegalStateException("bool arithmetic must be promoted first");
        }
    }

    /** float32 rows: the common ops get their own loops so the JIT can unroll and vectorize them. */
    private static void rowF32(
            BinaryOp op, float[] x, int pa, int sa, float[] y, int pb, int sb, float[] o, int po, int n) {
        if (sa == 1 && sb == 1) {
            switch (op) {
                case ADD -> {
                    for (int i = 0; i < n; i++) o[po + i] = x[pa + i] + y[pb + i];
                }
                case SUB -> {
                    for (int i = 0; i < n; i++) o[po + i] = x[pa + i] - y[pb + i];
                }
                case MUL -> {
                    for (int i = 0; i < n; i++) o[po + i] = x[pa + i] * y[pb + i];
                }
                case DIV -> {
                    for (int i = 0; i < n; i++) o[po + i] = x[pa + i] / y[pb + i];
                }
                default -> {
                    for (int i = 0; i < n; i++) o[po + i] = op.apply(x[pa + i], y[pb + i]);
                }
            }
            return;
        }
        if (sb == 0) {
            float c = y[pb];
            if (op == BinaryOp.POW && powByScalar(x, pa, sa, c, o, po, n)) {
                return;
            }
            switch (op) {
                case ADD -> {
                    for (int i = 0; i < n; i++) o[po + i] = x[pa + i * sa] + c;
                }
                case SUB -> {
                    for (int i = 0; i < n; i++) o[po + i] = x[pa + i * sa] - c;
                }
                case MUL -> {
                    for (int i = 0; i < n; i++) o[po + i] = x[pa + i * sa] * c;
                }
                case DIV -> {
                    for (int i = 0; i < n; i++) o[po + i] = x[pa + i * sa] / c;
                }
                default -> {
                    for (int i = 0; i < n; i++) o[po + i] = op.apply(x[pa + i * sa], c);
                }
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            o[po + i] = op.apply(x[pa + i * sa], y[pb + i * sb]);
        }
    }

    /**
     * x^e for the exponents PyTorch's pow kernel special-cases, with its arithmetic (so the same bits): 2 -> x*x,
     * 3 -> x*x*x, 1 -> x, 0.5 -> sqrt(x), -0.5 -> 1/sqrt(x), -1 -> 1/x, -2 -> 1/(x*x). Math.pow costs ~20 ns a
     * value (MSE-style losses square whole activations: 15 ms for 2048 x 256 in the Transformer bench's loss).
     * False (nothing written) for any other exponent.
     */
    private static boolean powByScalar(float[] x, int pa, int sa, float e, float[] o, int po, int n) {
        if (e == 2f) {
            for (int i = 0; i < n; i++) {
                float v = x[pa + i * sa];
                o[po + i] = v * v;
            }
        } else if (e == 3f) {
            for (int i = 0; i < n; i++) {
                float v = x[pa + i * sa];
                o[po + i] = v * v * v;
            }
        } else if (e == 1f) {
            for (int i = 0; i < n; i++) {
                o[po + i] = x[pa + i * sa];
            }
        } else if (e == 0.5f) {
            for (int i = 0; i < n; i++) {
                o[po + i] = (float) Math.sqrt(x[pa + i * sa]);
            }
        } else if (e == -0.5f) {
            for (int i = 0; i < n; i++) {
                o[po + i] = 1f / (float) Math.sqrt(x[pa + i * sa]);
            }
        } else if (e == -1f) {
            for (int i = 0; i < n; i++) {
                o[po + i] = 1f / x[pa + i * sa];
            }
        } else if (e == -2f) {
            for (int i = 0; i < n; i++) {
                float v = x[pa + i * sa];
                o[po + i] = 1f / (v * v);
            }
        } else {
            return false;
        }
        return true;
    }
}
