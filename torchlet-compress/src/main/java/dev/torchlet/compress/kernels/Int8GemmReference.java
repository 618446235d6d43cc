package dev.torchlet.compress.kernels;

/** Plain-loop uint8 x int8 -> int32 GEMM, the oracle. */
public final class Int8GemmReference {
    private Int8GemmReference() {}

    /** acc[i*n + j] = sum_k (a[aOff + i*k + kk] &amp; 0xFF) * w[j*k + kk]. */
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
