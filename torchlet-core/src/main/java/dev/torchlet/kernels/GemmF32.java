package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast float32 GEMM behind {@link GemmKernels#sgemm}: same contract ({@code C = alpha * op(A) @ op(B) + beta * C},
 * row-major, either operand transposed in place).
 *
 * <p>Large products take the blocked path (Goto/BLIS): for each NC-wide column block and KC-deep slice,
 * op(B) is packed once into NR-wide panels (shared by all threads), each thread packs its MC-row blocks of
 * op(A) (times alpha) into MR-row panels and runs the MR x NR register tile over them. With at most MC rows the
 * threads split the panels instead, each packing its own (1.3-2x on 16-144 rows, tools/bench/GemmAB.java).
 * A row-major A with alpha 1 is not packed where the 6-row tile is used: the tile reads its six rows in place.
 * The tile keeps MR x 2 vector accumulators in registers (6 x 32 floats with AVX-512's 32 registers, 4 x 16
 * with AVX2's 16), so each depth step does 2 vector loads + MR broadcasts for 2*MR FMAs.
 * A B panel (KC x NR) stays in L1 while the MC x KC block of A streams from L2. Edge tiles are computed
 * in full on the zero-padded panels into a scratch tile and merged element by element.
 *
 * <p>Small products (and GEMV-like shapes) take the direct path: no packing, a few rows times two
 * vectors of columns straight from the operands (the right edge through a zero-padded copy), or, when op(B) is stored
 * transposed, vectorized dot products along k.
 */
final class GemmF32 {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int VL = S.length();
    /**
     * Register tile: MR rows x NR = 2 vectors of columns. With 32 vector registers (AVX-512): 6 rows, 12
     * accumulators. Measured on Zen 5 (AVX-512, 1024^3, one thread): 6 rows ~193 GFLOP/s, 8 rows ~188, 12
     * rows ~176; on L1-resident panels all three reach ~238 (peak ~239). With AVX2's 16 registers: 4 rows.
     * C2 hoists the broadcasts of A, so 12 accumulators + 2 B vectors + 3 broadcasts do not fit and one
     * accumulator lives on the stack: on Zen 4 (AVX2 only, L1-resident panels, one thread) the 6-row tile
     * ran at 40 GFLOP/s, 4 and 5 rows at 85 (peak ~90).
     */
    static final int MR = Simd.VECTOR_REGISTERS >= 32 ? 6 : 4;
    /**
     * The second tile height with 32 registers (16 accumulators), for blocks whose row count is a multiple of 8 and
     * not of 6: a recurrent step's 16 batch rows per thread ran as 6 + 6 + a 4-row edge tile at the cost of a full one.
     */
    static final int ROWS8 = 8;
    /**
     * Rows of the widest tile (24 accumulators; AVX-512's 32 registers), over A packed into 12-row panels: per depth
     * step 2 loads of B and 12 broadcasts feed 24 FMAs. The 6-row tile over rows of A in place ran at 60-75% of the
     * FMA peak on a 2-FMA-port Xeon (A's rows 4 KB apart, 6 row pointers), this one at 90%.
     */
    static final int ROWS12 = 12;
    /**
     * {@link #macroRowsOfA} packs A for the 12-row tile when the columns span at least this many panels of B: the
     * packing pass costs about as much as the faster tile saves over 8 panels (784 x 256 x 1152: 1.00x), 1.08-1.14x
     * from 16 panels up (784 x 512 x 1152, 1024^3, 196 x 1024 x 256), 0.84x over 4.
     */
    static final int PACK_A_MIN_PANELS = 12;
    /**
     * Deepest slice for which {@link #rowsInPlace} runs two panels of B at a time ({@link #tile6x4Rows}): their 2 *
     * kc * NR floats (32 KB at 128) stay in L1 with the rows of A.
     */
    static final int PAIR_MAX_KC = 128;

    static final int NR = 2 * VL;
    /** Depth of a packed slice: a KC x NR panel of B (KC*NR*4 bytes = 32 KB at 512 bits) stays in L1. */
    static final int KC = 256;
    /** Rows of A per block (a multiple of both tile heights): MC x KC floats (144 KB) stay in L2. */
    static final int MC = 144;
    /** B panels a thread packs and then uses at a time when the threads split the columns (512 KB at KC 256). */
    static final int PANEL_GROUP = 16;
    /** Columns per B block. */
    static final int NC = NR * 128;
    /** Products up to this many multiply-adds use the direct (unpacked) path when B is not transposed... */
    static final long DIRECT_AXPY_MACS = 1L << 20;
    /** ... and below this many when it is. */
    static final long DIRECT_DOT_MACS = 1L << 15;
    /**
     * Products at least this deep, with few row blocks and a small C, run as two depth halves (see
     * blockedInDepthHalves). GemmAB, 2 threads, A transposed: 256x1024x2048 1.09x, 768x256x2048 1.06x,
     * 256x256x2048 1.09x, 512x512x1024 1.05x, but 1024x256x2048 (8 row blocks) 0.95x.
     */
    static final int SPLIT_DEPTH_MIN_K = 4 * KC;
    /** ... at most this many rows (6 row blocks; with more, the threads share rows well) ... */
    static final int SPLIT_DEPTH_MAX_M = 6 * MC;
    /** ... and C at most this many elements (the second half's scratch: 1 MB). */
    static final long SPLIT_DEPTH_MAX_MN = 1L << 18;
    /**
     * A prepacked product with at most this many rows splits the columns between the threads ({@link
     * #sgemmPackedParallel}).
     */
    static final int SPLIT_COLUMNS_MAX_M = 64;
    /** Work below this many multiply-adds stays on the calling thread... */
    static final long PARALLEL_MACS = 1L << 20;
    /**
     * ... unless B has at least this many elements (1 MB) on the direct path: a few rows times a large B (a
     * classifier at batch 1) is bound by reading B, from memory inside a model, and two threads read it faster.
     */
    static final long PARALLEL_DIRECT_B = 1L << 18;

    private static final ThreadLocal<float[]> A_PACK = ThreadLocal.withInitial(() -> new float[MC * KC]);
    private static final ThreadLocal<float[]> B_PACK = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[ROWS12 * NR]);
    private static final ThreadLocal<float[]> DEPTH_HALF = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> B_PANEL = ThreadLocal.withInitial(() -> new float[0]);

    private GemmF32() {}

    static void sgemm(
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
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (isDirect(transB, m, n, k)) {
            direct(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else if (k >= SPLIT_DEPTH_MIN_K && m <= SPLIT_DEPTH_MAX_M && (long) m * n <= SPLIT_DEPTH_MAX_MN) {
            blockedInDepthHalves(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            blocked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /**
     * Whether sgemm takes the direct (unpacked) path for these sizes. Measured crossovers (Zen 5, one thread): the
     * direct axpy tiles beat packing up to ~100^3 when n fills whole tiles; the dot-product path only wins for a
     * few rows (GEMV-like x @ W^T) or tiny sizes.
     */
    static boolean isDirect(boolean transB, int m, int n, int k) {
        long macs = (long) m * n * k;
        if (m <= 4 || n < VL) {
            return true;
        } else if (transB) {
            return m <= 8 || macs < DIRECT_DOT_MACS;
        } else {
            return n >= NR && macs <= DIRECT_AXPY_MACS;
        }
    }

    /** Whether the blocked path runs as two depth halves ({@link #blockedInDepthHalves}) for these sizes. */
    static boolean splitsDepth(int m, int n, int k) {
        return k >= SPLIT_DEPTH_MIN_K && m <= SPLIT_DEPTH_MAX_M && (long) m * n <= SPLIT_DEPTH_MAX_MN;
    }

    /**
     * C = clamp(A @ B + bias + R, lo, hi) with B prepacked ({@link #sgemmPacked}), bias (on every row), the
     * residual R (stored like C) and the clamp optional (null, infinite bounds), the rows of C split between the
     * threads: blocks of rows (their count a multiple of the thread count) claimed one at a time, each a product of
     * its own over the shared packed B. A block's rows get bias + R just before its product and are clamped right
     * after it, while they are in cache (filled for all rows first, the bias copy was a pass of its own, 6 MB for a
     * MiniLM feed-forward layer). Row i of C gets the same bits however the rows are split; without R and clamp,
     * the bits of the blocked path after a bias prefill.
     */
    static void sgemmPackedParallel(
            int m,
            float[] a,
            int aOff,
            int lda,
            GemmKernels.PackedB b,
            float[] bias,
            int biasOff,
            float[] residual,
            int residualOff,
            float lo,
            float hi,
            float[] c,
            int cOff,
            int ldc) {
        int n = b.n();
        if (splitsPackedDepth(m, n, b.k())) {
            packedInDepthHalves(m, a, aOff, lda, b, bias, biasOff, residual, residualOff, lo, hi, c, cOff, ldc);
            return;
        }
        Parallel.RangeBody rows = (i0, i1) -> sgemmPackedRows(
                i1 - i0,
                a,
                aOff + i0 * lda,
                lda,
                b,
                bias,
                biasOff,
                residual,
                residualOff + i0 * ldc,
                lo,
                hi,
                c,
                cOff + i0 * ldc,
                ldc);
        int threads = (long) m * n * b.k() < PARALLEL_MACS ? 1 : Parallel.numThreads();
        if (threads == 1) {
            rows.run(0, m);
            return;
        }
        int panels = ceilDiv(n, NR);
        if (MR == 6 && m <= SPLIT_COLUMNS_MAX_M && panels >= threads * PACK_A_MIN_PANELS) {
            // few rows (a 7 x 7 image's 49): halves of the rows were 30 and 19 rows, one thread waiting a third of
            // the product; the threads take groups of panels instead, every row each, each group wide enough for
            // the 12-row tile (narrower groups ran the 6-row tile: 0.75-0.85x)
            int chunksPerThread = panels / (threads * PACK_A_MIN_PANELS);
            Parallel.forRangeDynamic(
                    panels,
                    chunksPerThread,
                    (s, e) -> sgemmPackedColumns(
                            m,
                            a,
                            aOff,
                            lda,
                            b,
                            bias,
                            biasOff,
                            residual,
                            residualOff,
                            lo,
                            hi,
                            c,
                            cOff,
                            ldc,
                            s * NR,
                            Math.min(n, e * NR)));
            return;
        }
        int mBlocks = roundUp(ceilDiv(m, MC), threads);
        int mc = Math.min(MC, roundUp(ceilDiv(m, mBlocks), MR));
        int blocks = ceilDiv(m, mc);
        Parallel.forRangeDynamic(blocks, blocks, (s, e) -> {
            for (int blk = s; blk < e; blk++) {
                rows.run(blk * mc, Math.min(m, (blk + 1) * mc));
            }
        });
    }

    /**
     * Whether {@link #sgemmPackedParallel} runs a prepacked product as two depth halves ({@link
     * #packedInDepthHalves}): few rows (a 7 x 7 image's 49), too few panels of B for two threads to take twelve each
     * (the column split), at least two depth slices, and work enough for two threads. By shape alone, so the bits do
     * not depend on the thread count.
     */
    static boolean splitsPackedDepth(int m, int n, int k) {
        return m <= SPLIT_COLUMNS_MAX_M
                && ceilDiv(n, NR) < 2 * PACK_A_MIN_PANELS
                && k >= 2 * KC
                && (long) m * n * k >= PARALLEL_MACS;
    }

    /**
     * C = clamp((bias + R + A_0 B_0) + A_1 B_1, lo, hi) for a prepacked B: the first half of B's depth slices on one
     * thread into C (which starts at bias + R), the second on the other into a scratch, added after. Split by rows
     * instead, a 49-row product ran as 30 rows against 19 (ResNet-50's 2048 -> 512 and MobileNetV2's 960 -> 160 1x1
     * convolutions at 7 x 7) and each thread read all of B; here the halves are equal and each reads half of B.
     * Always two halves, whatever the thread count (with more than two, the others wait).
     */
    private static void packedInDepthHalves(
            int m,
            float[] a,
            int aOff,
            int lda,
            GemmKernels.PackedB b,
            float[] bias,
            int biasOff,
            float[] residual,
            int residualOff,
            float lo,
            float hi,
            float[] c,
            int cOff,
            int ldc) {
        int n = b.n();
        int kSlices = ceilDiv(b.k(), KC);
        int firstSlices = (kSlices + 1) / 2;
        float[] partial = DEPTH_HALF.get();
        if (partial.length < m * n) {
            partial = new float[m * n];
            DEPTH_HALF.set(partial);
        }
        float[] second = partial;
        Parallel.forRange(2, 1, (s, e) -> {
            for (int half = s; half < e; half++) {
                if (half == 0) {
                    float beta = startRows(m, 0, n, bias, biasOff, residual, residualOff, c, cOff, ldc);
                    sgemmPacked(false, m, 1f, a, aOff, lda, b, beta, c, cOff, ldc, 0, n, 0, firstSlices);
                } else {
                    sgemmPacked(false, m, 1f, a, aOff, lda, b, 0f, second, 0, n, 0, n, firstSlices, kSlices);
                }
            }
        });
        boolean clamps = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        for (int i = 0; i < m; i++) {
            BinaryKernels.addInPlace(c, cOff + i * ldc, second, i * n, n);
            if (clamps) {
                clampRow(n, lo, hi, c, cOff + i * ldc);
            }
        }
    }

    /**
     * {@link #sgemmPackedRows} for columns [j0, j1) of C only (j0 a multiple of NR), every row, on the calling
     * thread: each element gets the same bits as there (its tile sums over the depth in the same order).
     */
    private static void sgemmPackedColumns(
            int m,
            float[] a,
            int aOff,
            int lda,
            GemmKernels.PackedB b,
            float[] bias,
            int biasOff,
            float[] residual,
            int residualOff,
            float lo,
            float hi,
            float[] c,
            int cOff,
            int ldc,
            int j0,
            int j1) {
        int width = j1 - j0;
        float beta = startRows(m, j0, j1, bias, biasOff, residual, residualOff, c, cOff, ldc);
        sgemmPacked(false, m, 1f, a, aOff, lda, b, beta, c, cOff, ldc, j0, j1, 0, ceilDiv(b.k(), KC));
        if (lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY) {
            for (int i = 0; i < m; i++) {
                clampRow(width, lo, hi, c, cOff + i * ldc + j0);
            }
        }
    }

    /**
     * C = clamp(A @ B + bias + R, lo, hi) for m rows on the calling thread ({@link #sgemmPackedParallel}'s block of
     * rows: each row gets the same bits as there): rows start as bias + R, the product accumulates, the clamp follows.
     */
    static void sgemmPackedRows(
            int m,
            float[] a,
            int aOff,
            int lda,
            GemmKernels.PackedB b,
            float[] bias,
            int biasOff,
            float[] residual,
            int residualOff,
            float lo,
            float hi,
            float[] c,
            int cOff,
            int ldc) {
        sgemmPackedColumns(m, a, aOff, lda, b, bias, biasOff, residual, residualOff, lo, hi, c, cOff, ldc, 0, b.n());
    }

    /**
     * Columns [j0, j1) of C's rows [0, m) start at bias + R (R stored like C), either null for zero; returns the beta
     * the product then accumulates with: 1, or 0 when there is neither (C is then left as it was).
     */
    private static float startRows(
            int m,
            int j0,
            int j1,
            float[] bias,
            int biasOff,
            float[] residual,
            int residualOff,
            float[] c,
            int cOff,
            int ldc) {
        if (bias == null && residual == null) {
            return 0f;
        }
        for (int i = 0; i < m; i++) {
            startRow(j1 - j0, bias, biasOff + j0, residual, residualOff + i * ldc + j0, c, cOff + i * ldc + j0);
        }
        return 1f;
    }

    /** c[cOff..+n) = bias[biasOff..+n) (+ residual[residualOff..+n)); either may be null (then zero). */
    private static void startRow(
            int n, float[] bias, int biasOff, float[] residual, int residualOff, float[] c, int cOff) {
        if (residual == null) {
            System.arraycopy(bias, biasOff, c, cOff, n);
        } else if (bias == null) {
            System.arraycopy(residual, residualOff, c, cOff, n);
        } else {
            int j = 0;
            for (int upper = S.loopBound(n); j < upper; j += VL) {
                FloatVector.fromArray(S, bias, biasOff + j)
                        .add(FloatVector.fromArray(S, residual, residualOff + j))
                        .intoArray(c, cOff + j);
            }
            for (; j < n; j++) {
                c[cOff + j] = bias[biasOff + j] + residual[residualOff + j];
            }
        }
    }

    /** c[cOff..+n) = min(max(c, lo), hi); NaN stays NaN. */
    private static void clampRow(int n, float lo, float hi, float[] c, int cOff) {
        int j = 0;
        for (int upper = S.loopBound(n); j < upper; j += VL) {
            FloatVector.fromArray(S, c, cOff + j)
                    .lanewise(VectorOperators.MAX, lo)
                    .lanewise(VectorOperators.MIN, hi)
                    .intoArray(c, cOff + j);
        }
        for (; j < n; j++) {
            c[cOff + j] = Math.min(Math.max(c[cOff + j], lo), hi);
        }
    }

    /**
     * A deep product with a small C (a weight gradient dY^T X summed over 2048 tokens) as two blocked products over
     * the two halves of the depth, one per thread, each with its own packed panels: C = (A_0 B_0 + beta C) + A_1 B_1.
     * Split by rows instead, both threads met twice per depth slice of 256 and each read the B panels the other
     * packed. Always two halves, whatever the thread count, so the result does not depend on it. The halves are
     * equal (to a multiple of 16): rounded up to whole KC slices, the LSTM's 1600-deep weight gradients split
     * 1024 + 576 and the second thread idled 40% of the product (GemmAB, 2 threads, 512x128x1600 A transposed: 1.21x
     * with equal halves, 512x32x1600 1.13x, 128x512x1600 1.14x).
     */
    private static void blockedInDepthHalves(
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
        int k0 = roundUp(ceilDiv(k, 2), 16);
        float[] partial = DEPTH_HALF.get();
        if (partial.length < m * n) {
            partial = new float[m * n];
            DEPTH_HALF.set(partial);
        }
        float[] second = partial;
        Parallel.forRange(2, 1, (s, e) -> {
            for (int half = s; half < e; half++) {
                if (half == 0) {
                    blocked(transA, transB, m, n, k0, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                } else {
                    int aSecond = aOff + (transA ? k0 * lda : k0);
                    int bSecond = bOff + (transB ? k0 : k0 * ldb);
                    blocked(transA, transB, m, n, k - k0, alpha, a, aSecond, lda, b, bSecond, ldb, 0f, second, 0, n);
                }
            }
        });
        if (ldc == n) {
            BinaryKernels.addInPlace(c, cOff, second, 0, m * n);
        } else {
            for (int i = 0; i < m; i++) {
                BinaryKernels.addInPlace(c, cOff + i * ldc, second, i * n, n);
            }
        }
    }

    /** C = beta * C (beta == 0 overwrites, so NaNs in C do not survive, as in BLAS). */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : beta * c[row + j];
            }
        }
    }

    // ---------------------------------------------------------------- blocked path

    /** The blocked path for any sizes (package-private so the conformance test can force it). */
    static void blocked(
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
        if (m == 0 || n == 0 || k == 0) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        int threads = (long) m * n * k < PARALLEL_MACS ? 1 : Parallel.numThreads();
        // row blocks of at most MC rows, their count a multiple of the thread count, sizes balanced
        int mBlocks = roundUp(ceilDiv(m, MC), threads);
        int mc = Math.min(MC, roundUp(ceilDiv(m, mBlocks), MR));
        mBlocks = ceilDiv(m, mc);
        int ncMax = Math.min(NC, roundUp(n, NR));
        float[] bPack = B_PACK.get();
        if (bPack.length < ncMax * KC) {
            bPack = new float[ncMax * KC];
            B_PACK.set(bPack);
        }
        float[] bp = bPack;
        if (beta != 0f && beta != 1f) {
            scale(m, n, beta, c, cOff, ldc); // then every slice accumulates
        }
        // A stored row-major and unscaled: the 6-row tile reads its rows in place (no packing of A)
        boolean readsARows = !transA && alpha == 1f && MR == 6;
        boolean splitColumns = threads > 1 && m <= MC;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int nPanels = ceilDiv(nc, NR);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                // the first slice overwrites C when beta == 0, every other slice accumulates into C
                boolean acc = pc > 0 || beta != 0f;
                int jcF = jc;
                int pcF = pc;
                Parallel.RangeBody packB =
                        (s, e) -> GemmPacking.packB(transB, b, bOff, ldb, pcF, jcF, kc, nc, NR, bp, s, e);
                Parallel.RangeBody compute = (s, e) -> {
                    float[] ap = A_PACK.get();
                    float[] tile = TILE.get();
                    for (int blk = s; blk < e; blk++) {
                        int ic = blk * mc;
                        int mcb = Math.min(mc, m - ic);
                        int cBlock = cOff + ic * ldc + jcF;
                        if (readsARows) {
                            macroRowsOfA(
                                    mcb, 0, nc, kc, a, aOff + ic * lda + pcF, lda, bp, c, cBlock, ldc, acc, tile, ap);
                        } else {
                            GemmPacking.packA(transA, a, aOff, lda, ic, pcF, mcb, kc, alpha, MR, ap);
                            macro(mcb, 0, nc, kc, ap, bp, c, cBlock, ldc, acc, tile);
                        }
                    }
                };
                if (splitColumns && nPanels >= (readsARows ? 2 : 8) * threads) {
                    // one block of rows: the threads split the columns instead of the rows (16 rows cut 12 + 4
                    // gave one thread three times the other's tiles), each packing and then using its own
                    // panels, a group at a time (no barrier between packing and compute; a group is in L2).
                    // Each thread packs all of A when it is not read in place: only worth it over 8+ panels each
                    // (a transposed 128 x 1568 A over 2 panels each: 0.88x)
                    Parallel.forRange(nPanels, 1, (s, e) -> {
                        float[] ap = A_PACK.get();
                        float[] tile = TILE.get();
                        if (!readsARows) {
                            GemmPacking.packA(transA, a, aOff, lda, 0, pcF, m, kc, alpha, MR, ap);
                        }
                        for (int g0 = s; g0 < e; g0 += PANEL_GROUP) {
                            int g1 = Math.min(e, g0 + PANEL_GROUP);
                            GemmPacking.packB(transB, b, bOff, ldb, pcF, jcF, kc, nc, NR, bp, g0, g1);
                            int jr0 = g0 * NR;
                            int jr1 = Math.min(nc, g1 * NR);
                            if (readsARows) {
                                macroRowsOfA(
                                        m, jr0, jr1, kc, a, aOff + pcF, lda, bp, c, cOff + jcF, ldc, acc, tile, ap);
                            } else {
                                macro(m, jr0, jr1, kc, ap, bp, c, cOff + jcF, ldc, acc, tile);
                            }
                        }
                    });
                } else if (threads > 1) {
                    Parallel.forRange(nPanels, 4, packB);
                    // blocks claimed one at a time: with two halves, the first thread done waited for the other
                    // for 5% of the Transformer step
                    Parallel.forRangeDynamic(mBlocks, mBlocks, compute);
                } else {
                    packB.run(0, nPanels);
                    compute.run(0, mBlocks);
                }
            }
        }
    }

    // ---------------------------------------------------------------- prepacked B (one B, many products)

    /** op(B) (k, n) packed once into the blocked path's panels: block [jc / NC][pc / KC] as packB lays it out. */
    static GemmKernels.PackedB packB(boolean transB, int k, int n, float[] b, int bOff, int ldb) {
        int jBlocks = ceilDiv(n, NC);
        int kSlices = ceilDiv(k, KC);
        float[][] blocks = new float[jBlocks * kSlices][];
        for (int jb = 0; jb < jBlocks; jb++) {
            int jc = jb * NC;
            int nc = Math.min(NC, n - jc);
            int nPanels = ceilDiv(nc, NR);
            for (int ks = 0; ks < kSlices; ks++) {
                int pc = ks * KC;
                int kc = Math.min(KC, k - pc);
                float[] bp = new float[nPanels * NR * kc];
                GemmPacking.packB(transB, b, bOff, ldb, pc, jc, kc, nc, NR, bp, 0, nPanels);
                blocks[jb * kSlices + ks] = bp;
            }
        }
        return new GemmKernels.PackedB(k, n, blocks);
    }

    /**
     * C = alpha * op(A) @ B + beta * C with B prepacked, on the calling thread (callers split the rows
     * of C between threads themselves, e.g. the batch rows of a recurrent step). Row i of C gets the
     * same bits whatever rows share its tile, so any split of the rows gives the same result.
     */
    static void sgemmPacked(
            boolean transA,
            int m,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            GemmKernels.PackedB b,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        sgemmPacked(transA, m, alpha, a, aOff, lda, b, beta, c, cOff, ldc, 0, b.n(), 0, ceilDiv(b.k(), KC));
    }

    /**
     * {@link #sgemmPacked} for columns [j0, j1) of C only (j0 a multiple of NR), over the depth slices [ks0, ks1) of
     * B (KC deep each; all of them: the same bits as there).
     */
    private static void sgemmPacked(
            boolean transA,
            int m,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            GemmKernels.PackedB b,
            float beta,
            float[] c,
            int cOff,
            int ldc,
            int j0,
            int j1,
            int ks0,
            int ks1) {
        int width = j1 - j0;
        int k = b.k();
        if (m == 0 || width == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(m, width, beta, c, cOff + j0, ldc);
            return;
        }
        if (beta != 0f && beta != 1f) {
            scale(m, width, beta, c, cOff + j0, ldc); // then every slice accumulates
        }
        float[] ap = A_PACK.get();
        float[] tile = TILE.get();
        int kSlices = ceilDiv(k, KC);
        // as in the blocked path: a row-major, unscaled A is read in place (the recurrent h_{t-1} W_hh^T)
        boolean readsARows = !transA && alpha == 1f && MR == 6;
        for (int jc = j0 / NC * NC, jb = j0 / NC; jc < j1; jc += NC, jb++) {
            int jr0 = Math.max(j0, jc) - jc;
            int jr1 = Math.min(j1, jc + NC) - jc;
            for (int ks = ks0; ks < ks1; ks++) {
                int pc = ks * KC;
                int kc = Math.min(KC, k - pc);
                boolean acc = ks > ks0 || beta != 0f;
                float[] bp = b.block(jb * kSlices + ks);
                for (int ic = 0; ic < m; ic += MC) {
                    int mcb = Math.min(MC, m - ic);
                    int cBlock = cOff + ic * ldc + jc;
                    if (readsARows) {
                        macroRowsOfA(
                                mcb, jr0, jr1, kc, a, aOff + ic * lda + pc, lda, bp, c, cBlock, ldc, acc, tile, ap);
                    } else {
                        GemmPacking.packA(transA, a, aOff, lda, ic, pc, mcb, kc, alpha, MR, ap);
                        macro(mcb, jr0, jr1, kc, ap, bp, c, cBlock, ldc, acc, tile);
                    }
                }
            }
        }
    }

    /**
     * C (+)= A @ B on the calling thread for a row-major, unscaled A (m, kc) read in place and a B (kc, n) already
     * packed into NR-wide panels ({@link GemmPacking#packB}'s layout, n at most {@link #NC}): the blocked path's
     * inner loops without its packing or fan-out, for callers that pack one small B and multiply many rows by it
     * (attention's K^T and V per head). Needs the 6-row tile ({@link #readsRowsInPlace()}) and kc at most KC.
     */
    static void rowsTimesPanels(
            int m, int n, int kc, float[] a, int aOff, int lda, float[] bp, float[] c, int cOff, int ldc, boolean acc) {
        float[] ap = A_PACK.get();
        float[] tile = TILE.get();
        for (int ic = 0; ic < m; ic += MC) {
            int mcb = Math.min(MC, m - ic);
            macroRowsOfA(mcb, 0, n, kc, a, aOff + ic * lda, lda, bp, c, cOff + ic * ldc, ldc, acc, tile, ap);
        }
    }

    /** Whether {@link #rowsTimesPanels} can run here (the 6-row tile reads rows of A in place; AVX-512). */
    static boolean readsRowsInPlace() {
        return MR == 6;
    }

    /**
     * One (mc, kc) block of packed A times columns [jr0, jr1) of one (kc, nc) block of packed B (jr0 a multiple
     * of NR) into C at cIdx (C's column jr0 at cIdx + jr0).
     */
    private static void macro(
            int mcb,
            int jr0,
            int jr1,
            int kc,
            float[] ap,
            float[] bp,
            float[] c,
            int cIdx,
            int ldc,
            boolean acc,
            float[] tile) {
        for (int jr = jr0; jr < jr1; jr += NR) {
            int bi = jr * kc;
            int cols = Math.min(NR, jr1 - jr);
            for (int ir = 0; ir < mcb; ir += MR) {
                int ai = ir * kc;
                int rows = Math.min(MR, mcb - ir);
                int ci = cIdx + ir * ldc + jr;
                if (rows == MR && cols == NR) {
                    tile(MR, kc, ap, ai, bp, bi, c, ci, ldc, acc);
                } else {
                    tile(MR, kc, ap, ai, bp, bi, tile, 0, NR, false);
                    mergeTile(tile, rows, cols, c, ci, ldc, acc);
                }
            }
        }
    }

    /**
     * {@link #macro} (columns [jr0, jr1)) for a row-major, unscaled A: rows [0, mcb) x depth [0, kc) starting at
     * a[aIdx] with row stride lda. When the columns span {@link #PACK_A_MIN_PANELS} panels or more, the first
     * mcb / 12 * 12 rows (12 fewer when that leaves 4) are packed into 12-row panels of ap (one pass over A, then
     * read by every panel) for {@link #tile12x2}; the other rows are read in place ({@link #rowsInPlace}). Every row
     * gets the same bits either way (each tile sums over p in the same order).
     */
    private static void macroRowsOfA(
            int mcb,
            int jr0,
            int jr1,
            int kc,
            float[] a,
            int aIdx,
            int lda,
            float[] bp,
            float[] c,
            int cIdx,
            int ldc,
            boolean acc,
            float[] tile,
            float[] ap) {
        int packedRows = MR == 6 && jr1 - jr0 >= PACK_A_MIN_PANELS * NR ? mcb / ROWS12 * ROWS12 : 0;
        if (mcb - packedRows == 4 && packedRows > 0) {
            packedRows -= ROWS12; // 16 rows left: two 8-row tiles in place instead of an edge of 4
        }
        if (packedRows == 0) {
            rowsInPlace(mcb, jr0, jr1, kc, a, aIdx, lda, bp, c, cIdx, ldc, acc, tile, ap, 0);
            return;
        }
        GemmPacking.packRows(a, aIdx, lda, packedRows, kc, ROWS12, 1f, ap, 0);
        for (int jr = jr0; jr < jr1; jr += NR) {
            int bi = jr * kc;
            int cols = Math.min(NR, jr1 - jr);
            for (int ir = 0; ir < packedRows; ir += ROWS12) {
                int ci = cIdx + ir * ldc + jr;
                if (cols == NR) {
                    tile12x2(kc, ap, ir * kc, bp, bi, c, ci, ldc, acc);
                } else {
                    tile12x2(kc, ap, ir * kc, bp, bi, tile, 0, NR, false);
                    mergeTile(tile, ROWS12, cols, c, ci, ldc, acc);
                }
            }
        }
        if (packedRows < mcb) {
            rowsInPlace(
                    mcb - packedRows,
                    jr0,
                    jr1,
                    kc,
                    a,
                    aIdx + packedRows * lda,
                    lda,
                    bp,
                    c,
                    cIdx + packedRows * ldc,
                    ldc,
                    acc,
                    tile,
                    ap,
                    packedRows * kc);
        }
    }

    /**
     * {@link #macroRowsOfA}'s rows read in place: full 6-row tiles (8-row when mcb is a multiple of 8 and not 6) read
     * the rows directly ({@link #tile6x2Rows}); the last, short row panel is packed into ap at apOff (zero rows below
     * the edge) and goes through the scratch tile.
     * Packing A cost 8-20% of the multiply when n is only a few panels wide (d_model 256: 8 panels).
     */
    private static void rowsInPlace(
            int mcb,
            int jr0,
            int jr1,
            int kc,
            float[] a,
            int aIdx,
            int lda,
            float[] bp,
            float[] c,
            int cIdx,
            int ldc,
            boolean acc,
            float[] tile,
            float[] ap,
            int apOff) {
        int rowsPerTile = MR == 6 && mcb % MR != 0 && mcb % ROWS8 == 0 ? ROWS8 : MR;
        int fullRows = mcb / rowsPerTile * rowsPerTile;
        int edgeRows = mcb - fullRows;
        if (edgeRows > 0) {
            GemmPacking.packRows(a, aIdx + fullRows * lda, lda, edgeRows, kc, MR, 1f, ap, apOff);
        }
        for (int jr = jr0; jr < jr1; jr += NR) {
            int bi = jr * kc;
            int cols = Math.min(NR, jr1 - jr);
            if (rowsPerTile == MR && MR == 6 && kc <= PAIR_MAX_KC && jr + 2 * NR <= jr1) { // the 6 x 4-vector tile
                for (int ir = 0; ir < fullRows; ir += MR) {
                    tile6x4Rows(kc, a, aIdx + ir * lda, lda, bp, bi, c, cIdx + ir * ldc + jr, ldc, acc);
                }
                if (edgeRows > 0) {
                    for (int half = 0; half < 2; half++) {
                        tile(MR, kc, ap, apOff, bp, bi + half * NR * kc, tile, 0, NR, false);
                        mergeTile(tile, edgeRows, NR, c, cIdx + fullRows * ldc + jr + half * NR, ldc, acc);
                    }
                }
                jr += NR;
                continue;
            }
            for (int ir = 0; ir < fullRows; ir += rowsPerTile) {
                int ci = cIdx + ir * ldc + jr;
                boolean direct = cols == NR;
                float[] out = direct ? c : tile;
                int outIdx = direct ? ci : 0;
                int outLd = direct ? ldc : NR;
                if (rowsPerTile == ROWS8) {
                    tile8x2Rows(kc, a, aIdx + ir * lda, lda, bp, bi, out, outIdx, outLd, direct && acc);
                } else {
                    tile6x2Rows(kc, a, aIdx + ir * lda, lda, bp, bi, out, outIdx, outLd, direct && acc);
                }
                if (!direct) {
                    mergeTile(tile, rowsPerTile, cols, c, ci, ldc, acc);
                }
            }
            if (edgeRows > 0) {
                tile(MR, kc, ap, apOff, bp, bi, tile, 0, NR, false);
                mergeTile(tile, edgeRows, cols, c, cIdx + fullRows * ldc + jr, ldc, acc);
            }
        }
    }

    /** C[ci + r*ldc + j] (+)= tile[r*NR + j] for r &lt; rows, j &lt; cols (an edge tile computed into scratch). */
    private static void mergeTile(float[] tile, int rows, int cols, float[] c, int ci, int ldc, boolean acc) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float v = tile[r * NR + j];
                int idx = ci + r * ldc + j;
                c[idx] = acc ? c[idx] + v : v;
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int y) {
        return ceilDiv(x, y) * y;
    }

    // ---------------------------------------------------------------- direct path (no packing)

    /** The direct path for any sizes (package-private so the conformance test can force it). */
    static void direct(
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
        if (transA && transB) {
            blocked(true, true, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        boolean small = (long) m * n * k < PARALLEL_MACS && (long) n * k < PARALLEL_DIRECT_B;
        int threads = small ? 1 : Parallel.numThreads();
        if (threads == 1) {
            directBlock(transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else if (n >= m) {
            int unit = transB ? 4 : NR; // split columns in whole tiles
            Parallel.forRange(
                    ceilDiv(n, unit),
                    1,
                    (s, e) -> directBlock(
                            transA,
                            transB,
                            0,
                            m,
                            s * unit,
                            Math.min(n, e * unit),
                            k,
                            alpha,
                            a,
                            aOff,
                            lda,
                            b,
                            bOff,
                            ldb,
                            beta,
                            c,
                            cOff,
                            ldc));
        } else {
            Parallel.forRange(
                    ceilDiv(m, 4),
                    1,
                    (s, e) -> directBlock(
                            transA,
                            transB,
                            s * 4,
                            Math.min(m, e * 4),
                            0,
                            n,
                            k,
                            alpha,
                            a,
                            aOff,
                            lda,
                            b,
                            bOff,
                            ldb,
                            beta,
                            c,
                            cOff,
                            ldc));
        }
    }

    /** The block rows [i0, i1) x columns [j0, j1) of C, straight from the operands. */
    private static void directBlock(
            boolean transA,
            boolean transB,
            int i0,
            int i1,
            int j0,
            int j1,
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
        if (!transB && i1 - i0 <= 4) {
            for (int i = i0; i < i1; i++) {
                rowTimesB(
                        transA ? aOff + i : aOff + i * lda,
                        transA ? lda : 1,
                        j0,
                        j1,
                        k,
                        alpha,
                        a,
                        b,
                        bOff,
                        ldb,
                        beta,
                        c,
                        cOff + i * ldc);
            }
        } else if (!transB) {
            // A[i][p] = a[aOff + i*ais + p*aps] for either orientation of A
            int ais = transA ? 1 : lda;
            int aps = transA ? lda : 1;
            int jFull = j0 + (j1 - j0) / NR * NR;
            // B's columns copied to a contiguous (k, NR) panel when many row tiles reuse them and its rows lie far
            // apart: attention's per-head operands (row stride 3 * d_model) map a head's rows onto a few L1 sets,
            // so every tile re-read B from L2
            boolean copyB = i1 - i0 >= 16 && ldb != NR;
            float[] panel = copyB ? scratchPanel(k) : null;
            for (int j = j0; j < jFull; j += NR) {
                float[] bb = b;
                int bj = bOff + j;
                int ldbb = ldb;
                if (copyB) {
                    for (int p = 0; p < k; p++) {
                        int src = bOff + p * ldb + j;
                        FloatVector.fromArray(S, b, src).intoArray(panel, p * NR);
                        FloatVector.fromArray(S, b, src + VL).intoArray(panel, p * NR + VL);
                    }
                    bb = panel;
                    bj = 0;
                    ldbb = NR;
                }
                int i = i0;
                if (MR == 6) {
                    for (; i + 8 <= i1; i += 8) {
                        axpy8(k, alpha, a, aOff + i * ais, ais, aps, bb, bj, ldbb, beta, c, cOff + i * ldc + j, ldc);
                    }
                }
                for (; i + 4 <= i1; i += 4) {
                    axpy4(k, alpha, a, aOff + i * ais, ais, aps, bb, bj, ldbb, beta, c, cOff + i * ldc + j, ldc);
                }
                for (; i < i1; i++) {
                    axpy1(k, alpha, a, aOff + i * ais, aps, bb, bj, ldbb, beta, c, cOff + i * ldc + j);
                }
            }
            if (jFull < j1) {
                // right edge: the same tiles on a zero-padded copy of B's last columns, into a scratch tile
                // (masked loads near the end of an array leave the Vector API's fast path)
                int w = j1 - jFull;
                float[] bt = new float[k * NR];
                for (int p = 0; p < k; p++) {
                    System.arraycopy(b, bOff + p * ldb + jFull, bt, p * NR, w);
                }
                float[] ct = new float[4 * NR];
                int i = i0;
                while (i < i1) {
                    int rows = i + 4 <= i1 ? 4 : 1;
                    if (rows == 4) {
                        axpy4(k, alpha, a, aOff + i * ais, ais, aps, bt, 0, NR, 0f, ct, 0, NR);
                    } else {
                        axpy1(k, alpha, a, aOff + i * ais, aps, bt, 0, NR, 0f, ct, 0);
                    }
                    for (int r = 0; r < rows; r++) {
                        int ci = cOff + (i + r) * ldc + jFull;
                        for (int j = 0; j < w; j++) {
                            c[ci + j] = combine(ct[r * NR + j], beta, c[ci + j]);
                        }
                    }
                    i += rows;
                }
            }
        } else {
            // transB (and not transA, see sgemm): C[i][j] = dot(row i of A, row j of the stored B)
            int j4 = j0 + (j1 - j0) / 4 * 4;
            int i = i0;
            for (; i + 2 <= i1; i += 2) {
                for (int j = j0; j < j4; j += 4) {
                    dot2x4(k, alpha, a, aOff + i * lda, lda, b, bOff + j * ldb, ldb, beta, c, cOff + i * ldc + j, ldc);
                }
                for (int j = j4; j < j1; j++) {
                    for (int r = i; r < i + 2; r++) {
                        c[cOff + r * ldc + j] = combine(
                                alpha * dot(k, a, aOff + r * lda, b, bOff + j * ldb), beta, c[cOff + r * ldc + j]);
                    }
                }
            }
            for (; i < i1; i++) {
                for (int j = j0; j < j4; j += 4) {
                    dot1x4(k, alpha, a, aOff + i * lda, b, bOff + j * ldb, ldb, beta, c, cOff + i * ldc + j);
                }
                for (int j = j4; j < j1; j++) {
                    c[cOff + i * ldc + j] =
                            combine(alpha * dot(k, a, aOff + i * lda, b, bOff + j * ldb), beta, c[cOff + i * ldc + j]);
                }
            }
        }
    }

    /** This thread's scratch for a (k, NR) panel of B (the direct path's copies), grown on demand. */
    private static float[] scratchPanel(int k) {
        float[] panel = B_PANEL.get();
        if (panel.length < k * NR) {
            panel = new float[k * NR];
            B_PANEL.set(panel);
        }
        return panel;
    }

    /**
     * One row of C, columns [j0, j1): {@code C[j] = alpha * sum_p A[p] * B[p][j] + beta * C[j]} with
     * {@code A[p] = a[ai + p*aps]}. GEMV-like shapes: streams B row by row (unit stride, prefetch friendly),
     * four depth steps per pass over the row accumulator, which stays in L1.
     */
    private static void rowTimesB(
            int ai,
            int aps,
            int j0,
            int j1,
            int k,
            float alpha,
            float[] a,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int ci) {
        int w = j1 - j0;
        int wv = S.loopBound(w);
        float[] acc = new float[w];
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            FloatVector a0 = FloatVector.broadcast(S, a[ai + p * aps]);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + (p + 1) * aps]);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + (p + 2) * aps]);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + (p + 3) * aps]);
            int b0 = bOff + p * ldb + j0;
            int b1 = b0 + ldb;
            int b2 = b1 + ldb;
            int b3 = b2 + ldb;
            int j = 0;
            for (; j < wv; j += VL) {
                FloatVector v = FloatVector.fromArray(S, acc, j);
                v = a0.fma(FloatVector.fromArray(S, b, b0 + j), v);
                v = a1.fma(FloatVector.fromArray(S, b, b1 + j), v);
                v = a2.fma(FloatVector.fromArray(S, b, b2 + j), v);
                v = a3.fma(FloatVector.fromArray(S, b, b3 + j), v);
                v.intoArray(acc, j);
            }
            float s0 = a[ai + p * aps];
            float s1 = a[ai + (p + 1) * aps];
            float s2 = a[ai + (p + 2) * aps];
            float s3 = a[ai + (p + 3) * aps];
            for (; j < w; j++) {
                acc[j] += s0 * b[b0 + j] + s1 * b[b1 + j] + s2 * b[b2 + j] + s3 * b[b3 + j];
            }
        }
        for (; p < k; p++) {
            float s0 = a[ai + p * aps];
            int b0 = bOff + p * ldb + j0;
            for (int j = 0; j < w; j++) {
                acc[j] += s0 * b[b0 + j];
            }
        }
        for (int j = 0; j < w; j++) {
            c[ci + j0 + j] = combine(alpha * acc[j], beta, c[ci + j0 + j]);
        }
    }

    private static float combine(float v, float beta, float old) {
        return beta == 0f ? v : v + beta * old;
    }

    /**
     * {@link #axpy4} with 8 rows: 16 accumulators, 2 loads of B and 8 broadcasts of A per 16 multiply-adds (the
     * 4-row tile's 8 accumulators are just enough to cover the FMA latency, with no slack). With 32 vector registers
     * only. The attention products (128 x 32 x 128 per head, one thread each) ran at 36-38 GFLOP/s on the 4-row tile.
     */
    private static void axpy8(
            int k,
            float alpha,
            float[] a,
            int ai,
            int ais,
            int aps,
            float[] b,
            int bi,
            int ldb,
            float beta,
            float[] c,
            int ci,
            int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            int pb = bi + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + VL);
            int pa = ai + p * aps;
            FloatVector av = FloatVector.broadcast(S, a[pa]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[pa + ais]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[pa + 2 * ais]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[pa + 3 * ais]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[pa + 4 * ais]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[pa + 5 * ais]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[pa + 6 * ais]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[pa + 7 * ais]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        // written out, not through a helper taking the vectors (see axpy4)
        int r0 = ci;
        int r1 = ci + ldc;
        int r2 = ci + 2 * ldc;
        int r3 = ci + 3 * ldc;
        int r4 = ci + 4 * ldc;
        int r5 = ci + 5 * ldc;
        int r6 = ci + 6 * ldc;
        int r7 = ci + 7 * ldc;
        if (beta == 0f) {
            c00.mul(alpha).intoArray(c, r0);
            c01.mul(alpha).intoArray(c, r0 + VL);
            c10.mul(alpha).intoArray(c, r1);
            c11.mul(alpha).intoArray(c, r1 + VL);
            c20.mul(alpha).intoArray(c, r2);
            c21.mul(alpha).intoArray(c, r2 + VL);
            c30.mul(alpha).intoArray(c, r3);
            c31.mul(alpha).intoArray(c, r3 + VL);
            c40.mul(alpha).intoArray(c, r4);
            c41.mul(alpha).intoArray(c, r4 + VL);
            c50.mul(alpha).intoArray(c, r5);
            c51.mul(alpha).intoArray(c, r5 + VL);
            c60.mul(alpha).intoArray(c, r6);
            c61.mul(alpha).intoArray(c, r6 + VL);
            c70.mul(alpha).intoArray(c, r7);
            c71.mul(alpha).intoArray(c, r7 + VL);
            return;
        }
        FloatVector bv = FloatVector.broadcast(S, beta);
        FloatVector.fromArray(S, c, r0).fma(bv, c00.mul(alpha)).intoArray(c, r0);
        FloatVector.fromArray(S, c, r0 + VL).fma(bv, c01.mul(alpha)).intoArray(c, r0 + VL);
        FloatVector.fromArray(S, c, r1).fma(bv, c10.mul(alpha)).intoArray(c, r1);
        FloatVector.fromArray(S, c, r1 + VL).fma(bv, c11.mul(alpha)).intoArray(c, r1 + VL);
        FloatVector.fromArray(S, c, r2).fma(bv, c20.mul(alpha)).intoArray(c, r2);
        FloatVector.fromArray(S, c, r2 + VL).fma(bv, c21.mul(alpha)).intoArray(c, r2 + VL);
        FloatVector.fromArray(S, c, r3).fma(bv, c30.mul(alpha)).intoArray(c, r3);
        FloatVector.fromArray(S, c, r3 + VL).fma(bv, c31.mul(alpha)).intoArray(c, r3 + VL);
        FloatVector.fromArray(S, c, r4).fma(bv, c40.mul(alpha)).intoArray(c, r4);
        FloatVector.fromArray(S, c, r4 + VL).fma(bv, c41.mul(alpha)).intoArray(c, r4 + VL);
        FloatVector.fromArray(S, c, r5).fma(bv, c50.mul(alpha)).intoArray(c, r5);
        FloatVector.fromArray(S, c, r5 + VL).fma(bv, c51.mul(alpha)).intoArray(c, r5 + VL);
        FloatVector.fromArray(S, c, r6).fma(bv, c60.mul(alpha)).intoArray(c, r6);
        FloatVector.fromArray(S, c, r6 + VL).fma(bv, c61.mul(alpha)).intoArray(c, r6 + VL);
        FloatVector.fromArray(S, c, r7).fma(bv, c70.mul(alpha)).intoArray(c, r7);
        FloatVector.fromArray(S, c, r7 + VL).fma(bv, c71.mul(alpha)).intoArray(c, r7 + VL);
    }

    /** C[i..i+4)[j..j+2VL) = alpha * A[i..i+4)[:] @ B[:][j..j+2VL) + beta * C. */
    private static void axpy4(
            int k,
            float alpha,
            float[] a,
            int ai,
            int ais,
            int aps,
            float[] b,
            int bi,
            int ldb,
            float beta,
            float[] c,
            int ci,
            int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            int pb = bi + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + VL);
            int pa = ai + p * aps;
            FloatVector av = FloatVector.broadcast(S, a[pa]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[pa + ais]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[pa + 2 * ais]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[pa + 3 * ais]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        // C = alpha * acc + beta * C, written out here rather than in a helper taking the vectors: a FloatVector
        // argument of a call C2 does not inline is boxed (an allocation per vector per call), and whether C2
        // inlined such a helper here depended on JIT timing (with an AOT cache the Transformer training step ran
        // 2.5x slower, 90% of its attention time on the fourth row's call)
        int c1 = ci + ldc;
        int c2 = ci + 2 * ldc;
        int c3 = ci + 3 * ldc;
        if (beta == 0f) {
            c00.mul(alpha).intoArray(c, ci);
            c01.mul(alpha).intoArray(c, ci + VL);
            c10.mul(alpha).intoArray(c, c1);
            c11.mul(alpha).intoArray(c, c1 + VL);
            c20.mul(alpha).intoArray(c, c2);
            c21.mul(alpha).intoArray(c, c2 + VL);
            c30.mul(alpha).intoArray(c, c3);
            c31.mul(alpha).intoArray(c, c3 + VL);
            return;
        }
        FloatVector bv = FloatVector.broadcast(S, beta);
        FloatVector.fromArray(S, c, ci).fma(bv, c00.mul(alpha)).intoArray(c, ci);
        FloatVector.fromArray(S, c, ci + VL).fma(bv, c01.mul(alpha)).intoArray(c, ci + VL);
        FloatVector.fromArray(S, c, c1).fma(bv, c10.mul(alpha)).intoArray(c, c1);
        FloatVector.fromArray(S, c, c1 + VL).fma(bv, c11.mul(alpha)).intoArray(c, c1 + VL);
        FloatVector.fromArray(S, c, c2).fma(bv, c20.mul(alpha)).intoArray(c, c2);
        FloatVector.fromArray(S, c, c2 + VL).fma(bv, c21.mul(alpha)).intoArray(c, c2 + VL);
        FloatVector.fromArray(S, c, c3).fma(bv, c30.mul(alpha)).intoArray(c, c3);
        FloatVector.fromArray(S, c, c3 + VL).fma(bv, c31.mul(alpha)).intoArray(c, c3 + VL);
    }

    /** One row of {@link #axpy4}. */
    private static void axpy1(
            int k, float alpha, float[] a, int ai, int aps, float[] b, int bi, int ldb, float beta, float[] c, int ci) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
        FloatVector d0 = FloatVector.zero(S), d1 = FloatVector.zero(S); // second chain hides FMA latency
        int p = 0;
        for (; p + 2 <= k; p += 2) {
            int pb = bi + p * ldb;
            FloatVector av = FloatVector.broadcast(S, a[ai + p * aps]);
            c0 = av.fma(FloatVector.fromArray(S, b, pb), c0);
            c1 = av.fma(FloatVector.fromArray(S, b, pb + VL), c1);
            FloatVector aw = FloatVector.broadcast(S, a[ai + (p + 1) * aps]);
            d0 = aw.fma(FloatVector.fromArray(S, b, pb + ldb), d0);
            d1 = aw.fma(FloatVector.fromArray(S, b, pb + ldb + VL), d1);
        }
        if (p < k) {
            int pb = bi + p * ldb;
            FloatVector av = FloatVector.broadcast(S, a[ai + p * aps]);
            c0 = av.fma(FloatVector.fromArray(S, b, pb), c0);
            c1 = av.fma(FloatVector.fromArray(S, b, pb + VL), c1);
        }
        FloatVector r0 = c0.add(d0).mul(alpha); // the epilogue inline, as in axpy4
        FloatVector r1 = c1.add(d1).mul(alpha);
        if (beta != 0f) {
            FloatVector bv = FloatVector.broadcast(S, beta);
            r0 = FloatVector.fromArray(S, c, ci).fma(bv, r0);
            r1 = FloatVector.fromArray(S, c, ci + VL).fma(bv, r1);
        }
        r0.intoArray(c, ci);
        r1.intoArray(c, ci + VL);
    }

    /** C[i..i+2)[j..j+4) = alpha * A[i..i+2)[:] . Bt[j..j+4)[:] + beta * C, with Bt the stored (n, k) B. */
    private static void dot2x4(
            int k,
            float alpha,
            float[] a,
            int ai,
            int lda,
            float[] b,
            int bi,
            int ldb,
            float beta,
            float[] c,
            int ci,
            int ldc) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s02 = FloatVector.zero(S);
        FloatVector s03 = FloatVector.zero(S), s10 = FloatVector.zero(S), s11 = FloatVector.zero(S);
        FloatVector s12 = FloatVector.zero(S), s13 = FloatVector.zero(S);
        int kv = S.loopBound(k);
        for (int p = 0; p < kv; p += VL) {
            FloatVector a0 = FloatVector.fromArray(S, a, ai + p);
            FloatVector a1 = FloatVector.fromArray(S, a, ai + lda + p);
            FloatVector b0 = FloatVector.fromArray(S, b, bi + p);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + ldb + p);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * ldb + p);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * ldb + p);
            s00 = a0.fma(b0, s00);
            s01 = a0.fma(b1, s01);
            s02 = a0.fma(b2, s02);
            s03 = a0.fma(b3, s03);
            s10 = a1.fma(b0, s10);
            s11 = a1.fma(b1, s11);
            s12 = a1.fma(b2, s12);
            s13 = a1.fma(b3, s13);
        }
        // k tail: scalar (masked loads near an array's end are slow), in locals: a scratch array here was not
        // scalar-replaced once the tail ran (k < VL, e.g. 8-wide attention heads with 16 lanes) and became garbage
        // per call, i.e. per 4 keys of a decode step
        float t00 = 0f, t01 = 0f, t02 = 0f, t03 = 0f, t10 = 0f, t11 = 0f, t12 = 0f, t13 = 0f;
        for (int p = kv; p < k; p++) {
            float a0 = a[ai + p];
            float a1 = a[ai + lda + p];
            float b0 = b[bi + p];
            float b1 = b[bi + ldb + p];
            float b2 = b[bi + 2 * ldb + p];
            float b3 = b[bi + 3 * ldb + p];
            t00 += a0 * b0;
            t01 += a0 * b1;
            t02 += a0 * b2;
            t03 += a0 * b3;
            t10 += a1 * b0;
            t11 += a1 * b1;
            t12 += a1 * b2;
            t13 += a1 * b3;
        }
        storeDots(s00, s01, s02, s03, t00, t01, t02, t03, alpha, beta, c, ci);
        storeDots(s10, s11, s12, s13, t10, t11, t12, t13, alpha, beta, c, ci + ldc);
    }

    private static void dot1x4(
            int k, float alpha, float[] a, int ai, float[] b, int bi, int ldb, float beta, float[] c, int ci) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int kv = S.loopBound(k);
        for (int p = 0; p < kv; p += VL) {
            FloatVector a0 = FloatVector.fromArray(S, a, ai + p);
            s0 = a0.fma(FloatVector.fromArray(S, b, bi + p), s0);
            s1 = a0.fma(FloatVector.fromArray(S, b, bi + ldb + p), s1);
            s2 = a0.fma(FloatVector.fromArray(S, b, bi + 2 * ldb + p), s2);
            s3 = a0.fma(FloatVector.fromArray(S, b, bi + 3 * ldb + p), s3);
        }
        float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f; // k tail in locals, as in dot2x4
        for (int p = kv; p < k; p++) {
            float a0 = a[ai + p];
            t0 += a0 * b[bi + p];
            t1 += a0 * b[bi + ldb + p];
            t2 += a0 * b[bi + 2 * ldb + p];
            t3 += a0 * b[bi + 3 * ldb + p];
        }
        storeDots(s0, s1, s2, s3, t0, t1, t2, t3, alpha, beta, c, ci);
    }

    private static void storeDots(
            FloatVector s0,
            FloatVector s1,
            FloatVector s2,
            FloatVector s3,
            float t0,
            float t1,
            float t2,
            float t3,
            float alpha,
            float beta,
            float[] c,
            int ci) {
        c[ci] = combine(alpha * (Simd.sumLanes(s0) + t0), beta, c[ci]);
        c[ci + 1] = combine(alpha * (Simd.sumLanes(s1) + t1), beta, c[ci + 1]);
        c[ci + 2] = combine(alpha * (Simd.sumLanes(s2) + t2), beta, c[ci + 2]);
        c[ci + 3] = combine(alpha * (Simd.sumLanes(s3) + t3), beta, c[ci + 3]);
    }

    private static float dot(int k, float[] a, int ai, float[] b, int bi) {
        FloatVector s = FloatVector.zero(S);
        int kv = S.loopBound(k);
        for (int p = 0; p < kv; p += VL) {
            s = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bi + p), s);
        }
        float r = Simd.sumLanes(s);
        for (int p = kv; p < k; p++) {
            r += a[ai + p] * b[bi + p];
        }
        return r;
    }

    // ---------------------------------------------------------------- the register tiles (written out)

    /** C[0..mr)[0..2*VL) (+)= Apanel @ Bpanel with the mr-row tile (6, 12 or 4; package-private for the tests). */
    static void tile(
            int mr, int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean accumulate) {
        if (mr == 6) {
            tile6x2(kc, ap, ai, bp, bi, c, ci, ldc, accumulate);
        } else if (mr == ROWS12) {
            tile12x2(kc, ap, ai, bp, bi, c, ci, ldc, accumulate);
        } else if (mr == 4) {
            tile4x2(kc, ap, ai, bp, bi, c, ci, ldc, accumulate);
        } else {
            throw new IllegalArgumentException("GemmF32: no " + mr + "-row register tile");
        }
    }

    /** The 4 x 2*VL register tile (8 accumulators, for 16-register AVX2): like {@link #tile6x2}. */
    private static void tile4x2(
            int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = ai + p * 4;
            int pb = bi + p * 2 * VL;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + VL);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[pa]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            c01.add(FloatVector.fromArray(S, c, ci + VL)).intoArray(c, ci + VL);
            c10.add(FloatVector.fromArray(S, c, ci + ldc)).intoArray(c, ci + ldc);
            c11.add(FloatVector.fromArray(S, c, ci + ldc + VL)).intoArray(c, ci + ldc + VL);
            c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
            c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + VL)).intoArray(c, ci + 2 * ldc + VL);
            c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
            c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + VL)).intoArray(c, ci + 3 * ldc + VL);
        } else {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + VL);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + VL);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + VL);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + VL);
        }
    }

    /**
     * {@link #tile6x2} with A read in place: row r of the tile is a[ai + r*lda + p], p &lt; kc (package-private for
     * the conformance test).
     */
    static void tile6x2Rows(
            int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] c, int ci, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a0 = ai;
        int a1 = ai + lda;
        int a2 = ai + 2 * lda;
        int a3 = ai + 3 * lda;
        int a4 = ai + 4 * lda;
        int a5 = ai + 5 * lda;
        for (int p = 0; p < kc; p++) {
            int pb = bi + p * 2 * VL;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + VL);
            FloatVector x;
            x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            c01.add(FloatVector.fromArray(S, c, ci + VL)).intoArray(c, ci + VL);
            c10.add(FloatVector.fromArray(S, c, ci + ldc)).intoArray(c, ci + ldc);
            c11.add(FloatVector.fromArray(S, c, ci + ldc + VL)).intoArray(c, ci + ldc + VL);
            c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
            c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + VL)).intoArray(c, ci + 2 * ldc + VL);
            c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
            c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + VL)).intoArray(c, ci + 3 * ldc + VL);
            c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
            c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + VL)).intoArray(c, ci + 4 * ldc + VL);
            c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
            c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + VL)).intoArray(c, ci + 5 * ldc + VL);
        } else {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + VL);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + VL);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + VL);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + VL);
            c40.intoArray(c, ci + 4 * ldc);
            c41.intoArray(c, ci + 4 * ldc + VL);
            c50.intoArray(c, ci + 5 * ldc);
            c51.intoArray(c, ci + 5 * ldc + VL);
        }
    }

    /**
     * {@link #tile6x2Rows} over two adjacent panels of B (columns [0, 2*NR) of C; the second panel kc*NR floats after
     * the first): 24 accumulators, so each broadcast of A feeds 4 FMAs instead of 2 (6 rows of A 4 KB apart: 1.05-1.15x
     * the 6 x 2 tile on a 2-FMA-port Xeon, most at depth 64).
     */
    static void tile6x4Rows(
            int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] c, int ci, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S),
                c01 = FloatVector.zero(S),
                c02 = FloatVector.zero(S),
                c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S),
                c11 = FloatVector.zero(S),
                c12 = FloatVector.zero(S),
                c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S),
                c21 = FloatVector.zero(S),
                c22 = FloatVector.zero(S),
                c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S),
                c31 = FloatVector.zero(S),
                c32 = FloatVector.zero(S),
                c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S),
                c41 = FloatVector.zero(S),
                c42 = FloatVector.zero(S),
                c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S),
                c51 = FloatVector.zero(S),
                c52 = FloatVector.zero(S),
                c53 = FloatVector.zero(S);
        int a0 = ai;
        int a1 = ai + lda;
        int a2 = ai + 2 * lda;
        int a3 = ai + 3 * lda;
        int a4 = ai + 4 * lda;
        int a5 = ai + 5 * lda;
        int second = kc * NR;
        for (int p = 0; p < kc; p++) {
            int pb = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + VL);
            FloatVector b2 = FloatVector.fromArray(S, bp, pb + second);
            FloatVector b3 = FloatVector.fromArray(S, bp, pb + second + VL);
            FloatVector x;
            x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            c01.add(FloatVector.fromArray(S, c, ci + VL)).intoArray(c, ci + VL);
            c02.add(FloatVector.fromArray(S, c, ci + 2 * VL)).intoArray(c, ci + 2 * VL);
            c03.add(FloatVector.fromArray(S, c, ci + 3 * VL)).intoArray(c, ci + 3 * VL);
            c10.add(FloatVector.fromArray(S, c, ci + ldc)).intoArray(c, ci + ldc);
            c11.add(FloatVector.fromArray(S, c, ci + ldc + VL)).intoArray(c, ci + ldc + VL);
            c12.add(FloatVector.fromArray(S, c, ci + ldc + 2 * VL)).intoArray(c, ci + ldc + 2 * VL);
            c13.add(FloatVector.fromArray(S, c, ci + ldc + 3 * VL)).intoArray(c, ci + ldc + 3 * VL);
            c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
            c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + VL)).intoArray(c, ci + 2 * ldc + VL);
            c22.add(FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * VL)).intoArray(c, ci + 2 * ldc + 2 * VL);
            c23.add(FloatVector.fromArray(S, c, ci + 2 * ldc + 3 * VL)).intoArray(c, ci + 2 * ldc + 3 * VL);
            c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
            c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + VL)).intoArray(c, ci + 3 * ldc + VL);
            c32.add(FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * VL)).intoArray(c, ci + 3 * ldc + 2 * VL);
            c33.add(FloatVector.fromArray(S, c, ci + 3 * ldc + 3 * VL)).intoArray(c, ci + 3 * ldc + 3 * VL);
            c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
            c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + VL)).intoArray(c, ci + 4 * ldc + VL);
            c42.add(FloatVector.fromArray(S, c, ci + 4 * ldc + 2 * VL)).intoArray(c, ci + 4 * ldc + 2 * VL);
            c43.add(FloatVector.fromArray(S, c, ci + 4 * ldc + 3 * VL)).intoArray(c, ci + 4 * ldc + 3 * VL);
            c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
            c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + VL)).intoArray(c, ci + 5 * ldc + VL);
            c52.add(FloatVector.fromArray(S, c, ci + 5 * ldc + 2 * VL)).intoArray(c, ci + 5 * ldc + 2 * VL);
            c53.add(FloatVector.fromArray(S, c, ci + 5 * ldc + 3 * VL)).intoArray(c, ci + 5 * ldc + 3 * VL);
        } else {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + VL);
            c02.intoArray(c, ci + 2 * VL);
            c03.intoArray(c, ci + 3 * VL);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + VL);
            c12.intoArray(c, ci + ldc + 2 * VL);
            c13.intoArray(c, ci + ldc + 3 * VL);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + VL);
            c22.intoArray(c, ci + 2 * ldc + 2 * VL);
            c23.intoArray(c, ci + 2 * ldc + 3 * VL);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + VL);
            c32.intoArray(c, ci + 3 * ldc + 2 * VL);
            c33.intoArray(c, ci + 3 * ldc + 3 * VL);
            c40.intoArray(c, ci + 4 * ldc);
            c41.intoArray(c, ci + 4 * ldc + VL);
            c42.intoArray(c, ci + 4 * ldc + 2 * VL);
            c43.intoArray(c, ci + 4 * ldc + 3 * VL);
            c50.intoArray(c, ci + 5 * ldc);
            c51.intoArray(c, ci + 5 * ldc + VL);
            c52.intoArray(c, ci + 5 * ldc + 2 * VL);
            c53.intoArray(c, ci + 5 * ldc + 3 * VL);
        }
    }

    /** {@link #tile6x2Rows} with 8 rows (16 accumulators), for row blocks that are a multiple of 8 and not of 6. */
    static void tile8x2Rows(
            int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] c, int ci, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int a0 = ai;
        int a1 = ai + lda;
        int a2 = ai + 2 * lda;
        int a3 = ai + 3 * lda;
        int a4 = ai + 4 * lda;
        int a5 = ai + 5 * lda;
        int a6 = ai + 6 * lda;
        int a7 = ai + 7 * lda;
        for (int p = 0; p < kc; p++) {
            int pb = bi + p * 2 * VL;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + VL);
            FloatVector x;
            x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[a6 + p]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[a7 + p]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            c01.add(FloatVector.fromArray(S, c, ci + VL)).intoArray(c, ci + VL);
            c10.add(FloatVector.fromArray(S, c, ci + ldc)).intoArray(c, ci + ldc);
            c11.add(FloatVector.fromArray(S, c, ci + ldc + VL)).intoArray(c, ci + ldc + VL);
            c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
            c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + VL)).intoArray(c, ci + 2 * ldc + VL);
            c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
            c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + VL)).intoArray(c, ci + 3 * ldc + VL);
            c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
            c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + VL)).intoArray(c, ci + 4 * ldc + VL);
            c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
            c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + VL)).intoArray(c, ci + 5 * ldc + VL);
            c60.add(FloatVector.fromArray(S, c, ci + 6 * ldc)).intoArray(c, ci + 6 * ldc);
            c61.add(FloatVector.fromArray(S, c, ci + 6 * ldc + VL)).intoArray(c, ci + 6 * ldc + VL);
            c70.add(FloatVector.fromArray(S, c, ci + 7 * ldc)).intoArray(c, ci + 7 * ldc);
            c71.add(FloatVector.fromArray(S, c, ci + 7 * ldc + VL)).intoArray(c, ci + 7 * ldc + VL);
        } else {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + VL);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + VL);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + VL);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + VL);
            c40.intoArray(c, ci + 4 * ldc);
            c41.intoArray(c, ci + 4 * ldc + VL);
            c50.intoArray(c, ci + 5 * ldc);
            c51.intoArray(c, ci + 5 * ldc + VL);
            c60.intoArray(c, ci + 6 * ldc);
            c61.intoArray(c, ci + 6 * ldc + VL);
            c70.intoArray(c, ci + 7 * ldc);
            c71.intoArray(c, ci + 7 * ldc + VL);
        }
    }

    /** The 6 x 2*VL register tile: C[0..6)[0..2*VL) (+)= Apanel @ Bpanel over kc depth steps. */
    private static void tile6x2(
            int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = ai + p * 6;
            int pb = bi + p * 2 * VL;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + VL);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[pa]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        // stores written out: a helper method would not be inlined into a body this large
        if (accumulate) {
            c00.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            c01.add(FloatVector.fromArray(S, c, ci + VL)).intoArray(c, ci + VL);
            c10.add(FloatVector.fromArray(S, c, ci + ldc)).intoArray(c, ci + ldc);
            c11.add(FloatVector.fromArray(S, c, ci + ldc + VL)).intoArray(c, ci + ldc + VL);
            c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
            c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + VL)).intoArray(c, ci + 2 * ldc + VL);
            c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
            c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + VL)).intoArray(c, ci + 3 * ldc + VL);
            c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
            c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + VL)).intoArray(c, ci + 4 * ldc + VL);
            c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
            c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + VL)).intoArray(c, ci + 5 * ldc + VL);
        } else {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + VL);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + VL);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + VL);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + VL);
            c40.intoArray(c, ci + 4 * ldc);
            c41.intoArray(c, ci + 4 * ldc + VL);
            c50.intoArray(c, ci + 5 * ldc);
            c51.intoArray(c, ci + 5 * ldc + VL);
        }
    }

    /**
     * The 12 x 2*VL register tile over A packed in 12-row panels (ap[ai + p*12 + r]): C[0..12)[0..2*VL) (+)= Apanel
     * @ Bpanel over kc depth steps.
     */
    private static void tile12x2(
            int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector ca0 = FloatVector.zero(S), ca1 = FloatVector.zero(S);
        FloatVector cb0 = FloatVector.zero(S), cb1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = ai + p * ROWS12;
            int pb = bi + p * 2 * VL;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + VL);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[pa]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[pa + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[pa + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(S, ap[pa + 8]);
            c80 = a.fma(b0, c80);
            c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(S, ap[pa + 9]);
            c90 = a.fma(b0, c90);
            c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(S, ap[pa + 10]);
            ca0 = a.fma(b0, ca0);
            ca1 = a.fma(b1, ca1);
            a = FloatVector.broadcast(S, ap[pa + 11]);
            cb0 = a.fma(b0, cb0);
            cb1 = a.fma(b1, cb1);
        }
        // stores written out: a helper method would not be inlined into a body this large
        if (accumulate) {
            c00.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            c01.add(FloatVector.fromArray(S, c, ci + VL)).intoArray(c, ci + VL);
            c10.add(FloatVector.fromArray(S, c, ci + ldc)).intoArray(c, ci + ldc);
            c11.add(FloatVector.fromArray(S, c, ci + ldc + VL)).intoArray(c, ci + ldc + VL);
            c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
            c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + VL)).intoArray(c, ci + 2 * ldc + VL);
            c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
            c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + VL)).intoArray(c, ci + 3 * ldc + VL);
            c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
            c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + VL)).intoArray(c, ci + 4 * ldc + VL);
            c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
            c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + VL)).intoArray(c, ci + 5 * ldc + VL);
            c60.add(FloatVector.fromArray(S, c, ci + 6 * ldc)).intoArray(c, ci + 6 * ldc);
            c61.add(FloatVector.fromArray(S, c, ci + 6 * ldc + VL)).intoArray(c, ci + 6 * ldc + VL);
            c70.add(FloatVector.fromArray(S, c, ci + 7 * ldc)).intoArray(c, ci + 7 * ldc);
            c71.add(FloatVector.fromArray(S, c, ci + 7 * ldc + VL)).intoArray(c, ci + 7 * ldc + VL);
            c80.add(FloatVector.fromArray(S, c, ci + 8 * ldc)).intoArray(c, ci + 8 * ldc);
            c81.add(FloatVector.fromArray(S, c, ci + 8 * ldc + VL)).intoArray(c, ci + 8 * ldc + VL);
            c90.add(FloatVector.fromArray(S, c, ci + 9 * ldc)).intoArray(c, ci + 9 * ldc);
            c91.add(FloatVector.fromArray(S, c, ci + 9 * ldc + VL)).intoArray(c, ci + 9 * ldc + VL);
            ca0.add(FloatVector.fromArray(S, c, ci + 10 * ldc)).intoArray(c, ci + 10 * ldc);
            ca1.add(FloatVector.fromArray(S, c, ci + 10 * ldc + VL)).intoArray(c, ci + 10 * ldc + VL);
            cb0.add(FloatVector.fromArray(S, c, ci + 11 * ldc)).intoArray(c, ci + 11 * ldc);
            cb1.add(FloatVector.fromArray(S, c, ci + 11 * ldc + VL)).intoArray(c, ci + 11 * ldc + VL);
        } else {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + VL);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + VL);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + VL);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + VL);
            c40.intoArray(c, ci + 4 * ldc);
            c41.intoArray(c, ci + 4 * ldc + VL);
            c50.intoArray(c, ci + 5 * ldc);
            c51.intoArray(c, ci + 5 * ldc + VL);
            c60.intoArray(c, ci + 6 * ldc);
            c61.intoArray(c, ci + 6 * ldc + VL);
            c70.intoArray(c, ci + 7 * ldc);
            c71.intoArray(c, ci + 7 * ldc + VL);
            c80.intoArray(c, ci + 8 * ldc);
            c81.intoArray(c, ci + 8 * ldc + VL);
            c90.intoArray(c, ci + 9 * ldc);
            c91.intoArray(c, ci + 9 * ldc + VL);
            ca0.intoArray(c, ci + 10 * ldc);
            ca1.intoArray(c, ci + 10 * ldc + VL);
            cb0.intoArray(c, ci + 11 * ldc);
            cb1.intoArray(c, ci + 11 * ldc + VL);
        }
    }
}
