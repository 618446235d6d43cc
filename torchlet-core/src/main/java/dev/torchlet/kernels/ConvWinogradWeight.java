package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient of a 3x3 stride-1 convolution (NCHW, training) by Winograd's F(4x4, 3x3), the transpose of
 * {@link ConvWinogradChannelsLast}'s forward: a quarter of the direct kernel's multiply-adds.
 *
 * <pre>
 *   forward, per 4 x 4 output tile t:  Y_t = A^T [ (G g G^T) . (B^T d_t B) ] A
 *   so                                 dg  = G^T [ sum_t (A dY_t A^T) . (B^T d_t B) ] G
 *   V[xi][t][ci]     = (B^T d_t[ci] B)[xi]       the forward's input transform (6 x 6 points xi = 6 a + b)
 *   W[xi][t][co]     = (A dY_t[co] A^T)[xi]      A (6, 4) = [[1, 0, 0, 0], [1, 1, 1, 1], [1, -1, 1, -1],
 *                                                             [1, 2, 4, 8], [1, -2, 4, -8], [0, 0, 0, 1]]
 *   M[xi][co][ci]    = sum over t of W[xi][t][co] V[xi][t][ci]      36 products (cout x tiles) @ (tiles x cin)
 *   gradW[co][ci]    = G^T M[.][co][ci] G        (3 x 3 from 6 x 6)
 * </pre>
 *
 * The input and the output gradient are transposed to channels-last (padded to whole tiles, zero outside the
 * image) so that both transforms run on vectors of channels. Tiles go in blocks: the threads transform a block's
 * tiles (V and W of the block), then share out the 36 points x 64-channel chunks of M, each adding the block's
 * tiles in order to its part of M. Every element of M is thus summed tile by tile in the same order whatever the
 * number of threads: one and two threads give the same bits. A block's transforms then its products are two
 * fork-joins; blocks are large (see {@link #blockTiles}) so that there are few.
 *
 * <p>Exactness: as the forward, the sums differ from the direct ones by rounding (A scales by up to 8, G^T by 1/24),
 * within the tolerances of ConvConformanceTest against the double-precision reference.
 */
public final class ConvWinogradWeight {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Input channels per product unit: 4 vectors, the register tile's width. */
    private static final int CHUNK = 4 * L;
    /** Transformed points per tile: 6 x 6. */
    private static final int POINTS = 36;
    /** Output pixels per tile side. */
    private static final int OUT = 4;
    /**
     * Floats a block's V and W may take together (2 MB, in the two cores' L2): with 16 MB blocks the transforms
     * ran 1.5x slower (their output left the caches), 64 -> 64 at 28 x 28 1.2x slower in all.
     */
    private static final int BLOCK_FLOATS = 1 << 19;
    /** Output channels per band of the products (see {@link #multiply}). */
    private static final int BAND = 96;
    /** Tiles per slice of the products. */
    private static final int SLICE = 64;
    /** Per thread: a tile's 6 x 6 transformed vectors. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[POINTS * L]);
    /** Fewest tiles (over the batch) for which it pays; see {@link #pays}. */
    private static final int MIN_TILES = 16;

    private static final FloatVector PLUS_4 = FloatVector.broadcast(S, 4f);

    private ConvWinogradWeight() {}

    /**
     * True when this kernel computes g's weight gradient: a {@link ConvWinogradChannelsLast#isPlain3x3 plain 3x3
     * convolution} with input channels a multiple of 4 vectors and output channels of whole vectors.
     */
    public static boolean applies(ConvGeometry g) {
        return ConvWinogradChannelsLast.isPlain3x3(g) && g.cin() % CHUNK == 0 && g.cout() % L == 0;
    }

    /**
     * True when g {@link #applies} with enough tiles that the transforms pay. Against the direct kernel (medians of
     * 15 calls, 2 threads): the DDPM U-Net's layers at batch 32, 28 x 28 (1568 tiles) 1.4-1.5x, 14 x 14 (512) 1.6-1.8x,
     * 7 x 7 (128, an 8 x 8 cover of 49 pixels) 1.7x; 512 -> 512 at 7 x 7, batch 16, 3.1x; 64 -> 64 at 14 x 14 on
     * one image (16 tiles) 1.5x, at 8 x 8 (4 tiles) 1.1x; 64 -> 64 at 14 x 14, batch 8, 0.9x.
     */
    public static boolean pays(ConvGeometry g) {
        return applies(g)
                && (long) g.n() * ConvWinogradChannelsLast.tilesH(g) * ConvWinogradChannelsLast.tilesW(g) >= MIN_TILES;
    }

    /**
     * gradW (cout, cin, 3, 3), overwritten, = the weight gradient of g for gradOut (n, cout, oh, ow) and its input
     * in (n, cin, h, w) at inOff.
     */
    public static void backwardWeight(ConvGeometry g, float[] gradOut, float[] in, int inOff, float[] gradW) {
        backwardWeight(g, gradOut, in, inOff, null, gradW);
    }

    /**
     * As {@link #backwardWeight(ConvGeometry, float[], float[], int, float[])}, reading the input from paddedInput
     * when it is not null: the padded channels-last copy of it that the forward left there
     * ({@link ConvWinogradChannelsLast#forwardNchw(ConvGeometry, float[], int, float[], float[], float[], float[],
     * float[])}).
     */
    public static void backwardWeight(
            ConvGeometry g, float[] gradOut, float[] in, int inOff, float[] paddedInput, float[] gradW) {
        if (!applies(g)) {
            throw new IllegalArgumentException("conv2d weight gradient (Winograd): not a geometry it runs: " + g);
        }
        int rows = ConvWinogradChannelsLast.tilesH(g) * OUT;
        int cols = ConvWinogradChannelsLast.tilesW(g) * OUT;
        float[] dy = ScratchBuffers.take(g.n() * rows * cols * g.cout());
        ConvWinogradChannelsLast.padFromNchw(g.n(), g.cout(), g.oh(), g.ow(), 0, 0, gradOut, 0, dy, rows, cols);
        backwardWeight(g, new PaddedGrad(dy, rows, cols, 0, 0), in, inOff, paddedInput, gradW);
        ScratchBuffers.give(dy);
    }

    /**
     * gradOut (n, cout, oh, ow) transposed to channels-last and zero-padded: its value (b, co, y, x) at
     * data[((b rows + offY + y) cols + offX + x) cout + co], zero wherever no value is, whole tiles of outputs from
     * (offY, offX) on included. The input gradient's Winograd pads gradOut this way as well, so that the two
     * gradients share one copy ({@link ConvWinogradChannelsLast#backwardNchw}).
     */
    record PaddedGrad(float[] data, int rows, int cols, int offY, int offX) {}

    /**
     * {@link #backwardWeight(ConvGeometry, float[], float[], int, float[])} on gradOut already padded, and on the input
     * already padded when paddedInput is not null.
     */
    static void backwardWeight(
            ConvGeometry g, PaddedGrad grad, float[] in, int inOff, float[] paddedInput, float[] gradW) {
        int cin = g.cin();
        int cout = g.cout();
        int tilesH = ConvWinogradChannelsLast.tilesH(g);
        int tilesW = ConvWinogradChannelsLast.tilesW(g);
        if (grad.offY() + tilesH * OUT > grad.rows() || grad.offX() + tilesW * OUT > grad.cols()) {
            throw new IllegalArgumentException("conv2d weight gradient (Winograd): a padded gradient of " + grad.rows()
                    + " x " + grad.cols() + " from (" + grad.offY() + ", " + grad.offX() + ") does not cover "
                    + tilesH + " x " + tilesW + " tiles of " + g);
        }
        int tiles = g.n() * tilesH * tilesW;
        int hp = tilesH * OUT + 2;
        int wp = tilesW * OUT + 2;
        float[] xp = paddedInput != null ? paddedInput : ScratchBuffers.take(g.n() * hp * wp * cin);
        if (paddedInput == null) {
            ConvWinogradChannelsLast.padFromNchw(g.n(), cin, g.h(), g.w(), g.ph(), g.pw(), in, inOff, xp, hp, wp);
        } else if (paddedInput.length < g.n() * hp * wp * cin) {
            throw new IllegalArgumentException("conv2d weight gradient (Winograd): the padded input holds "
                    + paddedInput.length + " floats, " + g.n() * hp * wp * cin + " needed for " + g);
        }
        float[] dy = grad.data();
        int t = blockTiles(tiles, cin, cout);
        float[] v = ScratchBuffers.take(POINTS * t * cin);
        float[] w = ScratchBuffers.take(POINTS * t * cout);
        float[] m = ScratchBuffers.take(POINTS * cout * cin);
        java.util.Arrays.fill(m, 0, POINTS * cout * cin, 0f);
        int chunks = cin / CHUNK;
        for (int first = 0; first < tiles; first += t) {
            int start = first;
            int count = Math.min(t, tiles - first);
            Parallel.forRange(count, 8, (s, e) -> {
                float[] scratch = SCRATCH.get();
                for (int i = s; i < e; i++) {
                    int tile = start + i;
                    int b = tile / (tilesH * tilesW);
                    int ty = tile % (tilesH * tilesW) / tilesW;
                    int tx = tile % tilesW;
                    int origin = ((b * hp + ty * OUT) * wp + tx * OUT) * cin;
                    ConvWinogradChannelsLast.transformInput(xp, origin, wp * cin, cin, v, i, t, scratch);
                    int dyOrigin =
                            ((b * grad.rows() + grad.offY() + ty * OUT) * grad.cols() + grad.offX() + tx * OUT) * cout;
                    transformGrad(dy, dyOrigin, grad.cols() * cout, cout, w, i, t, scratch);
                }
            });
            Parallel.forRangeDynamic(POINTS * chunks, 4, (s, e) -> {
                for (int unit = s; unit < e; unit++) {
                    int xi = unit / chunks;
                    int ci = unit % chunks * CHUNK;
                    multiply(w, v, m, xi, ci, t, count, cin, cout);
                }
            });
        }
        transformM(m, cout, cin, gradW);
        ScratchBuffers.give(m);
        ScratchBuffers.give(w);
        ScratchBuffers.give(v);
        if (paddedInput == null) {
            ScratchBuffers.give(xp);
        }
    }

    /**
     * Tiles per block: as many as keep the block's V and W (36 x tiles x (cin + cout) floats) within BLOCK_FLOATS,
     * but at least cin cout / (cin + cout), so that reading and writing M once per block (36 x cout x cin floats)
     * costs no more than the block's V and W (512 -> 512 at 7 x 7, batch 16: 64 tiles in 5 blocks ran 2.5x the
     * time of one block).
     */
    static int blockTiles(int tiles, int cin, int cout) {
        return blockTiles(tiles, cin, cout, BLOCK_FLOATS);
    }

    /** {@link #blockTiles(int, int, int)} for blocks of V and W (or M) within budget floats. */
    static int blockTiles(int tiles, int cin, int cout, int budget) {
        int fit = budget / (POINTS * (cin + cout));
        return Math.clamp(Math.max(fit, cin * cout / (cin + cout)), 1, tiles);
    }

    /**
     * M[xi][co][ci..ci + CHUNK] += sum over the block's count tiles k of W[xi][k][co] V[xi][k][ci..]: output
     * channels in bands of BAND, each band's tiles in slices of SLICE, so that the band's part of M and the slice's
     * V and W stay in L1 while the register tiles (6 rows, then 4) go through the band.
     */
    private static void multiply(float[] w, float[] v, float[] m, int xi, int ci, int t, int count, int cin, int cout) {
        for (int band = 0; band < cout; band += BAND) {
            int bandEnd = Math.min(cout, band + BAND);
            int sixesEnd = band + sixRows(bandEnd - band);
            for (int k = 0; k < count; k += SLICE) {
                int depth = Math.min(SLICE, count - k);
                int wOff = (xi * t + k) * cout;
                int vOff = (xi * t + k) * cin + ci;
                int co = band;
                for (; co < sixesEnd; co += 6) {
                    gemm6x4(w, wOff + co, cout, v, vOff, cin, depth, m, (xi * cout + co) * cin + ci);
                }
                for (; co < bandEnd; co += 4) {
                    gemm4x4(w, wOff + co, cout, v, vOff, cin, depth, m, (xi * cout + co) * cin + ci);
                }
            }
        }
    }

    /** Rows of a band (a multiple of 4) that go in tiles of 6, leaving a multiple of 4 for tiles of 4. */
    private static int sixRows(int rows) {
        return rows % 12 == 0 ? rows : rows % 12 == 4 ? rows - 4 : rows - 8;
    }

    /**
     * W[xi][row][co] = (A dY A^T)[xi] for the 4 x 4 channels-last gradient pixels dY from dy[origin] (rows
     * rowStride apart, pixels cout apart), every channel: 4 columns of 6 into scratch, then each of the 6 rows.
     */
    private static void transformGrad(
            float[] dy, int origin, int rowStride, int cout, float[] w, int row, int t, float[] scratch) {
        for (int co = 0; co < cout; co += L) {
            for (int j = 0; j < OUT; j++) {
                int p = origin + j * cout + co;
                transformGrad1d(
                        FloatVector.fromArray(S, dy, p),
                        FloatVector.fromArray(S, dy, p + rowStride),
                        FloatVector.fromArray(S, dy, p + 2 * rowStride),
                        FloatVector.fromArray(S, dy, p + 3 * rowStride),
                        scratch,
                        j * L,
                        OUT * L);
            }
            for (int a = 0; a < 6; a++) {
                int q = a * OUT * L;
                transformGrad1d(
                        FloatVector.fromArray(S, scratch, q),
                        FloatVector.fromArray(S, scratch, q + L),
                        FloatVector.fromArray(S, scratch, q + 2 * L),
                        FloatVector.fromArray(S, scratch, q + 3 * L),
                        w,
                        ((a * 6) * t + row) * cout + co,
                        t * cout);
            }
        }
    }

    /** A (s0..s3) into dst + k * stride for k = 0..5 (A as in the class comment). */
    private static void transformGrad1d(
            FloatVector s0, FloatVector s1, FloatVector s2, FloatVector s3, float[] dst, int off, int stride) {
        FloatVector even = s0.add(s2);
        FloatVector odd = s1.add(s3);
        FloatVector even4 = s2.fma(PLUS_4, s0); // s0 + 4 s2
        FloatVector odd2 = s3.fma(PLUS_4, s1).mul(2f); // 2 s1 + 8 s3
        s0.intoArray(dst, off);
        even.add(odd).intoArray(dst, off + stride);
        even.sub(odd).intoArray(dst, off + 2 * stride);
        even4.add(odd2).intoArray(dst, off + 3 * stride);
        even4.sub(odd2).intoArray(dst, off + 4 * stride);
        s3.intoArray(dst, off + 5 * stride);
    }

    /**
     * m[mOff + r * cin + ..] += sum over k < count of w[wOff + k * cout + r] * v[vOff + k * cin + ..] for the 4 rows
     * r (output channels) and 4 vectors (input channels): a 4 x 4-vector register tile over the block's tiles.
     */
    private static void gemm4x4(
            float[] w, int wOff, int cout, float[] v, int vOff, int cin, int count, float[] m, int mOff) {
        FloatVector a0_0 = FloatVector.fromArray(S, m, mOff);
        FloatVector a0_1 = FloatVector.fromArray(S, m, mOff + L);
        FloatVector a0_2 = FloatVector.fromArray(S, m, mOff + 2 * L);
        FloatVector a0_3 = FloatVector.fromArray(S, m, mOff + 3 * L);
        FloatVector a1_0 = FloatVector.fromArray(S, m, mOff + cin);
        FloatVector a1_1 = FloatVector.fromArray(S, m, mOff + cin + L);
        FloatVector a1_2 = FloatVector.fromArray(S, m, mOff + cin + 2 * L);
        FloatVector a1_3 = FloatVector.fromArray(S, m, mOff + cin + 3 * L);
        FloatVector a2_0 = FloatVector.fromArray(S, m, mOff + 2 * cin);
        FloatVector a2_1 = FloatVector.fromArray(S, m, mOff + 2 * cin + L);
        FloatVector a2_2 = FloatVector.fromArray(S, m, mOff + 2 * cin + 2 * L);
        FloatVector a2_3 = FloatVector.fromArray(S, m, mOff + 2 * cin + 3 * L);
        FloatVector a3_0 = FloatVector.fromArray(S, m, mOff + 3 * cin);
        FloatVector a3_1 = FloatVector.fromArray(S, m, mOff + 3 * cin + L);
        FloatVector a3_2 = FloatVector.fromArray(S, m, mOff + 3 * cin + 2 * L);
        FloatVector a3_3 = FloatVector.fromArray(S, m, mOff + 3 * cin + 3 * L);
        int wp = wOff;
        int vp = vOff;
        for (int k = 0; k < count; k++, wp += cout, vp += cin) {
            FloatVector v0 = FloatVector.fromArray(S, v, vp);
            FloatVector v1 = FloatVector.fromArray(S, v, vp + L);
            FloatVector v2 = FloatVector.fromArray(S, v, vp + 2 * L);
            FloatVector v3 = FloatVector.fromArray(S, v, vp + 3 * L);
            FloatVector x = FloatVector.broadcast(S, w[wp]);
            a0_0 = v0.fma(x, a0_0);
            a0_1 = v1.fma(x, a0_1);
            a0_2 = v2.fma(x, a0_2);
            a0_3 = v3.fma(x, a0_3);
            x = FloatVector.broadcast(S, w[wp + 1]);
            a1_0 = v0.fma(x, a1_0);
            a1_1 = v1.fma(x, a1_1);
            a1_2 = v2.fma(x, a1_2);
            a1_3 = v3.fma(x, a1_3);
            x = FloatVector.broadcast(S, w[wp + 2]);
            a2_0 = v0.fma(x, a2_0);
            a2_1 = v1.fma(x, a2_1);
            a2_2 = v2.fma(x, a2_2);
            a2_3 = v3.fma(x, a2_3);
            x = FloatVector.broadcast(S, w[wp + 3]);
            a3_0 = v0.fma(x, a3_0);
            a3_1 = v1.fma(x, a3_1);
            a3_2 = v2.fma(x, a3_2);
            a3_3 = v3.fma(x, a3_3);
        }
        a0_0.intoArray(m, mOff);
        a0_1.intoArray(m, mOff + L);
        a0_2.intoArray(m, mOff + 2 * L);
        a0_3.intoArray(m, mOff + 3 * L);
        a1_0.intoArray(m, mOff + cin);
        a1_1.intoArray(m, mOff + cin + L);
        a1_2.intoArray(m, mOff + cin + 2 * L);
        a1_3.intoArray(m, mOff + cin + 3 * L);
        a2_0.intoArray(m, mOff + 2 * cin);
        a2_1.intoArray(m, mOff + 2 * cin + L);
        a2_2.intoArray(m, mOff + 2 * cin + 2 * L);
        a2_3.intoArray(m, mOff + 2 * cin + 3 * L);
        a3_0.intoArray(m, mOff + 3 * cin);
        a3_1.intoArray(m, mOff + 3 * cin + L);
        a3_2.intoArray(m, mOff + 3 * cin + 2 * L);
        a3_3.intoArray(m, mOff + 3 * cin + 3 * L);
    }

    /** {@link #gemm4x4} for 6 rows (output channels): 24 accumulators. */
    private static void gemm6x4(
            float[] w, int wOff, int cout, float[] v, int vOff, int cin, int count, float[] m, int mOff) {
        FloatVector a0_0 = FloatVector.fromArray(S, m, mOff);
        FloatVector a0_1 = FloatVector.fromArray(S, m, mOff + L);
        FloatVector a0_2 = FloatVector.fromArray(S, m, mOff + 2 * L);
        FloatVector a0_3 = FloatVector.fromArray(S, m, mOff + 3 * L);
        FloatVector a1_0 = FloatVector.fromArray(S, m, mOff + cin);
        FloatVector a1_1 = FloatVector.fromArray(S, m, mOff + cin + L);
        FloatVector a1_2 = FloatVector.fromArray(S, m, mOff + cin + 2 * L);
        FloatVector a1_3 = FloatVector.fromArray(S, m, mOff + cin + 3 * L);
        FloatVector a2_0 = FloatVector.fromArray(S, m, mOff + 2 * cin);
        FloatVector a2_1 = FloatVector.fromArray(S, m, mOff + 2 * cin + L);
        FloatVector a2_2 = FloatVector.fromArray(S, m, mOff + 2 * cin + 2 * L);
        FloatVector a2_3 = FloatVector.fromArray(S, m, mOff + 2 * cin + 3 * L);
        FloatVector a3_0 = FloatVector.fromArray(S, m, mOff + 3 * cin);
        FloatVector a3_1 = FloatVector.fromArray(S, m, mOff + 3 * cin + L);
        FloatVector a3_2 = FloatVector.fromArray(S, m, mOff + 3 * cin + 2 * L);
        FloatVector a3_3 = FloatVector.fromArray(S, m, mOff + 3 * cin + 3 * L);
        FloatVector a4_0 = FloatVector.fromArray(S, m, mOff + 4 * cin);
        FloatVector a4_1 = FloatVector.fromArray(S, m, mOff + 4 * cin + L);
        FloatVector a4_2 = FloatVector.fromArray(S, m, mOff + 4 * cin + 2 * L);
        FloatVector a4_3 = FloatVector.fromArray(S, m, mOff + 4 * cin + 3 * L);
        FloatVector a5_0 = FloatVector.fromArray(S, m, mOff + 5 * cin);
        FloatVector a5_1 = FloatVector.fromArray(S, m, mOff + 5 * cin + L);
        FloatVector a5_2 = FloatVector.fromArray(S, m, mOff + 5 * cin + 2 * L);
        FloatVector a5_3 = FloatVector.fromArray(S, m, mOff + 5 * cin + 3 * L);
        int wp = wOff;
        int vp = vOff;
        for (int k = 0; k < count; k++, wp += cout, vp += cin) {
            FloatVector v0 = FloatVector.fromArray(S, v, vp);
            FloatVector v1 = FloatVector.fromArray(S, v, vp + L);
            FloatVector v2 = FloatVector.fromArray(S, v, vp + 2 * L);
            FloatVector v3 = FloatVector.fromArray(S, v, vp + 3 * L);
            FloatVector x = FloatVector.broadcast(S, w[wp]);
            a0_0 = v0.fma(x, a0_0);
            a0_1 = v1.fma(x, a0_1);
            a0_2 = v2.fma(x, a0_2);
            a0_3 = v3.fma(x, a0_3);
            x = FloatVector.broadcast(S, w[wp + 1]);
            a1_0 = v0.fma(x, a1_0);
            a1_1 = v1.fma(x, a1_1);
            a1_2 = v2.fma(x, a1_2);
            a1_3 = v3.fma(x, a1_3);
            x = FloatVector.broadcast(S, w[wp + 2]);
            a2_0 = v0.fma(x, a2_0);
            a2_1 = v1.fma(x, a2_1);
            a2_2 = v2.fma(x, a2_2);
            a2_3 = v3.fma(x, a2_3);
            x = FloatVector.broadcast(S, w[wp + 3]);
            a3_0 = v0.fma(x, a3_0);
            a3_1 = v1.fma(x, a3_1);
            a3_2 = v2.fma(x, a3_2);
            a3_3 = v3.fma(x, a3_3);
            x = FloatVector.broadcast(S, w[wp + 4]);
            a4_0 = v0.fma(x, a4_0);
            a4_1 = v1.fma(x, a4_1);
            a4_2 = v2.fma(x, a4_2);
            a4_3 = v3.fma(x, a4_3);
            x = FloatVector.broadcast(S, w[wp + 5]);
            a5_0 = v0.fma(x, a5_0);
            a5_1 = v1.fma(x, a5_1);
            a5_2 = v2.fma(x, a5_2);
            a5_3 = v3.fma(x, a5_3);
        }
        a0_0.intoArray(m, mOff);
        a0_1.intoArray(m, mOff + L);
        a0_2.intoArray(m, mOff + 2 * L);
        a0_3.intoArray(m, mOff + 3 * L);
        a1_0.intoArray(m, mOff + cin);
        a1_1.intoArray(m, mOff + cin + L);
        a1_2.intoArray(m, mOff + cin + 2 * L);
        a1_3.intoArray(m, mOff + cin + 3 * L);
        a2_0.intoArray(m, mOff + 2 * cin);
        a2_1.intoArray(m, mOff + 2 * cin + L);
        a2_2.intoArray(m, mOff + 2 * cin + 2 * L);
        a2_3.intoArray(m, mOff + 2 * cin + 3 * L);
        a3_0.intoArray(m, mOff + 3 * cin);
        a3_1.intoArray(m, mOff + 3 * cin + L);
        a3_2.intoArray(m, mOff + 3 * cin + 2 * L);
        a3_3.intoArray(m, mOff + 3 * cin + 3 * L);
        a4_0.intoArray(m, mOff + 4 * cin);
        a4_1.intoArray(m, mOff + 4 * cin + L);
        a4_2.intoArray(m, mOff + 4 * cin + 2 * L);
        a4_3.intoArray(m, mOff + 4 * cin + 3 * L);
        a5_0.intoArray(m, mOff + 5 * cin);
        a5_1.intoArray(m, mOff + 5 * cin + L);
        a5_2.intoArray(m, mOff + 5 * cin + 2 * L);
        a5_3.intoArray(m, mOff + 5 * cin + 3 * L);
    }

    /**
     * gradW[co][ci][ky][kx] = (G^T M[.][co][ci] G)[ky][kx] for m (36, cout, cin), a vector of input channels at a
     * time: G^T down the 6 point rows, then along the rows, then each channel's 9 results stored together.
     */
    private static void transformM(float[] m, int cout, int cin, float[] gradW) {
        int plane = cout * cin;
        Parallel.forRange(cout, 4, (s, e) -> {
            float[] rows = new float[18 * L]; // G^T applied down the columns: (3, 6) vectors
            float[] out = new float[9 * L];
            for (int co = s; co < e; co++) {
                for (int ci = 0; ci < cin; ci += L) {
                    int base = co * cin + ci;
                    for (int b = 0; b < 6; b++) {
                        int p = base + b * plane;
                        transformM1d(
                                FloatVector.fromArray(S, m, p),
                                FloatVector.fromArray(S, m, p + 6 * plane),
                                FloatVector.fromArray(S, m, p + 12 * plane),
                                FloatVector.fromArray(S, m, p + 18 * plane),
                                FloatVector.fromArray(S, m, p + 24 * plane),
                                FloatVector.fromArray(S, m, p + 30 * plane),
                                rows,
                                b * L,
                                6 * L);
                    }
                    for (int ky = 0; ky < 3; ky++) {
                        int q = ky * 6 * L;
                        transformM1d(
                                FloatVector.fromArray(S, rows, q),
                                FloatVector.fromArray(S, rows, q + L),
                                FloatVector.fromArray(S, rows, q + 2 * L),
                                FloatVector.fromArray(S, rows, q + 3 * L),
                                FloatVector.fromArray(S, rows, q + 4 * L),
                                FloatVector.fromArray(S, rows, q + 5 * L),
                                out,
                                ky * 3 * L,
                                L);
                    }
                    for (int lane = 0; lane < L; lane++) {
                        for (int k = 0; k < 9; k++) {
                            gradW[(base + lane) * 9 + k] = out[k * L + lane];
                        }
                    }
                }
            }
        });
    }

    /**
     * G^T (m0..m5) into dst + k * stride for k = 0..2, with G^T = [[1/4, -1/6, -1/6, 1/24, 1/24, 0], [0, -1/6, 1/6,
     * 1/12, -1/12, 0], [0, -1/6, -1/6, 1/6, 1/6, 1]].
     */
    private static void transformM1d(
            FloatVector m0,
            FloatVector m1,
            FloatVector m2,
            FloatVector m3,
            FloatVector m4,
            FloatVector m5,
            float[] dst,
            int off,
            int stride) {
        FloatVector s12 = m1.add(m2);
        FloatVector d12 = m2.sub(m1);
        FloatVector s34 = m3.add(m4);
        FloatVector d34 = m3.sub(m4);
        m0.mul(0.25f).add(s34.mul(1f / 24)).sub(s12.mul(1f / 6)).intoArray(dst, off);
        d12.mul(1f / 6).add(d34.mul(1f / 12)).intoArray(dst, off + stride);
        s34.sub(s12).mul(1f / 6).add(m5).intoArray(dst, off + 2 * stride);
    }
}
