package dev.torchlet.kernels;

/** Plain-loop twins of the {@link ReduceKernels} column sums: the test oracle, accumulated in double. */
public final class ReduceReference {
    private ReduceReference() {}

    /** out[c] = sum over r &lt; rows of a[off + r*cols + c]. */
    public static void columnSum(float[] a, int off, int rows, int cols, double[] out) {
        for (int c = 0; c < cols; c++) {
            double acc = 0;
            for (int r = 0; r < rows; r++) {
                acc += a[off + r * cols + c];
            }
            out[c] = acc;
        }
    }
}
