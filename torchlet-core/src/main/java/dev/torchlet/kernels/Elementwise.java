package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast float32 elementwise kernels for the hot training ops (ReLU and its backward, in-place
 * accumulation), Vector API, split across the pool above {@link #GRAIN} elements. Each has a
 * plain-loop twin in {@link ElementwiseReference}; {@code ElementwiseConformanceTest} compares them.
 * All arrays are contiguous runs starting at the given offsets.
 */
public final class Elementwise {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Elements below which work stays on the calling thread (memory-bound: a hand-off costs more). */
    static final int GRAIN = 1 << 16;

    private Elementwise() {}

    /** out[i] = max(x[i], 0), NaN kept (Math.max semantics: relu(NaN) = NaN, relu(-0) = 0). */
    public static void relu(float[] x, int xOff, float[] out, int oOff, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            FloatVector zero = FloatVector.zero(S);
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                FloatVector.fromArray(S, x, xOff + i).lanewise(VectorOperators.MAX, zero).intoArray(out, oOff + i);
            }
            for (; i < e; i++) {
                out[oOff + i] = Math.max(x[xOff + i], 0f);
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

    /** acc[i] += x[i] for i &lt; n. */
    public static void addInPlace(float[] acc, int aOff, float[] x, int xOff, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                FloatVector.fromArray(S, acc, aOff + i).add(FloatVector.fromArray(S, x, xOff + i))
                        .intoArray(acc, aOff + i);
            }
            for (; i < e; i++) {
                acc[aOff + i] += x[xOff + i];
            }
        });
    }

    /**
     * out[oOff + j] = sum over r &lt; rows of x[xOff + r*cols + j] (a bias gradient): rows summed in
     * order, vectorized across columns, so each column's sum is the plain sequential float sum.
     */
    public static void columnSum(float[] x, int xOff, int rows, int cols, float[] out, int oOff) {
        int j = 0;
        for (int end = S.loopBound(cols); j < end; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int r = 0; r < rows; r++) {
                acc = acc.add(FloatVector.fromArray(S, x, xOff + r * cols + j));
            }
            acc.intoArray(out, oOff + j);
        }
        for (; j < cols; j++) {
            float acc = 0f;
            for (int r = 0; r < rows; r++) {
                acc += x[xOff + r * cols + j];
            }
            out[oOff + j] = acc;
        }
    }

    /** Sum of x[off .. off + n) in float lanes (a different order than a sequential sum), on the caller's thread. */
    public static float sum(float[] x, int off, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            acc = acc.add(FloatVector.fromArray(S, x, off + i));
        }
        float s = Simd.sumLanes(acc);
        for (; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }
}
