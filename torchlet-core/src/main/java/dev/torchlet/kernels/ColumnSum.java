package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * out[c] = sum over r of a[off + r*cols + c]: a dense (rows, cols) block summed over its rows,
 * the shape of a bias gradient (a broadcast gradient reduced over its leading dims). Reads the rows
 * in place (no transposed copy); column blocks run in parallel, and each column is summed in row
 * order by one thread, so the result does not depend on the thread count or timing.
 */
public final class ColumnSum {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int BLOCK = 256; // columns per task: 1 KB of accumulators stays in L1

    private ColumnSum() {}

    public static void sum(float[] a, int off, int rows, int cols, float[] out, int outOff) {
        int blocks = (cols + BLOCK - 1) / BLOCK;
        int grain = Math.max(1, (1 << 16) / Math.max(1, rows * Math.min(cols, BLOCK)));
        Parallel.forRange(blocks, grain, (s, e) -> {
            for (int blk = s; blk < e; blk++) {
                int c0 = blk * BLOCK;
                int n = Math.min(BLOCK, cols - c0);
                java.util.Arrays.fill(out, outOff + c0, outOff + c0 + n, 0f);
                for (int r = 0; r < rows; r++) {
                    int src = off + r * cols + c0;
                    for (int j = 0; j < n; j += S.length()) {
                        if (j + S.length() <= n) {
                            FloatVector.fromArray(S, out, outOff + c0 + j).add(FloatVector.fromArray(S, a, src + j))
                                    .intoArray(out, outOff + c0 + j);
                        } else {
                            VectorMask<Float> m = S.indexInRange(j, n);
                            FloatVector.fromArray(S, out, outOff + c0 + j, m)
                                    .add(FloatVector.fromArray(S, a, src + j, m)).intoArray(out, outOff + c0 + j, m);
                        }
                    }
                }
            }
        });
    }

    public static void sum(double[] a, int off, int rows, int cols, double[] out, int outOff) {
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

    /** Plain-loop oracle, accumulated in double. */
    public static void sumReference(float[] a, int off, int rows, int cols, double[] out) {
        for (int c = 0; c < cols; c++) {
            double acc = 0;
            for (int r = 0; r < rows; r++) {
                acc += a[off + r * cols + c];
            }
            out[c] = acc;
        }
    }
}
