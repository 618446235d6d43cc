package dev.torchlet.compress.kernels;

/** int8 weights (N, K), symmetric (zero point 0), kept row-major; with their row sums. */
public final class PackedInt8Weights {
    private final byte[] w;
    private final int n;
    private final int k;
    private final int[] rowSums;

    private PackedInt8Weights(byte[] w, int n, int k) {
        this.w = w;
        this.n = n;
        this.k = k;
        this.rowSums = new int[n];
        for (int j = 0; j < n; j++) {
            int s = 0;
            for (int kk = 0; kk < k; kk++) {
                s += w[j * k + kk];
            }
            rowSums[j] = s;
        }
    }

    public static PackedInt8Weights pack(byte[] w, int n, int k) {
        if (w.length != n * k) {
            throw new IllegalArgumentException(
                    "PackedInt8Weights.pack: " + w.length + " values for (" + n + ", " + k + ")");
        }
        return new PackedInt8Weights(w.clone(), n, k);
    }

    public int n() {
        return n;
    }

    public int k() {
        return k;
    }

    public int[] rowSums() {
        return rowSums;
    }

    byte[] rowMajor() {
        return w;
    }
}
