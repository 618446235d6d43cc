package dev.torchlet.kernels;

/** Plain-loop GEMM: the readable oracle for {@link GemmKernels}'s fast kernel. Same contract as {@link GemmKernels}. */
public final class GemmReference {
    private GemmReference() {}

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
        float[] row = new float[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0f);
            for (int p = 0; p < k; p++) {
                float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                if (transB) {
                    for (int j = 0; j < n; j++) {
                        row[j] += av * b[bOff + j * ldb + p];
                    }
                } else {
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        row[j] += av * b[bp + j];
                    }
                }
            }
            int cp = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[cp + j] = alpha * row[j] + (beta == 0f ? 0f : beta * c[cp + j]);
            }
        }
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
        double[] row = new double[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0);
            for (int p = 0; p < k; p++) {
                double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                for (int j = 0; j < n; j++) {
                    row[j] += av * (transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]);
                }
            }
            int cp = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[cp + j] = alpha * row[j] + (beta == 0 ? 0 : beta * c[cp + j]);
            }
        }
    }
}
