package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fast GEMM kernels vs {@link GemmReference} on awkward sizes (tails of every tile and block size),
 * both orientations of each operand, offsets, leading dims wider than the rows, alpha/beta and k = 0.
 * Every case runs the router ({@link GemmKernels#sgemm}) and both paths of {@link GemmF32} forced.
 *
 * <p>Tolerance: the kernels sum in a different order than the reference, so each element may differ by
 * float rounding of a k-term sum; we allow {@code 2e-5 * (|alpha| * sum_p |A_ip B_pj| + |beta C_ij|) + 1e-6},
 * about 100x the typical sqrt(k) * 2^-23 relative error for the k <= 520 used here.
 */
class GemmConformanceTest {
    private static final int[] SIZES = {1, 7, 17, 33};
    private static int savedThreads;

    @BeforeAll
    static void twoThreads() {
        savedThreads = Parallel.numThreads();
        Parallel.setNumThreads(2); // exercise the parallel splits even on a one-core CI machine
    }

    @AfterAll
    static void restoreThreads() {
        Parallel.setNumThreads(savedThreads);
    }

    /** The f32 entry points under test (PACKED: B packed once by GemmKernels.packB, then the prepacked product). */
    private enum Path {
        ROUTER,
        BLOCKED,
        DIRECT,
        PACKED
    }

    /** Every register tile (6 and 12 rows for 32-register machines, 4 for AVX2), whichever this CPU routes to. */
    @Test
    void everyRegisterTileMatchesTheReference() {
        Random rnd = new Random(3);
        int nr = GemmF32.NR;
        int kc = 37;
        for (int mr : new int[] {6, 12, 4}) {
            float[] ap = new float[mr * kc]; // packed A: [p][r]
            float[] bp = new float[kc * nr]; // packed B: [p][j]
            for (int i = 0; i < ap.length; i++) {
                ap[i] = rnd.nextFloat() - 0.5f;
            }
            for (int i = 0; i < bp.length; i++) {
                bp[i] = rnd.nextFloat() - 0.5f;
            }
            int ldc = nr + 3;
            float[] c = new float[mr * ldc];
            for (boolean accumulate : new boolean[] {false, true}) {
                java.util.Arrays.fill(c, 0.25f);
                GemmF32.tile(mr, kc, ap, 0, bp, 0, c, 0, ldc, accumulate);
                for (int r = 0; r < mr; r++) {
                    for (int j = 0; j < ldc; j++) {
                        double want = j < nr ? (accumulate ? 0.25 : 0) : 0.25; // columns past the tile untouched
                        for (int p = 0; p < kc && j < nr; p++) {
                            want += (double) ap[p * mr + r] * bp[p * nr + j];
                        }
                        assertEquals(want, c[r * ldc + j], 1e-5, "tile " + mr + " row " + r + " col " + j);
                    }
                }
            }
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> GemmF32.tile(5, 1, new float[5], 0, new float[nr], 0, new float[5 * nr], 0, nr, false));
    }

    /** The 6-row tile that reads A's rows in place (blocked path, row-major A, alpha 1) equals the packed one. */
    @Test
    void sixRowTileReadingARowsInPlaceMatchesTheReference() {
        Random rnd = new Random(4);
        int nr = GemmF32.NR;
        int kc = 41;
        int lda = kc + 5;
        int aOff = 3;
        float[] a = new float[aOff + 6 * lda];
        float[] bp = new float[kc * nr];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        for (int i = 0; i < bp.length; i++) {
            bp[i] = rnd.nextFloat() - 0.5f;
        }
        int ldc = nr + 2;
        float[] c = new float[6 * ldc];
        for (boolean accumulate : new boolean[] {false, true}) {
            java.util.Arrays.fill(c, -0.5f);
            GemmF32.tile6x2Rows(kc, a, aOff, lda, bp, 0, c, 0, ldc, accumulate);
            for (int r = 0; r < 6; r++) {
                for (int j = 0; j < ldc; j++) {
                    double want = j < nr ? (accumulate ? -0.5 : 0) : -0.5;
                    for (int p = 0; p < kc && j < nr; p++) {
                        want += (double) a[aOff + r * lda + p] * bp[p * nr + j];
                    }
                    assertEquals(want, c[r * ldc + j], 1e-5, "row " + r + " col " + j + " accumulate " + accumulate);
                }
            }
        }
    }

    @Test
    void smallSizesAllOrientationsAllPaths() {
        Random rnd = new Random(1);
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    for (int t = 0; t < 4; t++) {
                        for (Path path : Path.values()) {
                            check(rnd, path, t >= 2, (t & 1) == 1, m, n, k, 1f, 0f, 0, 0);
                        }
                    }
                }
            }
        }
    }

    @Test
    void largerSizesCrossBlockBoundaries() {
        Random rnd = new Random(2);
        // 257: past KC = 256 and odd against every tile; 520 = 2 KC slices + a tail; n = 4200 > NC
        int[][] shapes = {
            {257, 257, 257},
            {257, 33, 300},
            {33, 257, 520},
            {40, 4200, 20},
            {1, 1024, 300},
            {300, 5, 64},
            {130, 64, 7},
            {64, 512, 96},
            {70, 1100, 24}, // one row block, 35 panels: the threads split the columns, two panel groups each
            {143, 400, 260}, // 13 panels: 132 rows packed for the 12-row tile, 6 in place, an edge of 5
            {50, 96, 16}, // shallow: 6 x 4-vector tiles over a pair of panels, then a single panel; an edge of 2
            {45, 70, 1300} // deep, small C: the router's two depth halves (1300 = 768 + 532)
        };
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                for (Path path : Path.values()) {
                    check(rnd, path, t >= 2, (t & 1) == 1, s[0], s[1], s[2], 1f, 0f, 0, 0);
                }
            }
        }
    }

    @Test
    void offsetsWideLeadingDimsAlphaBeta() {
        Random rnd = new Random(3);
        float[][] alphaBeta = {{0.5f, 2f}, {-1.5f, 1f}, {1f, -0.25f}, {2f, 0f}};
        int[][] shapes = {
            {7, 17, 33},
            {33, 7, 17},
            {17, 33, 1},
            {67, 45, 260},
            {5, 70, 9},
            {70, 1100, 24},
            {37, 40, 1030},
            {40, 45, 300} // 8-row tiles (40 rows), an edge panel, two depth slices
        };
        for (int[] s : shapes) {
            for (float[] ab : alphaBeta) {
                for (int t = 0; t < 4; t++) {
                    for (Path path : Path.values()) {
                        check(rnd, path, t >= 2, (t & 1) == 1, s[0], s[1], s[2], ab[0], ab[1], 5, 3);
                    }
                }
            }
        }
    }

    @Test
    void zeroDepthScalesC() {
        Random rnd = new Random(4);
        for (float beta : new float[] {0f, 1f, 0.5f}) {
            check(rnd, Path.ROUTER, false, false, 7, 9, 0, 1f, beta, 2, 1);
            check(rnd, Path.ROUTER, true, true, 7, 9, 0, 1f, beta, 0, 0);
        }
        check(rnd, Path.ROUTER, false, true, 40, 40, 300, 0f, 0.5f, 0, 0); // alpha = 0: C = beta * C
    }

    @Test
    void betaZeroOverwritesNaN() {
        for (Path path : Path.values()) {
            float[] a = {1, 2, 3, 4};
            float[] b = {1, 0, 0, 1};
            float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
            run(path, false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
            assertEquals(List.of(1f, 2f, 3f, 4f), List.of(c[0], c[1], c[2], c[3]), path.toString());
        }
    }

    @Test
    void prepackedRowsGiveTheSameBitsHoweverTheRowsAreSplit() {
        // the recurrent kernels split a step's batch rows between threads and rely on this
        // (512 columns: A packed for the 12-row tile, the rows past the last 12 read in place by 6- or 8-row tiles
        // or packed as an edge: every kind of tile meets every other across the splits)
        Random rnd = new Random(6);
        int n = 512;
        int k = 300;
        for (int m : new int[] {32, 64, 150}) {
            float[] a = random(rnd, m * k);
            float[] b = random(rnd, n * k);
            GemmKernels.PackedB pb = GemmKernels.packB(true, k, n, b, 0, k);
            float[] whole = new float[m * n];
            GemmKernels.sgemm(false, m, 1f, a, 0, k, pb, 0f, whole, 0, n);
            for (int split : new int[] {1, 5, 16, 31}) {
                float[] parts = new float[m * n];
                GemmKernels.sgemm(false, split, 1f, a, 0, k, pb, 0f, parts, 0, n);
                GemmKernels.sgemm(false, m - split, 1f, a, split * k, k, pb, 0f, parts, split * n, n);
                assertArrayEquals(whole, parts, m + " rows split at row " + split);
            }
        }
    }

    @Test
    void fewRowsOverDeepNarrowPackedProductsRunAsTwoDepthHalvesWhateverTheThreadCount() {
        // 49 x 512 x 2048 (ResNet-50's 2048 -> 512 at 7 x 7), 49 x 160 x 960 (MobileNetV2's 960 -> 160): too few
        // panels for the column split; the result is (bias + R + A_0 B_0) + A_1 B_1 with the halves at a slice
        // boundary, on one thread or two
        assertTrue(GemmF32.splitsPackedDepth(49, 512, 2048));
        assertTrue(GemmF32.splitsPackedDepth(49, 160, 960));
        assertFalse(GemmF32.splitsPackedDepth(49, 800, 2048)); // columns split instead
        assertFalse(GemmF32.splitsPackedDepth(150, 512, 2048)); // rows split instead
        assertFalse(GemmF32.splitsPackedDepth(49, 512, 300)); // one slice and a bit
        Random rnd = new Random(9);
        int threadsBefore = Parallel.numThreads();
        try {
            for (int[] mnk : new int[][] {{49, 512, 2048}, {49, 160, 960}, {20, 96, 700}}) {
                int m = mnk[0];
                int n = mnk[1];
                int k = mnk[2];
                assertTrue(GemmF32.splitsPackedDepth(m, n, k), Arrays.toString(mnk));
                float[] a = random(rnd, m * k);
                float[] b = random(rnd, n * k);
                float[] bias = random(rnd, n);
                float[] residual = random(rnd, m * n);
                int k0 = ((k + GemmF32.KC - 1) / GemmF32.KC + 1) / 2 * GemmF32.KC;
                float[] expected = new float[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        expected[i * n + j] = bias[j] + residual[i * n + j];
                    }
                }
                GemmKernels.sgemm(false, m, 1f, a, 0, k, GemmKernels.packB(true, k0, n, b, 0, k), 1f, expected, 0, n);
                float[] second = new float[m * n];
                GemmKernels.sgemm(
                        false, m, 1f, a, k0, k, GemmKernels.packB(true, k - k0, n, b, k0, k), 0f, second, 0, n);
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = Math.min(Math.max(expected[i] + second[i], -0.5f), 6f);
                }
                GemmKernels.PackedB pb = GemmKernels.packB(true, k, n, b, 0, k);
                for (int threads : new int[] {1, 2}) {
                    Parallel.setNumThreads(threads);
                    float[] c = new float[m * n];
                    GemmKernels.sgemmParallel(m, a, 0, k, pb, bias, 0, residual, 0, -0.5f, 6f, c, 0, n);
                    assertArrayEquals(expected, c, Arrays.toString(mnk) + " on " + threads + " threads");
                }
                float[] noEpilogue = new float[m * n];
                GemmKernels.sgemmParallel(
                        m,
                        a,
                        0,
                        k,
                        pb,
                        null,
                        0,
                        null,
                        0,
                        Float.NEGATIVE_INFINITY,
                        Float.POSITIVE_INFINITY,
                        noEpilogue,
                        0,
                        n);
                double worst = 0;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double ref = 0;
                        for (int p = 0; p < k; p++) {
                            ref += (double) a[i * k + p] * b[j * k + p];
                        }
                        worst = Math.max(worst, Math.abs(ref - noEpilogue[i * n + j]));
                    }
                }
                // k products of terms in [-1, 1]: float32 rounding of sums ~15 in magnitude
                assertTrue(worst < 1e-3, "max abs error " + worst + " against a double sum");
            }
        } finally {
            Parallel.setNumThreads(threadsBefore);
        }
    }

    @Test
    void parallelPrepackedProductGivesTheBitsOfTheSerialOneForAnySplit() {
        // rows split between the threads (150 rows), or columns (49 rows, 25 or 60 panels: wide enough for the
        // 12-row tile in each thread's group); the epilogue (bias + residual, then the clamp) the serial way
        Random rnd = new Random(8);
        int k = 300;
        for (int[] mn : new int[][] {{150, 400}, {49, 800}, {49, 1920}, {7, 800}}) {
            int m = mn[0];
            int n = mn[1];
            float[] a = random(rnd, m * k);
            float[] b = random(rnd, n * k);
            float[] bias = random(rnd, n);
            float[] residual = random(rnd, m * n);
            GemmKernels.PackedB pb = GemmKernels.packB(true, k, n, b, 0, k);
            float[] parallel = new float[m * n];
            GemmKernels.sgemmParallel(m, a, 0, k, pb, bias, 0, residual, 0, -0.5f, 6f, parallel, 0, n);
            float[] serial = new float[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    serial[i * n + j] = bias[j] + residual[i * n + j];
                }
            }
            GemmKernels.sgemm(false, m, 1f, a, 0, k, pb, 1f, serial, 0, n);
            for (int i = 0; i < serial.length; i++) {
                serial[i] = Math.min(Math.max(serial[i], -0.5f), 6f);
            }
            assertArrayEquals(serial, parallel, m + " x " + n);
        }
    }

    @Test
    void prepackedProductChecksItsOperands() {
        GemmKernels.PackedB pb = GemmKernels.packB(false, 3, 4, new float[12], 0, 4);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> GemmKernels.sgemm(false, 2, 1f, new float[5], 0, 3, pb, 0f, new float[8], 0, 4));
        assertTrue(e.getMessage().contains("operand A"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GemmKernels.packB(true, 3, 4, new float[11], 0, 3));
    }

    @Test
    void emptyOutputTouchesNothing() {
        float[] c = {42f};
        GemmKernels.sgemm(false, false, 0, 1, 3, 1f, new float[0], 0, 3, new float[3], 0, 1, 0f, c, 0, 1);
        GemmKernels.sgemm(false, false, 1, 0, 3, 1f, new float[3], 0, 3, new float[0], 0, 0, 0f, c, 0, 0);
        assertEquals(42f, c[0]);
    }

    @Test
    void dgemmMatchesReference() {
        Random rnd = new Random(5);
        int[][] shapes = {{1, 1, 1}, {7, 17, 33}, {33, 1, 7}, {40, 50, 300}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = t >= 2;
                boolean tb = (t & 1) == 1;
                int m = s[0];
                int n = s[1];
                int k = s[2];
                int lda = (ta ? m : k) + 2;
                int ldb = (tb ? k : n) + 1;
                double[] a = randomD(rnd, 3 + (ta ? k : m) * lda);
                double[] b = randomD(rnd, 1 + (tb ? n : k) * ldb);
                double[] c = randomD(rnd, 2 + m * (n + 3));
                double[] want = c.clone();
                GemmKernels.dgemm(ta, tb, m, n, k, 0.75, a, 3, lda, b, 1, ldb, -0.5, c, 2, n + 3);
                GemmReference.dgemm(ta, tb, m, n, k, 0.75, a, 3, lda, b, 1, ldb, -0.5, want, 2, n + 3);
                for (int i = 0; i < c.length; i++) {
                    assertEquals(want[i], c[i], 1e-12 * (k + 1), "dgemm " + m + "x" + n + "x" + k + " t=" + t);
                }
            }
        }
    }

    @Test
    void badArgumentsNameTheProblem() {
        float[] a = new float[6];
        var e1 = assertThrows(
                IllegalArgumentException.class,
                () -> GemmKernels.sgemm(false, false, -1, 2, 3, 1f, a, 0, 3, a, 0, 2, 0f, a, 0, 2));
        assertTrue(e1.getMessage().contains("sgemm") && e1.getMessage().contains("m=-1"), e1.getMessage());
        var e2 = assertThrows(
                IllegalArgumentException.class,
                () -> GemmKernels.sgemm(false, false, 2, 3, 3, 1f, a, 0, 3, a, 0, 3, 0f, new float[6], 0, 3));
        assertTrue(e2.getMessage().contains("operand B") && e2.getMessage().contains("length 6"), e2.getMessage());
        var e3 = assertThrows(
                IllegalArgumentException.class,
                () -> GemmKernels.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, a, 0, 2, 0f, a, 0, 2));
        assertTrue(e3.getMessage().contains("operand A") && e3.getMessage().contains("leading dim 2"), e3.getMessage());
        var e4 = assertThrows(
                IllegalArgumentException.class,
                () -> GemmKernels.dgemm(
                        true, false, 2, 2, 2, 1, new double[4], 1, 2, new double[4], 0, 2, 0, new double[4], 0, 2));
        assertTrue(e4.getMessage().contains("dgemm") && e4.getMessage().contains("offset 1"), e4.getMessage());
    }

    /**
     * Runs one case: A and B stored (transposed if asked) at offset {@code off} with leading dims
     * {@code pad} wider than their rows, C likewise, random contents; compares with the reference.
     */
    private static void check(
            Random rnd,
            Path path,
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            float alpha,
            float beta,
            int off,
            int pad) {
        int lda = (ta ? m : k) + pad;
        int ldb = (tb ? k : n) + pad;
        int ldc = n + pad;
        float[] a = random(rnd, off + Math.max(1, ta ? k : m) * Math.max(lda, 1));
        float[] b = random(rnd, off + Math.max(1, tb ? n : k) * Math.max(ldb, 1));
        float[] c = random(rnd, off + m * ldc);
        float[] want = c.clone();
        float[] bound = abs(c);
        run(path, ta, tb, m, n, k, alpha, a, off, Math.max(lda, 1), b, off, Math.max(ldb, 1), beta, c, off, ldc);
        GemmReference.sgemm(
                ta, tb, m, n, k, alpha, a, off, Math.max(lda, 1), b, off, Math.max(ldb, 1), beta, want, off, ldc);
        GemmReference.sgemm(
                ta,
                tb,
                m,
                n,
                k,
                Math.abs(alpha),
                abs(a),
                off,
                Math.max(lda, 1),
                abs(b),
                off,
                Math.max(ldb, 1),
                Math.abs(beta),
                bound,
                off,
                ldc);
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < c.length; i++) {
            float tol = 2e-5f * bound[i] + 1e-6f;
            if (!(Math.abs(c[i] - want[i]) <= tol)) {
                bad.add("[" + i + "] " + c[i] + " vs " + want[i]);
            }
        }
        if (!bad.isEmpty()) {
            fail(path + " " + (ta ? "A^T" : "A") + " @ " + (tb ? "B^T" : "B") + " m=" + m + " n=" + n + " k=" + k
                    + " alpha=" + alpha + " beta=" + beta + " off=" + off + " pad=" + pad + ": " + bad.size()
                    + " wrong, e.g. " + bad.subList(0, Math.min(5, bad.size())));
        }
    }

    private static void run(
            Path path,
            boolean ta,
            boolean tb,
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
        switch (path) {
            case ROUTER -> GemmKernels.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            case BLOCKED -> GemmF32.blocked(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            case DIRECT -> GemmF32.direct(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            case PACKED ->
                GemmKernels.sgemm(
                        ta, m, alpha, a, aOff, lda, GemmKernels.packB(tb, k, n, b, bOff, ldb), beta, c, cOff, ldc);
        }
    }

    private static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    private static double[] randomD(Random rnd, int len) {
        double[] x = new double[len];
        for (int i = 0; i < len; i++) {
            x[i] = rnd.nextDouble() * 2 - 1;
        }
        return x;
    }

    private static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.abs(x[i]);
        }
        return y;
    }
}
