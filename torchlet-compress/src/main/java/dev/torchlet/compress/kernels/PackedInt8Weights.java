package dev.torchlet.compress.kernels;

/**
 * Symmetric int8 weights W (N, K) (zero point 0), packed once per layer for {@link Int8Gemm}.
 *
 * <p>Layout: K is taken in pairs (p = 0 .. ceil(K/2) - 1) and N in panels of {@link #NR} columns. Panel q holds,
 * for each pair p, NR ints; lane j of that row is
 *
 * <pre>
 * ((w[q*NR + j][2p] + 128) &lt;&lt; 16) | (w[q*NR + j][2p + 1] + 128)      (w' = w + 128 in 0..255, unsigned)
 * </pre>
 *
 * so that one 32-bit multiply by the activation pair {@code a[2p] | a[2p+1] << 16} leaves the pair's dot product
 * {@code a[2p]*w'[2p] + a[2p+1]*w'[2p+1]} in the upper 16 bits (see {@link Int8Gemm}). Columns past N are 0, a
 * missing w[.][K] (odd K) is stored as w' = 128 (w = 0). Four bytes per weight pair: half of float32's size.
 */
public final class PackedInt8Weights {
    /** Columns per panel: two int vectors (16 with AVX2, 32 with AVX-512). */
    public static final int NR = Int8Gemm.NR;

    private final int n;
    private final int k;
    private final int[] panels;
    private final int[] rowSums;

    private PackedInt8Weights(int n, int k, int[] panels, int[] rowSums) {
        this.n = n;
        this.k = k;
        this.panels = panels;
        this.rowSums = rowSums;
    }

    /** Packs w, row-major (N, K) int8 values. A snapshot: later changes to w are not seen. */
    public static PackedInt8Weights pack(byte[] w, int n, int k) {
        if (n < 0 || k < 0) {
            throw new IllegalArgumentException("PackedInt8Weights.pack: negative size n=" + n + ", k=" + k);
        }
        if ((long) n * k > w.length) {
            throw new IllegalArgumentException("PackedInt8Weights.pack: (" + n + ", " + k + ") needs " + (long) n * k
                    + " weights, got " + w.length);
        }
        int kp = pairs(k);
        int nPanels = (n + NR - 1) / NR;
        int[] panels = new int[Math.multiplyExact(Math.multiplyExact(nPanels, kp), NR)];
        int[] rowSums = new int[n];
        for (int j = 0; j < n; j++) {
            int row = j * k;
            int base = (j / NR) * kp * NR + j % NR;
            int s = 0;
            for (int p = 0; p < kp; p++) {
                int w0 = w[row + 2 * p];
                int w1 = 2 * p + 1 < k ? w[row + 2 * p + 1] : 0;
                s += w0 + w1;
                panels[base + p * NR] = ((w0 + 128) << 16) | (w1 + 128);
            }
            rowSums[j] = s;
        }
        return new PackedInt8Weights(n, k, panels, rowSums);
    }

    /** Output channels (columns of the product). */
    public int n() {
        return n;
    }

    /** Depth of the product. */
    public int k() {
        return k;
    }

    /** sum_k w[n][k] for each of the N rows (for the activation zero-point correction); a copy. */
    public int[] rowSums() {
        return rowSums.clone();
    }

    /** Pairs of k: ceil(k / 2). */
    static int pairs(int k) {
        return (k + 1) >>> 1;
    }

    int[] panels() {
        return panels;
    }
}
