package dev.torchlet.compress.kernels;

/** Plain-loop int8 GEMM: the oracle {@link Int8Gemm} is tested against. */
public final class Int8GemmReference {
    private Int8GemmReference() {}

    /**
     * {@code acc[i*n + j] = sum_kk (a[aOff + i*k + kk] & 0xFF) * w[j*k + kk]}: a (m, k) uint8 activations, w (n, k)
     * int8 weights, acc (m, n) int32 (wrapping like Java int arithmetic).
     */
    public static void gemm(int m, int n, int k, byte[] a, int aOff, byte[] w, int[] acc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int s = 0;
                for (int kk = 0; kk < k; kk++) {
                    s += (a[aOff + i * k + kk] & 0xFF) * w[j * k + kk];
                }
                acc[i * n + j] = s;
            }
        }
    }
}
