package dev.torchlet.kernels;

/**
 * General matrix multiply on row-major arrays: {@code C = alpha * op(A) @ op(B) + beta * C}
 * where op(A) is (m, k) and op(B) is (k, n).
 *
 * <p>Addressing: without transpose, {@code A[i][p] = a[aOff + i*lda + p]}; with transA the array
 * holds A's transpose, so {@code A[i][p] = a[aOff + p*lda + i]} (same for B). This lets callers pass
 * transposed views without copying. With {@code beta == 0} C is only written (NaNs in it do not survive).
 *
 * <p>This is the entry point the ops call; it checks the arguments and routes to the fast kernels:
 * {@link GemmF32} (packed, register-tiled, multi-threaded; a direct path for small products) and
 * {@link GemmF64} (simple row-parallel loops). {@link GemmReference} is the plain-loop oracle the
 * conformance tests compare against.
 */
public final class GemmKernels {
    private GemmKernels() {}

    public static void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        check("sgemm", transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
        GemmF32.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * A float32 op(B) (k, n) packed once for many products: {@link #sgemm(boolean, int, float, float[], int, int,
     * PackedB, float, float[], int, int)} then skips the packing (e.g. W_hh over the steps of a sequence).
     * A snapshot: later changes to the source array are not seen.
     */
    public static final class PackedB {
        private final int k;
        private final int n;
        private final float[][] blocks;

        PackedB(int k, int n, float[][] blocks) {
            this.k = k;
            this.n = n;
            this.blocks = blocks;
        }

        /** Rows of op(B): the products' depth. */
        public int k() {
            return k;
        }

        /** Columns of op(B) and of C. */
        public int n() {
            return n;
        }

        float[] block(int i) {
            return blocks[i];
        }
    }

    /** Packs op(B) (k, n), addressed like sgemm's B (transB: stored as (n, k)), for the prepacked sgemm below. */
    public static PackedB packB(boolean transB, int k, int n, float[] b, int bOff, int ldb) {
        if (k < 0 || n < 0) {
            throw new IllegalArgumentException("packB: negative size k=" + k + ", n=" + n);
        }
        if (k > 0 && n > 0) {
            checkOperand("packB", "B", transB ? n : k, transB ? k : n, b.length, bOff, ldb);
        }
        return GemmF32.packB(transB, k, n, b, bOff, ldb);
    }

    /**
     * Whether {@link #sgemm} packs op(B) in one pass for a product of these sizes (A not transposed), so that
     * packing B once ahead ({@link #packB}) and calling {@link #sgemmParallel} saves work and gives the same bits;
     * false where it reads the operands directly (few rows, narrow or small products) or splits the depth.
     */
    public static boolean packsB(boolean transB, int m, int n, int k) {
        return m > 0 && n > 0 && k > 0 && !GemmF32.isDirect(transB, m, n, k) && !GemmF32.splitsDepth(m, n, k);
    }

    /**
     * {@code C = A @ B + bias} (bias added to every row; null for none) with a prepacked B, A (m, k) row-major, on
     * all threads (blocks of rows of C): the same bits as a bias copied into C and {@link #sgemm}'s blocked path
     * with beta 1.
     */
    public static void sgemmParallel(
            int m, float[] a, int aOff, int lda, PackedB b, float[] bias, int biasOff, float[] c, int cOff, int ldc) {
        sgemmParallel(
                m,
                a,
                aOff,
                lda,
                b,
                bias,
                biasOff,
                null,
                0,
                Float.NEGATIVE_INFINITY,
                Float.POSITIVE_INFINITY,
                c,
                cOff,
                ldc);
    }

    /**
     * {@code C = clamp(A @ B + bias + R, lo, hi)} with a prepacked B on all threads, as {@link #sgemmParallel(int,
     * float[], int, int, PackedB, float[], int, float[], int, int)} plus a residual R (m, n) stored like C (ldc
     * apart, at residualOff; null for none) and a clamp (infinite bounds for none; NaN stays NaN). Each block of
     * rows starts as bias + R and is clamped right after its product, while it is in cache: a pointwise
     * convolution's whole epilogue (a ReLU/ReLU6 and a residual connection).
     */
    public static void sgemmParallel(
            int m,
            float[] a,
            int aOff,
            int lda,
            PackedB b,
            float[] bias,
            int biasOff,
            float[] residual,
            int residualOff,
            float lo,
            float hi,
            float[] c,
            int cOff,
            int ldc) {
        if (m < 0) {
            throw new IllegalArgumentException("sgemm: negative size m=" + m);
        }
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("sgemm: clamp bounds must satisfy lo <= hi, got " + lo + ", " + hi);
        }
        if (m == 0 || b.n() == 0) {
            return;
        }
        checkOperand("sgemm", "C", m, b.n(), c.length, cOff, ldc);
        if (b.k() > 0) {
            checkOperand("sgemm", "A", m, b.k(), a.length, aOff, lda);
        }
        if (bias != null) {
            checkOperand("sgemm", "bias", 1, b.n(), bias.length, biasOff, b.n());
        }
        if (residual != null) {
            checkOperand("sgemm", "residual", m, b.n(), residual.length, residualOff, ldc);
        }
        GemmF32.sgemmPackedParallel(m, a, aOff, lda, b, bias, biasOff, residual, residualOff, lo, hi, c, cOff, ldc);
    }

    /**
     * {@code C = alpha * op(A) @ B + beta * C} with a prepacked B (sizes (m, k) @ (k, n) from it), on the
     * calling thread: callers that want threads split the rows of C. Same results as {@link #sgemm}'s
     * blocked path.
     */
    public static void sgemm(
            boolean transA,
            int m,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            PackedB b,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        if (m < 0) {
            throw new IllegalArgumentException("sgemm: negative size m=" + m);
        }
        if (m > 0 && b.n() > 0) {
            checkOperand("sgemm", "C", m, b.n(), c.length, cOff, ldc);
            if (b.k() > 0) {
                checkOperand("sgemm", "A", transA ? b.k() : m, transA ? m : b.k(), a.length, aOff, lda);
            }
        }
        GemmF32.sgemmPacked(transA, m, alpha, a, aOff, lda, b, beta, c, cOff, ldc);
    }

    public static void dgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            double alpha,
            double[] a,
            int aOff,
            int lda,
            double[] b,
            int bOff,
            int ldb,
            double beta,
            double[] c,
            int cOff,
            int ldc) {
        check("dgemm", transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
        GemmF64.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** Sizes non-negative, leading dims at least the stored row width, every addressed element in its array. */
    static void check(
            String op,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            int aLen,
            int aOff,
            int lda,
            int bLen,
            int bOff,
            int ldb,
            int cLen,
            int cOff,
            int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(op + ": negative size m=" + m + ", n=" + n + ", k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        checkOperand(op, "C", m, n, cLen, cOff, ldc);
        if (k > 0) {
            checkOperand(op, "A", transA ? k : m, transA ? m : k, aLen, aOff, lda);
            checkOperand(op, "B", transB ? n : k, transB ? k : n, bLen, bOff, ldb);
        }
    }

    /** A stored (rows, cols) matrix at off with leading dim ld must lie inside an array of length len. */
    private static void checkOperand(String op, String name, int rows, int cols, int len, int off, int ld) {
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (off < 0 || (rows > 1 && ld < cols) || last >= len) {
            throw new IllegalArgumentException(op + ": operand " + name + " stored as (" + rows + ", " + cols
                    + ") at offset " + off + " with leading dim " + ld + " does not fit its array of length " + len);
        }
    }
}
