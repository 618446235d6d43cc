package dev.torchlet.kernels;

import dev.torchlet.Storage;

/**
 * Kernels for gather/scatter-style indexing. Everything is expressed through flat storage
 * positions: {@link #positions} lists, in row-major order, where each element of a strided view
 * lives, and the copy/add kernels move elements between such position lists. No autograd here.
 */
public final class IndexKernels {
    private IndexKernels() {}

    /**
     * Storage positions of the elements of a strided view, in row-major order:
     * {@code pos[i] = offset + sum_d idx_d(i) * strides[d]}. A stride of 0 repeats (broadcast).
     */
    public static int[] positions(int[] shape, int[] strides, int offset) {
        int rank = shape.length;
        long count = 1;
        for (int s : shape) {
            count *= s;
        }
        int[] out = new int[(int) count];
        if (count == 0) {
            return out;
        }
        if (rank == 0) {
            out[0] = offset;
            return out;
        }
        int inner = shape[rank - 1];
        int innerStride = strides[rank - 1];
        int[] idx = new int[rank];
        int base = offset;
        int k = 0;
        int rows = out.length / inner;
        for (int r = 0; r < rows; r++) {
            for (int i = 0, p = base; i < inner; i++, p += innerStride) {
                out[k++] = p;
            }
            for (int d = rank - 2; d >= 0; d--) {
                idx[d]++;
                base += strides[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                base -= strides[d] * shape[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    /** {@code dst[dstOff + i] = src[srcPos[i]]} for every i: a gather into a contiguous output. Same dtypes. */
    public static void gather(Storage src, int[] srcPos, Storage dst, int dstOff) {
        int n = srcPos.length;
        switch (src.dtype()) {
            case FLOAT32 -> {
                float[] s = src.floats(), d = dst.floats();
                for (int i = 0; i < n; i++) {
                    d[dstOff + i] = s[srcPos[i]];
                }
            }
            case FLOAT64 -> {
                double[] s = src.doubles(), d = dst.doubles();
                for (int i = 0; i < n; i++) {
                    d[dstOff + i] = s[srcPos[i]];
                }
            }
            case INT64 -> {
                long[] s = src.longs(), d = dst.longs();
                for (int i = 0; i < n; i++) {
                    d[dstOff + i] = s[srcPos[i]];
                }
            }
            case BOOL -> {
                boolean[] s = src.bools(), d = dst.bools();
                for (int i = 0; i < n; i++) {
                    d[dstOff + i] = s[srcPos[i]];
                }
            }
        }
    }

    /**
     * {@code dst[dstPos[i]] = src[srcPos[i]]} (or {@code +=} when accumulate) for i in order, so a
     * later duplicate wins when not accumulating. Same dtypes; accumulating bool is logical or.
     */
    public static void scatter(Storage src, int[] srcPos, Storage dst, int[] dstPos, boolean accumulate) {
        int n = srcPos.length;
        switch (src.dtype()) {
            case FLOAT32 -> {
                float[] s = src.floats(), d = dst.floats();
                if (accumulate) {
                    for (int i = 0; i < n; i++) {
                        d[dstPos[i]] += s[srcPos[i]];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[dstPos[i]] = s[srcPos[i]];
                    }
                }
            }
            case FLOAT64 -> {
                double[] s = src.doubles(), d = dst.doubles();
                if (accumulate) {
                    for (int i = 0; i < n; i++) {
                        d[dstPos[i]] += s[srcPos[i]];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[dstPos[i]] = s[srcPos[i]];
                    }
                }
            }
            case INT64 -> {
                long[] s = src.longs(), d = dst.longs();
                if (accumulate) {
                    for (int i = 0; i < n; i++) {
                        d[dstPos[i]] += s[srcPos[i]];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[dstPos[i]] = s[srcPos[i]];
                    }
                }
            }
            case BOOL -> {
                boolean[] s = src.bools(), d = dst.bools();
                for (int i = 0; i < n; i++) {
                    d[dstPos[i]] = accumulate ? d[dstPos[i]] | s[srcPos[i]] : s[srcPos[i]];
                }
            }
        }
    }

    /** {@code dst[dstPos[i]] = value} for every i, value converted to dst's dtype. */
    public static void fill(Storage dst, int[] dstPos, double value) {
        int n = dstPos.length;
        switch (dst.dtype()) {
            case FLOAT32 -> {
                float[] d = dst.floats();
                float v = (float) value;
                for (int i = 0; i < n; i++) {
                    d[dstPos[i]] = v;
                }
            }
            case FLOAT64 -> {
                double[] d = dst.doubles();
                for (int i = 0; i < n; i++) {
                    d[dstPos[i]] = value;
                }
            }
            case INT64 -> {
                long[] d = dst.longs();
                long v = (long) value;
                for (int i = 0; i < n; i++) {
                    d[dstPos[i]] = v;
                }
            }
            case BOOL -> {
                boolean[] d = dst.bools();
                for (int i = 0; i < n; i++) {
                    d[dstPos[i]] = value != 0;
                }
            }
        }
    }

    /**
     * index_select on a contiguous (outer, n, inner) block: {@code out[o, j, :] = src[o, index[j], :]}
     * with out contiguous (outer, k, inner). Indices must already be validated.
     */
    public static void indexSelect(Storage src, int srcOff, int outer, int n, int inner, long[] index, Storage out) {
        Object s = array(src);
        Object d = array(out);
        int k = index.length;
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < k; j++) {
                System.arraycopy(s, srcOff + (o * n + (int) index[j]) * inner, d, (o * k + j) * inner, inner);
            }
        }
    }

    /**
     * index_add on contiguous blocks: {@code out[o, index[j], :] += src[o, j, :]} with out (outer, n, inner)
     * and src (outer, k, inner). Floating-point dtypes only (this is the gradient of index_select).
     */
    public static void indexAdd(Storage src, int srcOff, int outer, int n, int inner, long[] index, Storage out) {
        int k = index.length;
        switch (out.dtype()) {
            case FLOAT32 -> {
                float[] s = src.floats(), d = out.floats();
                for (int o = 0; o < outer; o++) {
                    for (int j = 0; j < k; j++) {
                        int sp = srcOff + (o * k + j) * inner;
                        int dp = (o * n + (int) index[j]) * inner;
                        for (int i = 0; i < inner; i++) {
                            d[dp + i] += s[sp + i];
                        }
                    }
                }
            }
            case FLOAT64 -> {
                double[] s = src.doubles(), d = out.doubles();
                for (int o = 0; o < outer; o++) {
                    for (int j = 0; j < k; j++) {
                        int sp = srcOff + (o * k + j) * inner;
                        int dp = (o * n + (int) index[j]) * inner;
                        for (int i = 0; i < inner; i++) {
                            d[dp + i] += s[sp + i];
                        }
                    }
                }
            }
            default ->
                throw new IllegalArgumentException("indexAdd: expected a floating-point gradient, got " + out.dtype());
        }
    }

    private static Object array(Storage s) {
        return switch (s.dtype()) {
            case FLOAT32 -> s.floats();
            case FLOAT64 -> s.doubles();
            case INT64 -> s.longs();
            case BOOL -> s.bools();
        };
    }
}
