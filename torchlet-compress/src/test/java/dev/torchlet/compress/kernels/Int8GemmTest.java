package dev.torchlet.compress.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Int8Gemm against Int8GemmReference, bit for bit, on awkward sizes, ranges and offsets. */
class Int8GemmTest {
    private static final int[] SIZES = {1, 3, 7, 16, 17, 31, 64, 65, 129, 300};

    /** Activations: 0 = random 0..127 (the fast path), 1 = random 0..255, 2 = all 255, 3 = all 127, 4 = all 0. */
    private static byte[] activations(Random r, int len, int kind) {
        byte[] a = new byte[len];
        for (int i = 0; i < len; i++) {
            a[i] = (byte)
                    switch (kind) {
                        case 0 -> r.nextInt(128);
                        case 1 -> r.nextInt(256);
                        case 2 -> 255;
                        case 3 -> 127;
                        default -> 0;
                    };
        }
        return a;
    }

    /** Weights: 0 = random -128..127, 1 = all -128, 2 = all 127. */
    private static byte[] weights(Random r, int len, int kind) {
        byte[] w = new byte[len];
        for (int i = 0; i < len; i++) {
            w[i] = (byte)
                    switch (kind) {
                        case 0 -> r.nextInt(256) - 128;
                        case 1 -> -128;
                        default -> 127;
                    };
        }
        return w;
    }

    private static void check(int m, int n, int k, int aKind, int wKind, int aOff, long seed) {
        Random r = new Random(seed);
        byte[] a = activations(r, aOff + m * k + 3, aKind);
        byte[] w = weights(r, n * k, wKind);
        int[] want = new int[m * n];
        Int8GemmReference.gemm(m, n, k, a, aOff, w, want);
        PackedInt8Weights pw = PackedInt8Weights.pack(w, n, k);
        int[] got = new int[m * n + 5];
        java.util.Arrays.fill(got, 0x5A5A5A5A); // stale values must be overwritten, the tail left alone
        Int8Gemm.gemm(m, a, aOff, pw, got);
        assertArrayEquals(
                want,
                java.util.Arrays.copyOf(got, m * n),
                () -> "m=" + m + " n=" + n + " k=" + k + " aKind=" + aKind + " wKind=" + wKind + " aOff=" + aOff);
        for (int i = m * n; i < got.length; i++) {
            assertEquals(0x5A5A5A5A, got[i], "wrote past m*n");
        }
    }

    @Test
    void awkwardSizesMatchReference() {
        long seed = 1;
        for (int s : SIZES) {
            for (int kind = 0; kind < 2; kind++) {
                check(s, 17, 31, kind, 0, 0, seed++);
                check(7, s, 65, kind, 0, 5, seed++);
                check(16, 31, s, kind, 0, 1, seed++);
                check(s, s, 9, kind, 0, 0, seed++);
            }
        }
        int[][] triples = {{300, 129, 300}, {65, 64, 129}, {1, 300, 300}, {129, 65, 7}, {31, 16, 1}, {3, 1, 17}};
        for (int[] t : triples) {
            for (int kind = 0; kind < 2; kind++) {
                check(t[0], t[1], t[2], kind, 0, 3, seed++);
            }
        }
    }

    @Test
    void extremesMatchReference() {
        for (int aKind = 0; aKind < 5; aKind++) {
            for (int wKind = 0; wKind < 3; wKind++) {
                check(17, 33, 1031, aKind, wKind, 2, 100 + aKind * 3 + wKind); // more than one k slice
                check(5, 16, 3, aKind, wKind, 0, 200 + aKind * 3 + wKind);
            }
        }
    }

    @Test
    void mixedRangeRowsAndParallelPath() {
        // one row above 127 sends its block of 4 rows down the exact path, the others stay fast
        Random r = new Random(7);
        int m = 130;
        int n = 70;
        int k = 515;
        byte[] a = activations(r, m * k, 0);
        a[37 * k + 11] = (byte) 200;
        a[129 * k] = (byte) 255;
        byte[] w = weights(r, n * k, 0);
        int[] want = new int[m * n];
        Int8GemmReference.gemm(m, n, k, a, 0, w, want);
        int[] got = new int[m * n];
        Int8Gemm.gemm(m, a, 0, PackedInt8Weights.pack(w, n, k), got);
        assertArrayEquals(want, got);
    }

    @Test
    void rowSumsAndBadArguments() {
        byte[] w = {1, -2, 3, 127, -128, 0};
        PackedInt8Weights pw = PackedInt8Weights.pack(w, 2, 3);
        assertArrayEquals(new int[] {2, -1}, pw.rowSums());
        assertEquals(2, pw.n());
        assertEquals(3, pw.k());
        assertThrows(IllegalArgumentException.class, () -> PackedInt8Weights.pack(w, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> Int8Gemm.gemm(2, new byte[5], 0, pw, new int[4]));
        assertThrows(IllegalArgumentException.class, () -> Int8Gemm.gemm(2, new byte[6], 0, pw, new int[3]));
        Int8Gemm.gemm(0, new byte[0], 0, pw, new int[0]);
    }
}
