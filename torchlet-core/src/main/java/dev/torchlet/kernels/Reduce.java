package dev.torchlet.kernels;

/**
 * Row reductions over a contiguous (rows, n) block: {@code out[r] = reduce(in[off + r*n .. + n])}.
 * float32 sums accumulate in double, so long rows do not lose precision.
 */
public final class Reduce {
    private static final int GRAIN = 1 << 15;

    private Reduce() {}

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
}
