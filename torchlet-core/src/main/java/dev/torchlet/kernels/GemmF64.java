package dev.torchlet.kernels;

/**
 * float64 GEMM behind {@link GemmKernels#dgemm}: the simple path (float64 is for gradient checks and
 * accuracy, not speed). Rows of C are split over the pool; each row is an axpy over the rows of B
 * (unit stride, auto-vectorized) or, when B is stored transposed, a dot product per element.
 */
final class GemmF64 {
    private GemmF64() {}

    static void dgemm(
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
        if (m == 0 || n == 0) {
            return;
        }
        int grain = (int) Math.max(1, (1L << 16) / Math.max(1L, (long) n * k));
        Parallel.forRange(m, grain, (s, e) -> {
            double[] row = new double[n];
            for (int i = s; i < e; i++) {
                java.util.Arrays.fill(row, 0.0);
                if (transB) {
                    // B[p][j] = b[bOff + j*ldb + p]: dot of row i of A with row j of the stored B
                    for (int j = 0; j < n; j++) {
                        int bj = bOff + j * ldb;
                        double acc = 0;
                        for (int p = 0; p < k; p++) {
                            double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                            acc += av * b[bj + p];
                        }
                        row[j] = acc;
                    }
                } else {
                    for (int p = 0; p < k; p++) {
                        double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        int bp = bOff + p * ldb;
                        for (int j = 0; j < n; j++) {
                            row[j] += av * b[bp + j];
                        }
                    }
                }
                int cp = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[cp + j] = alpha * row[j] + (beta == 0 ? 0 : beta * c[cp + j]);
                }
            }
        });
    }
}
