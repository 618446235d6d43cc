package dev.torchlet.compress.kernels;

/** uint8 x int8 -> int32 GEMM against packed weights. */
public final class Int8Gemm {
    private Int8Gemm() {}

    public static void gemm(int m, byte[] a, int aOff, PackedInt8Weights w, int[] acc) {
        Int8GemmReference.gemm(m, w.n(), w.k(), a, aOff, w.rowMajor(), acc);
    }
}
