package dev.torchlet.kernels;

import dev.torchlet.DType;
import dev.torchlet.Storage;

/**
 * Copies a strided view into a contiguous row-major destination, converting the dtype when
 * source and destination differ ({@link #copy}), or a contiguous source into a strided view of the
 * same dtype ({@link #scatter}). Walks the index space like an odometer; the innermost dim is
 * a tight loop (an arraycopy when both sides are unit-stride and of the same dtype).
 */
public final class CopyKernels {
    /** Elements below which a copy stays on the calling thread (memory-bound: a share must be worth a wake-up). */
    private static final int GRAIN = 1 << 16;

    private CopyKernels() {}

    public static void copy(Storage src, int srcOffset, int[] shape, int[] srcStrides, Storage dst, int dstOffset) {
        forEachRow(srcOffset, shape, srcStrides, dstOffset, (sp, ss, dp, n) -> copyRow(src, sp, ss, dst, dp, n));
    }

    /**
     * dst[view] = src[srcOffset ...] for a contiguous row-major source of shape and a destination view
     * (dstOffset, shape, dstStrides) of the same dtype; the storages must not overlap.
     */
    public static void scatter(Storage src, int srcOffset, Storage dst, int dstOffset, int[] shape, int[] dstStrides) {
        if (src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException(
                    "CopyKernels.scatter: dtypes differ, " + src.dtype() + " vs " + dst.dtype());
        }
        forEachRow(dstOffset, shape, dstStrides, srcOffset, (dp, ds, sp, n) -> scatterRow(src, sp, dst, dp, ds, n));
    }

    /**
     * dst[dstOffset + r*width + j] = row[rowOffset + j] for r &lt; rows, j &lt; width (a bias broadcast down the
     * rows of a Linear's output before the GEMM accumulates into it), the rows split between the threads.
     */
    public static void repeatRow(float[] row, int rowOffset, int width, float[] dst, int dstOffset, int rows) {
        Parallel.forRange(rows, Math.max(1, (1 << 15) / Math.max(width, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                System.arraycopy(row, rowOffset, dst, dstOffset + r * width, width);
            }
        });
    }

    /** One innermost row: n elements at viewPos, viewPos + viewStride, ... of the view; densePos... densely. */
    @FunctionalInterface
    private interface Row {
        void run(int viewPos, int viewStride, int densePos, int n);
    }

    /**
     * Walks a view (offset, shape, strides) row by row in row-major order like an odometer, together with
     * the matching position in a dense row-major array starting at denseOffset.
     */
    /**
     * dst (n, h, w, c) = src (n, c, h, w) at srcOffset: a row-major batch laid out channels-last. One output row
     * (y) per task: its c input rows read in order, the output written in order.
     */
    public static void toChannelsLast(float[] src, int srcOffset, int n, int c, int h, int w, float[] dst) {
        int plane = h * w;
        Parallel.forRange(n * h, Math.max(1, (1 << 14) / Math.max(1, w * c)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / h;
                int y = r % h;
                int out = r * w * c;
                int in = srcOffset + b * c * plane + y * w;
                if (c == 3) { // an RGB image: the output row written in order from three input rows
                    int g = in + plane;
                    int bl = g + plane;
                    for (int x = 0; x < w; x++, out += 3) {
                        dst[out] = src[in + x];
                        dst[out + 1] = src[g + x];
                        dst[out + 2] = src[bl + x];
                    }
                    continue;
                }
                for (int ch = 0; ch < c; ch++) {
                    int s = in + ch * plane;
                    for (int x = 0; x < w; x++) {
                        dst[out + x * c + ch] = src[s + x];
                    }
                }
            }
        });
    }

    private static void forEachRow(int offset, int[] shape, int[] strides, int denseOffset, Row row) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        if (n == 0) {
            return;
        }
        // the fewest dims the strided side needs (a channel slice of a batch: rows of channels x pixels), then the
        // rows (or one run's pieces) split between the threads
        int[][] merged = StridedDims.merge(shape, strides);
        int[] dims = merged[0];
        int[] steps = merged[1];
        int rank = dims.length;
        int inner = dims[rank - 1];
        int innerStride = steps[rank - 1];
        if (rank == 1) {
            Parallel.forRange(
                    n, GRAIN, (s, e) -> row.run(offset + s * innerStride, innerStride, denseOffset + s, e - s));
            return;
        }
        Parallel.forRange(n / inner, Math.max(1, GRAIN / inner), (r0, r1) -> {
            int[] idx = new int[rank - 1];
            int pos = offset;
            for (int d = rank - 2, rest = r0; d >= 0; d--) { // the odometer at row r0
                idx[d] = rest % dims[d];
                rest /= dims[d];
                pos += idx[d] * steps[d];
            }
            int densePos = denseOffset + r0 * inner;
            for (int r = r0; r < r1; r++) {
                row.run(pos, innerStride, densePos, inner);
                densePos += inner;
                for (int d = rank - 2; d >= 0; d--) {
                    idx[d]++;
                    pos += steps[d];
                    if (idx[d] < dims[d]) {
                        break;
                    }
                    pos -= steps[d] * dims[d];
                    idx[d] = 0;
                }
            }
        });
    }

    /** n elements from src[sp ...] (unit stride) to dst[dp], dst[dp + ds], ... (same dtype). */
    private static void scatterRow(Storage src, int sp, Storage dst, int dp, int ds, int n) {
        if (ds == 1) {
            copyRow(src, sp, 1, dst, dp, n);
            return;
        }
        switch (src.dtype()) {
            case FLOAT32 -> {
                float[] a = src.floats(), b = dst.floats();
                for (int i = 0; i < n; i++) {
                    b[dp + i * ds] = a[sp + i];
                }
            }
            case FLOAT64 -> {
                double[] a = src.doubles(), b = dst.doubles();
                for (int i = 0; i < n; i++) {
                    b[dp + i * ds] = a[sp + i];
                }
            }
            case INT64 -> {
                long[] a = src.longs(), b = dst.longs();
                for (int i = 0; i < n; i++) {
                    b[dp + i * ds] = a[sp + i];
                }
            }
            case BOOL -> {
                boolean[] a = src.bools(), b = dst.bools();
                for (int i = 0; i < n; i++) {
                    b[dp + i * ds] = a[sp + i];
                }
            }
        }
    }

    private static void copyRow(Storage src, int sp, int ss, Storage dst, int dp, int n) {
        DType sd = src.dtype();
        DType dd = dst.dtype();
        if (sd == dd) {
            Object s = switch (sd) {
                case FLOAT32 -> src.floats();
                case FLOAT64 -> src.doubles();
                case INT64 -> src.longs();
                case BOOL -> src.bools();
            };
            Object d = switch (dd) {
                case FLOAT32 -> dst.floats();
                case FLOAT64 -> dst.doubles();
                case INT64 -> dst.longs();
                case BOOL -> dst.bools();
            };
            if (ss == 1) {
                System.arraycopy(s, sp, d, dp, n);
                return;
            }
            switch (sd) {
                case FLOAT32 -> {
                    float[] a = src.floats(), b = dst.floats();
                    for (int i = 0; i < n; i++) {
                        b[dp + i] = a[sp + i * ss];
                    }
                }
                case FLOAT64 -> {
                    double[] a = src.doubles(), b = dst.doubles();
                    for (int i = 0; i < n; i++) {
                        b[dp + i] = a[sp + i * ss];
                    }
                }
                case INT64 -> {
                    long[] a = src.longs(), b = dst.longs();
                    for (int i = 0; i < n; i++) {
                        b[dp + i] = a[sp + i * ss];
                    }
                }
                case BOOL -> {
                    boolean[] a = src.bools(), b = dst.bools();
                    for (int i = 0; i < n; i++) {
                        b[dp + i] = a[sp + i * ss];
                    }
                }
            }
            return;
        }
        if (sd == DType.FLOAT32 && dd == DType.FLOAT64) {
            float[] a = src.floats();
            double[] b = dst.doubles();
            for (int i = 0; i < n; i++) {
                b[dp + i] = a[sp + i * ss];
            }
            return;
        }
        if (sd == DType.FLOAT64 && dd == DType.FLOAT32) {
            double[] a = src.doubles();
            float[] b = dst.floats();
            for (int i = 0; i < n; i++) {
                b[dp + i] = (float) a[sp + i * ss];
            }
            return;
        }
        if (sd == DType.BOOL && (dd == DType.FLOAT32 || dd == DType.FLOAT64)) { // masks to 0/1 numbers
            boolean[] a = src.bools();
            if (dd == DType.FLOAT32) {
                float[] b = dst.floats();
                for (int i = 0; i < n; i++) {
                    b[dp + i] = a[sp + i * ss] ? 1f : 0f;
                }
            } else {
                double[] b = dst.doubles();
                for (int i = 0; i < n; i++) {
                    b[dp + i] = a[sp + i * ss] ? 1.0 : 0.0;
                }
            }
            return;
        }
        if (dd == DType.INT64 && sd != DType.BOOL) {
            long[] b = dst.longs();
            for (int i = 0; i < n; i++) {
                b[dp + i] = src.getLong(sp + i * ss);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            dst.setDouble(dp + i, src.getDouble(sp + i * ss));
        }
    }
}
