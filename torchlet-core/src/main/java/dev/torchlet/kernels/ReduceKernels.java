package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions over contiguous blocks:
 * <pre>
 *   row reductions     out[r] = reduce(in[off + r*n .. + n])       for a (rows, n) block (sum, prod, arg-max/min)
 *   column sums        out[c] = sum over r of a[off + r*cols + c]   for a (rows, cols) block (a bias gradient)
 *   lane sum           sum of x[off .. off + n) in float vector lanes
 * </pre>
 * Row sums of float32 accumulate in double, so long rows do not lose precision. Column sums add the
 * rows in order, so they do not depend on the thread count; {@link ReduceReference} is their oracle.
 */
public final class ReduceKernels {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int GRAIN = 1 << 15;
    private static final int COLUMN_BLOCK = 256; // columns per task: 1 KB of accumulators stays in L1

    private ReduceKernels() {}

    public static void sum(float[] in, int off, int rows, int n, float[] out) {
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(n, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                double acc = 0;
                int base = off + r * n;
                for (int i = 0; i < n; i++) {
                    acc += in[base + i];
                }
                out[r] = (float) acc;
            }
        });
    }

    public static void sum(double[] in, int off, int rows, int n, double[] out) {
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(n, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                double acc = 0;
                int base = off + r * n;
                for (int i = 0; i < n; i++) {
                    acc += in[base + i];
                }
                out[r] = acc;
            }
        });
    }

    public static void sum(long[] in, int off, int rows, int n, long[] out) {
        for (int r = 0; r < rows; r++) {
            long acc = 0;
            int base = off + r * n;
            for (int i = 0; i < n; i++) {
                acc += in[base + i];
            }
            out[r] = acc;
        }
    }

    /**
     * Arg-extremum per row: index of the first maximum (or minimum) of each row; NaN wins, like
     * PyTorch. Works on any dtype through the double view of the values.
     */
    public static void argExtremum(dev.torchlet.Storage in, int off, int rows, int n, boolean max, long[] outIdx) {
        for (int r = 0; r < rows; r++) {
            int base = off + r * n;
            int best = 0;
            double bv = in.getDouble(base);
            for (int i = 1; i < n && !Double.isNaN(bv); i++) {
                double v = in.getDouble(base + i);
                if (Double.isNaN(v) || (max ? v > bv : v < bv)) {
                    bv = v;
                    best = i;
                }
            }
            outIdx[r] = best;
        }
    }

    /** Product per row, accumulated in double. */
    public static void prod(dev.torchlet.Storage in, int off, int rows, int n, dev.torchlet.Storage out) {
        for (int r = 0; r < rows; r++) {
            double acc = 1;
            int base = off + r * n;
            for (int i = 0; i < n; i++) {
                acc *= in.getDouble(base + i);
            }
            out.setDouble(r, acc);
        }
    }

    /**
     * out[outOff + c] = sum over r &lt; rows of a[off + r*cols + c]: a dense (rows, cols) block summed
     * over its rows, read in place (no transposed copy). Column blocks run in parallel; each column
     * is summed in row order by one thread (the plain sequential float sum), so the result does not
     * depend on the thread count or timing.
     */
    public static void columnSum(float[] a, int off, int rows, int cols, float[] out, int outOff) {
        int blocks = (cols + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        int grain = Math.max(1, (1 << 16) / Math.max(1, rows * Math.min(cols, COLUMN_BLOCK)));
        Parallel.forRange(blocks, grain, (s, e) -> {
            for (int blk = s; blk < e; blk++) {
                int c0 = blk * COLUMN_BLOCK;
                int n = Math.min(COLUMN_BLOCK, cols - c0);
                java.util.Arrays.fill(out, outOff + c0, outOff + c0 + n, 0f);
                for (int r = 0; r < rows; r++) {
                    int src = off + r * cols + c0;
                    for (int j = 0; j < n; j += S.length()) {
                        if (j + S.length() <= n) {
                            FloatVector.fromArray(S, out, outOff + c0 + j)
                                    .add(FloatVector.fromArray(S, a, src + j))
                                    .intoArray(out, outOff + c0 + j);
                        } else {
                            VectorMask<Float> m = S.indexInRange(j, n);
                            FloatVector.fromArray(S, out, outOff + c0 + j, m)
                                    .add(FloatVector.fromArray(S, a, src + j, m))
                                    .intoArray(out, outOff + c0 + j, m);
                        }
                    }
                }
            }
        });
    }

    /** The float64 column sums, in row order like the float32 ones. */
    public static void columnSum(double[] a, int off, int rows, int cols, double[] out, int outOff) {
        Parallel.forRange(cols, Math.max(1, (1 << 14) / Math.max(1, rows)), (s, e) -> {
            java.util.Arrays.fill(out, outOff + s, outOff + e, 0.0);
            for (int r = 0; r < rows; r++) {
                int src = off + r * cols;
                for (int c = s; c < e; c++) {
                    out[outOff + c] += a[src + c];
                }
            }
        });
    }

    /** Sum of x[off .. off + n) in float lanes (a different order than a sequential sum), on the caller's thread. */
    public static float laneSum(float[] x, int off, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, x, off + i));
        }
        float s = Simd.sumLanes(acc);
        for (; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }
}
