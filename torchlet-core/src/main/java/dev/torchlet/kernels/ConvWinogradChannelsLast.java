package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 3x3 stride-1 convolution on channels-last (NHWC) activations by Winograd's minimal filtering F(4x4, 3x3)
 * (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2015): each 4 x 4 block of output pixels
 * (a tile) comes from the 6 x 6 input pixels under it through 36 products per (input, output) channel pair
 * instead of the direct kernel's 144, a quarter of the multiply-adds.
 *
 * <pre>
 *   per tile and channel pair:  Y = A^T [ (G g G^T) . (B^T d B) ] A          (. elementwise over the 6 x 6 points)
 *   d (6, 6) input patch, g (3, 3) filter, Y (4, 4) output; B^T (6, 6), G (6, 3), A^T (4, 6) below
 *   U[xi][ci][co] = (G g[co][ci] G^T)[xi]           filter transform, once per weight (pack)
 *   V[xi][t][ci]  = (B^T d[t][ci] B)[xi]            input transform, per tile t
 *   M[xi][t][co]  = sum_ci V[xi][t][ci] U[xi][ci][co]   36 GEMMs (tiles x cin) @ (cin x cout)
 *   out[t][co]    = clamp(A^T M[.][t][co] A + bias[co] (+ residual), lo, hi)
 * </pre>
 *
 * On channels-last data every transform is elementwise across the channels, so it runs on whole vectors of
 * channels with no shuffles; the GEMMs use the direct kernel's register tile (4 vectors of output channels x 6
 * rows, here 6 tiles). Work is cut into blocks of up to 24 tiles (see {@link #blockTiles}; for one output channel
 * group of 4 vectors) whose V and M stay in the thread's L2: transform the block's inputs, multiply, transform the
 * products back, store. Taken only where it pays ({@link #pays}): with few tiles (7 x 7 and 14 x 14 images at
 * batch 1) the 36 transformed filters, four times the direct kernel's floats, are read for too little arithmetic.
 *
 * <p>Training's NCHW kernels ({@link ConvKernels}) call it too ({@link #forwardNchw}, {@link #backwardInputNchw}:
 * the input gradient of a 3x3 stride-1 convolution is one, over the flipped filters), transposing on the way in
 * and out and transforming the filters on every call; a training batch's many tiles run in large blocks, point by
 * point ({@link #runBatched}), so that each transformed filter is read a few times a call, not once per 24 tiles.
 *
 * <p>Exactness: the transforms scale by at most 5 and 1/24, so the result differs from the direct sum by rounding
 * (its largest error lies between 1e-6 and 1e-5 of the terms' magnitude against a double-precision reference:
 * see ConvChannelsLastConformanceTest).
 */
public final class ConvWinogradChannelsLast {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Output channels per packed group: 4 vectors, the register tile's width. */
    static final int GROUP = 4 * L;
    /** Transformed points per tile: 6 x 6. */
    private static final int POINTS = 36;
    /** Output pixels per tile side. */
    private static final int OUT = 4;
    /** Per thread: a tile's 6 x 6 transformed vectors, then one output row's 4 (runUnits does not nest). */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[(POINTS + OUT) * L]);
    /** Tiles per register tile (the GEMM's rows). */
    private static final int ROWS = 6;
    /** Floats of V a block may take (with M and a filter's slice it stays within a 1 MB L2). */
    private static final int V_BUDGET = 96 * 1024;
    /**
     * Floats of V and M a block of {@link #runBatched} may take (8 MB): the DDPM U-Net's layers at batch 32 ran
     * 1.05-1.15x with these than with 2 MB blocks (fewer joins), 16 MB ones lost on 192 input channels.
     */
    private static final int BATCH_BLOCK_FLOATS = 1 << 21;
    /** A core's L2, in floats (1 MB: the smaller of the machines measured). */
    private static final int L2_FLOATS = 256 * 1024;
    /**
     * Fewest tiles (over the batch) for which Winograd pays: below it the direct kernel runs. Alone, a 256 -> 256
     * layer at 14 x 14, batch 1 (16 tiles), ran 1.85x the direct kernel; inside ResNet-18 and ResNet-50 at batch 1,
     * where every layer's weights come from memory rather than cache, taking those layers too was 1.00x (ZooAB), for
     * 4x the weights' memory, so they stay direct.
     */
    private static final int MIN_TILES = 32;

    /** G's rows: the 6 values of a filter row or column at the points 0, 1, -1, 2, -2 and infinity. */
    private static final float[][] G = {
        {0.25f, 0f, 0f},
        {-1f / 6, -1f / 6, -1f / 6},
        {-1f / 6, 1f / 6, -1f / 6},
        {1f / 24, 1f / 12, 1f / 6},
        {1f / 24, -1f / 12, 1f / 6},
        {0f, 0f, 1f}
    };

    private static final FloatVector MINUS_4 = FloatVector.broadcast(S, -4f);
    private static final FloatVector MINUS_5 = FloatVector.broadcast(S, -5f);
    private static final FloatVector PLUS_2 = FloatVector.broadcast(S, 2f);
    private static final FloatVector PLUS_4 = FloatVector.broadcast(S, 4f);
    private static final FloatVector PLUS_8 = FloatVector.broadcast(S, 8f);

    private ConvWinogradChannelsLast() {}

    /**
     * True when this kernel computes g: a {@link #isPlain3x3 plain 3x3 convolution} with input channels a multiple
     * of the vector length and output channels of whole groups.
     */
    public static boolean applies(ConvGeometry g) {
        return isPlain3x3(g) && g.cin() % L == 0 && g.cout() % GROUP == 0;
    }

    /**
     * Ungrouped 3x3, stride 1, dilation 1, the usual output size (h + 2 ph - 2), on a CPU with 32 vector registers:
     * what the Winograd kernels ({@link ConvWinogradWeight} too) need of a geometry besides channel counts.
     */
    static boolean isPlain3x3(ConvGeometry g) {
        return Simd.VECTOR_REGISTERS >= 32
                && g.groups() == 1
                && g.kh() == 3
                && g.kw() == 3
                && g.sh() == 1
                && g.sw() == 1
                && g.dh() == 1
                && g.dw() == 1
                && g.oh() == g.h() + 2 * g.ph() - 2
                && g.ow() == g.w() + 2 * g.pw() - 2
                && g.oh() > 0
                && g.ow() > 0;
    }

    /** True when g {@link #applies} and has enough tiles for the transforms to pay (see the class comment). */
    public static boolean pays(ConvGeometry g) {
        return applies(g) && (long) g.n() * tilesH(g) * tilesW(g) >= MIN_TILES;
    }

    static int tilesH(ConvGeometry g) {
        return (g.oh() + OUT - 1) / OUT;
    }

    static int tilesW(ConvGeometry g) {
        return (g.ow() + OUT - 1) / OUT;
    }

    /** Floats of the packed (transformed) weights: 36 * cin * cout. */
    public static int packedLength(ConvGeometry g) {
        return POINTS * g.cin() * g.cout();
    }

    /**
     * Transforms w (cout, cin, 3, 3) into U = G g G^T, packed as {@code [group][xi][ci][GROUP]}: group grp's
     * point xi starts at (grp * 36 + xi) * cin * GROUP.
     */
    public static float[] pack(ConvGeometry g, float[] w) {
        float[] packed = new float[packedLength(g)];
        pack(g, w, false, packed);
        return packed;
    }

    /**
     * {@link #pack} into packed (at least {@link #packedLength} floats). Work in (group, input channel) units: the
     * unit's 64 filters are gathered tap-major (taps[k][lane]), then transformed a vector of 16 filters at a time,
     * each point's 16 values stored where the packed layout wants them. Training's NCHW kernels pack on every call
     * (twice a step: forward and input gradient), so this runs on vectors (in float: the same values as a
     * transform in double within a few units in the last place, far below the products' own rounding). With
     * {@code flipped}, g is the {@link #inputGradGeometry} of the convolution whose filters w holds: g's filter
     * (co, ci) is w's filter (ci, co) turned by 180 degrees, gathered so without a flipped copy.
     */
    private static void pack(ConvGeometry g, float[] w, boolean flipped, float[] packed) {
        if (!applies(g)) {
            throw new IllegalArgumentException("conv2d (Winograd): not a 3x3 stride-1 convolution it runs: " + g);
        }
        int cin = g.cin();
        Parallel.forRange(g.cout() / GROUP * cin, 16, (s, e) -> {
            float[] taps = new float[9 * GROUP];
            for (int unit = s; unit < e; unit++) {
                int grp = unit / cin;
                int ci = unit % cin;
                for (int lane = 0; lane < GROUP; lane++) {
                    int co = grp * GROUP + lane;
                    if (flipped) { // g's filter (co, ci) is w's filter (ci, co) turned by 180 degrees
                        int src = (ci * g.cout() + co) * 9;
                        for (int k = 0; k < 9; k++) {
                            taps[k * GROUP + lane] = w[src + 8 - k];
                        }
                    } else {
                        int src = (co * cin + ci) * 9;
                        for (int k = 0; k < 9; k++) {
                            taps[k * GROUP + lane] = w[src + k];
                        }
                    }
                }
                int dst = (grp * POINTS * cin + ci) * GROUP;
                for (int j = 0; j < GROUP; j += L) {
                    transformFilters(taps, j, packed, dst + j, cin * GROUP);
                }
            }
        });
    }

    /**
     * U = G g G^T for the L filters whose 9 taps are taps[k * GROUP + off] (k = ky * 3 + kx), point xi = 6 i + b
     * stored at out[dst + xi * stride]: per row i of G, (G g)[i] (3 vectors), then its 6 products with G's rows.
     */
    private static void transformFilters(float[] taps, int off, float[] out, int dst, int stride) {
        FloatVector g00 = FloatVector.fromArray(S, taps, off);
        FloatVector g01 = FloatVector.fromArray(S, taps, GROUP + off);
        FloatVector g02 = FloatVector.fromArray(S, taps, 2 * GROUP + off);
        FloatVector g10 = FloatVector.fromArray(S, taps, 3 * GROUP + off);
        FloatVector g11 = FloatVector.fromArray(S, taps, 4 * GROUP + off);
        FloatVector g12 = FloatVector.fromArray(S, taps, 5 * GROUP + off);
        FloatVector g20 = FloatVector.fromArray(S, taps, 6 * GROUP + off);
        FloatVector g21 = FloatVector.fromArray(S, taps, 7 * GROUP + off);
        FloatVector g22 = FloatVector.fromArray(S, taps, 8 * GROUP + off);
        for (int i = 0; i < 6; i++) {
            float[] r = G[i];
            FloatVector h0 = g00.mul(r[0]).add(g10.mul(r[1])).add(g20.mul(r[2])); // (G g)[i][0]
            FloatVector h1 = g01.mul(r[0]).add(g11.mul(r[1])).add(g21.mul(r[2]));
            FloatVector h2 = g02.mul(r[0]).add(g12.mul(r[1])).add(g22.mul(r[2]));
            for (int b = 0; b < 6; b++) {
                float[] c = G[b];
                h0.mul(c[0]).add(h1.mul(c[1])).add(h2.mul(c[2])).intoArray(out, dst + (i * 6 + b) * stride);
            }
        }
    }

    /**
     * out (n, oh, ow, cout) = clamp(conv(in, w) + bias (+ residual), lo, hi) for in (n, h, w, cin) at inOff, the
     * weights packed by {@link #pack}; bias and residual (n, oh, ow, cout) at residualOff may be null.
     */
    public static void forward(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] packed,
            float[] bias,
            float[] residual,
            int residualOff,
            float[] out,
            float lo,
            float hi) {
        if (!applies(g)) {
            throw new IllegalArgumentException("conv2d (Winograd): not a 3x3 stride-1 convolution it runs: " + g);
        }
        Call c = new Call(
                g, packed, bias == null ? new float[g.cout()] : bias, residual, residualOff, out, lo, hi, false);
        c.xp = ScratchBuffers.take(g.n() * c.hp * c.wp * g.cin());
        ConvChannelsLast.pad(g, in, inOff, c.xp, c.hp, c.wp); // zero past the image, to whole tiles
        run(c);
        ScratchBuffers.give(c.xp);
    }

    /** Runs every unit of c, the threads claiming chunks of them. */
    private static void run(Call c) {
        if (readsFiltersOften(c)) {
            runBatched(c, batchTiles(c.g));
            return;
        }
        // units in (block, group) order; with blocks enough for every thread a chunk is a whole block (its inputs
        // transformed once for all groups), else one unit (a block's inputs transformed once per group)
        int units = c.blocks * c.groups;
        int threads = Parallel.numThreads();
        int chunks = c.blocks >= 4 * threads ? c.blocks : units;
        Parallel.forRangeDynamic(units, Math.max(1, chunks / threads), (s, e) -> runUnits(c, s, e));
    }

    /**
     * The same convolution on NCHW arrays, for training's kernels ({@link ConvKernels}): out (n, cout, oh, ow) =
     * clamp(conv(in (n, cin, h, w) at inOff, w) + bias (+ residual (n, cout, oh, ow)), lo, hi), with w (cout, cin,
     * 3, 3) as it is (transformed on every call: a training step changes it). The input is transposed into the
     * padded channels-last scratch array the kernel reads anyway; the output transform writes each tile's pixels
     * straight into the NCHW planes (a vector of channels scattered a plane apart), adding the residual and
     * clamping on the way.
     */
    public static void forwardNchw(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] residual,
            float[] out,
            float lo,
            float hi) {
        forwardNchw(g, in, inOff, w, bias, residual, out, lo, hi, batchTiles(g), null);
    }

    /**
     * {@link #forwardNchw} without a clamp (residual may be null), leaving the padded channels-last copy of in that it
     * makes in paddedInput ({@link #paddedInputLength} floats or more), for the weight gradient to read
     * ({@link ConvWinogradWeight}).
     */
    public static void forwardNchw(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] residual,
            float[] out,
            float[] paddedInput) {
        if (paddedInput.length < paddedInputLength(g)) {
            throw new IllegalArgumentException("conv2d (Winograd): the padded input buffer holds " + paddedInput.length
                    + " floats, " + paddedInputLength(g) + " needed for " + g);
        }
        float lo = Float.NEGATIVE_INFINITY;
        float hi = Float.POSITIVE_INFINITY;
        forwardNchw(g, in, inOff, w, bias, residual, out, lo, hi, batchTiles(g), paddedInput);
    }

    /**
     * Floats of the padded channels-last copy (n, hp, wp, cin) of g's input that {@link #forwardNchw} and the weight
     * gradient read: hp and wp cover whole tiles of outputs plus the 3x3 window's two extra rows and columns.
     */
    public static int paddedInputLength(ConvGeometry g) {
        return g.n() * (tilesH(g) * OUT + 2) * (tilesW(g) * OUT + 2) * g.cin();
    }

    /**
     * {@link #forwardNchw} in blocks of tilesPerBlock tiles (package-private: the tests take small blocks); the padded
     * input goes to paddedInput, or to a scratch buffer when it is null.
     */
    static void forwardNchw(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] residual,
            float[] out,
            float lo,
            float hi,
            int tilesPerBlock,
            float[] paddedInput) {
        float[] packed = ScratchBuffers.take(packedLength(g));
        pack(g, w, false, packed);
        forwardNchwPacked(g, in, inOff, packed, bias, residual, out, lo, hi, tilesPerBlock, paddedInput);
        ScratchBuffers.give(packed);
    }

    /** Tiles per block of {@link #runBatched}: see {@link #BATCH_BLOCK_FLOATS}. */
    private static int batchTiles(ConvGeometry g) {
        int tiles = g.n() * tilesH(g) * tilesW(g);
        return ConvWinogradWeight.blockTiles(tiles, g.cin(), g.cout(), BATCH_BLOCK_FLOATS);
    }

    /** {@link #forwardNchw} with the weights already {@link #pack packed}. */
    private static void forwardNchwPacked(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] packed,
            float[] bias,
            float[] residual,
            float[] out,
            float lo,
            float hi,
            int tilesPerBlock,
            float[] paddedInput) {
        Call c = nchwCall(g, in, inOff, packed, bias, residual, out, lo, hi, paddedInput);
        runBatched(c, tilesPerBlock);
        if (paddedInput == null) {
            ScratchBuffers.give(c.xp);
        }
    }

    /**
     * A call on NCHW in and NCHW out; in's padded channels-last copy goes to paddedInput, or to an array taken from
     * ScratchBuffers when it is null.
     */
    private static Call nchwCall(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] packed,
            float[] bias,
            float[] residual,
            float[] out,
            float lo,
            float hi,
            float[] paddedInput) {
        Call c = new Call(g, packed, bias == null ? new float[g.cout()] : bias, residual, 0, out, lo, hi, true);
        c.xp = paddedInput != null ? paddedInput : ScratchBuffers.take(g.n() * c.hp * c.wp * g.cin());
        padFromNchw(g.n(), g.cin(), g.h(), g.w(), g.ph(), g.pw(), in, inOff, c.xp, c.hp, c.wp);
        return c;
    }

    /**
     * True when {@link #run}'s small blocks would read transformed filters that do not fit in a core's L2 (1 MB)
     * more than twice per thread: a batch's many tiles (ResNet-18 at batch 16: from 28 x 28 down), not batch 1.
     */
    private static boolean readsFiltersOften(Call c) {
        return (long) POINTS * c.g.cin() * c.g.cout() > L2_FLOATS && c.blocks > 2 * Parallel.numThreads();
    }

    /**
     * Runs c (a training batch: many tiles) in blocks of many tiles, each in three passes, the threads sharing each:
     * transform the block's inputs (V), multiply point by point (M[xi] = V[xi] U[xi], a thread taking one point
     * and output channel group at a time, so that U[xi]'s cin x 64 floats stay in its caches for the whole block),
     * transform the block's outputs back. {@link #run}'s small blocks (at most 24 tiles, for batch-1 inference)
     * read all of U again per block: for the DDPM U-Net's 256 -> 128 at 14 x 14, batch 32, 400 MB of U a call.
     * Blocks are at least as large as ConvWinogradWeight's, for the same reason (U's traffic below V's and M's).
     */
    private static void runBatched(Call c, int t) {
        int cin = c.g.cin();
        int cout = c.g.cout();
        int rows = (t + ROWS - 1) / ROWS * ROWS; // V and M rows per point: whole register tiles
        float[] v = ScratchBuffers.take(POINTS * rows * cin);
        float[] m = ScratchBuffers.take(POINTS * rows * cout); // [group][xi][rows][GROUP]
        int groups = c.groups;
        for (int first = 0; first < c.tiles; first += t) {
            int start = first;
            int count = Math.min(t, c.tiles - first);
            Parallel.forRange(count, 8, (s, e) -> {
                float[] scratch = SCRATCH.get();
                for (int i = s; i < e; i++) {
                    int tile = start + i;
                    int perImage = c.tilesH * c.tilesW;
                    int b = tile / perImage;
                    int origin = ((b * c.hp + tile % perImage / c.tilesW * OUT) * c.wp + tile % c.tilesW * OUT) * cin;
                    transformInput(c.xp, origin, c.wp * cin, cin, v, i, rows, scratch);
                }
            });
            Parallel.forRangeDynamic(POINTS * groups, 4, (s, e) -> {
                for (int unit = s; unit < e; unit++) {
                    int grp = unit / POINTS;
                    int xi = unit % POINTS;
                    int uOff = (grp * POINTS + xi) * cin * GROUP;
                    int mOff = (grp * POINTS + xi) * rows * GROUP;
                    for (int r = 0; r < count; r += ROWS) { // rows past count hold stale V: their M is not read
                        gemm6x4(v, (xi * rows + r) * cin, cin, c.packed, uOff, m, mOff + r * GROUP);
                    }
                }
            });
            Parallel.forRange(count, 8, (s, e) -> {
                float[] scratch = SCRATCH.get();
                for (int i = s; i < e; i++) {
                    for (int grp = 0; grp < groups; grp++) {
                        transformOutput(c, start + i, grp, m, grp * POINTS * rows * GROUP, i, rows, scratch);
                    }
                }
            });
        }
        ScratchBuffers.give(m);
        ScratchBuffers.give(v);
    }

    /**
     * The input gradient of the 3x3 stride-1 convolution g (NCHW, padding at most 2) as a Winograd forward
     * convolution: gradIn (n, cin, h, w) = conv(gradOut, w') with w'[ci][co][ky][kx] = w[co][ci][2-ky][2-kx] and
     * padding 2 - p, which gives back the input's size.
     */
    public static void backwardInputNchw(ConvGeometry g, float[] gradOut, float[] w, float[] gradIn) {
        ConvGeometry t = inputGradGeometry(g);
        float[] packed = ScratchBuffers.take(packedLength(t));
        pack(t, w, true, packed); // w' gathered from w as it is packed
        forwardNchwPacked(
                t,
                gradOut,
                0,
                packed,
                null,
                null,
                gradIn,
                Float.NEGATIVE_INFINITY,
                Float.POSITIVE_INFINITY,
                batchTiles(t),
                null);
        ScratchBuffers.give(packed);
    }

    /**
     * Both gradients of g, gradIn by {@link #backwardInputNchw} and gradW by {@link ConvWinogradWeight}, gradOut
     * transposed to channels-last once for both: the input gradient's padded copy of it covers the weight gradient's
     * tiles (from the padding's offset on) whenever {@link #sharesPaddedGrad}.
     */
    public static void backwardNchw(
            ConvGeometry g,
            float[] gradOut,
            float[] w,
            float[] in,
            int inOff,
            float[] paddedInput,
            float[] gradIn,
            float[] gradW) {
        if (!sharesPaddedGrad(g)) {
            throw new IllegalArgumentException("conv2d gradients (Winograd): no shared padded gradient for " + g);
        }
        ConvGeometry t = inputGradGeometry(g);
        float[] packed = ScratchBuffers.take(packedLength(t));
        pack(t, w, true, packed);
        Call c = nchwCall(
                t, gradOut, 0, packed, null, null, gradIn, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, null);
        runBatched(c, batchTiles(t));
        ScratchBuffers.give(packed);
        var padded = new ConvWinogradWeight.PaddedGrad(c.xp, c.hp, c.wp, t.ph(), t.pw());
        ConvWinogradWeight.backwardWeight(g, padded, in, inOff, paddedInput, gradW);
        ScratchBuffers.give(c.xp);
    }

    /**
     * True when both of g's gradients run as Winograd convolutions ({@link #paysForInputGrad}, {@link
     * ConvWinogradWeight#pays}) and the input gradient's padded copy of gradOut covers the weight gradient's tiles:
     * padding 1 (the usual 3x3 "same" convolution) or 0.
     */
    public static boolean sharesPaddedGrad(ConvGeometry g) {
        return paysForInputGrad(g) && ConvWinogradWeight.pays(g) && g.ph() <= 1 && g.pw() <= 1;
    }

    /** The forward convolution whose output is g's input gradient (see {@link #backwardInputNchw}). */
    static ConvGeometry inputGradGeometry(ConvGeometry g) {
        return new ConvGeometry(
                g.n(), g.cout(), g.oh(), g.ow(), g.cin(), 3, 3, 1, 1, 2 - g.ph(), 2 - g.pw(), 1, 1, 1, g.h(), g.w());
    }

    /**
     * True when {@link #forwardNchw} pays for g: as {@link #pays}, with at least 64 input channels (the transposes
     * and the filter transform of every call cost more than the shorter products save below that: the MNIST CNN's
     * 32 -> 64 at 26 x 26, batch 64, ran 0.93x the direct kernel; the DDPM U-Net's 64 to 256 channel layers
     * 1.3-1.6x, forward and input gradient).
     */
    public static boolean paysNchw(ConvGeometry g) {
        return pays(g) && g.cin() >= 64;
    }

    /** True when g's input gradient can run as a Winograd convolution: padding at most 2 (see above). */
    public static boolean appliesToInputGrad(ConvGeometry g) {
        return applies(g) && g.ph() <= 2 && g.pw() <= 2 && applies(inputGradGeometry(g));
    }

    /** True when g's input gradient {@link #appliesToInputGrad can run} as a Winograd convolution and pays. */
    public static boolean paysForInputGrad(ConvGeometry g) {
        return appliesToInputGrad(g) && paysNchw(inputGradGeometry(g));
    }

    /**
     * Copies in (n, channels, h, w) at inOff into xp (n, hp, wp, channels) at (ph, pw), transposed, zero everywhere
     * else, channels a multiple of L: per pixel, a vector of L channels gathered a plane apart and stored whole
     * (1.5-1.8x scattering a vector of L pixels of one channel `channels` apart, one thread, 64 x 28 x 28 and 128 x
     * 14 x 14 at batch 32).
     */
    static void padFromNchw(
            int n, int channels, int h, int w, int ph, int pw, float[] in, int inOff, float[] xp, int hp, int wp) {
        if (channels % L != 0) {
            throw new IllegalArgumentException("padFromNchw: " + channels + " channels, not whole vectors of " + L);
        }
        int hw = h * w;
        int rowOut = wp * channels;
        int[] planesApart = strided(hw);
        Parallel.forRange(n * hp, 4, (s, e) -> {
            for (int r = s; r < e; r++) {
                int b = r / hp;
                int y = r % hp - ph;
                int dst = r * rowOut;
                if (y < 0 || y >= h) {
                    java.util.Arrays.fill(xp, dst, dst + rowOut, 0f);
                    continue;
                }
                int first = dst + pw * channels;
                java.util.Arrays.fill(xp, dst, first, 0f);
                java.util.Arrays.fill(xp, first + w * channels, dst + rowOut, 0f);
                for (int x = 0; x < w; x++) {
                    int src = inOff + b * channels * hw + y * w + x;
                    for (int ci = 0; ci < channels; ci += L) {
                        FloatVector.fromArray(S, in, src + ci * hw, planesApart, 0)
                                .intoArray(xp, first + x * channels + ci);
                    }
                }
            }
        });
    }

    /** {0, step, 2 step, ...}: the lane offsets of a vector scattered or gathered step apart. */
    private static int[] strided(int step) {
        int[] offsets = new int[L];
        for (int i = 0; i < L; i++) {
            offsets[i] = i * step;
        }
        return offsets;
    }

    /** One call's operands and the layout of its work, shared by the threads. */
    private static final class Call {
        final ConvGeometry g;
        final float[] packed;
        final float[] bias;
        final float[] residual;
        final int residualOff;
        final float[] out;
        final float lo;
        final float hi;
        final boolean clamp;
        final int tilesH;
        final int tilesW;
        final int tiles;
        /** The padded input: whole tiles, 6 x 6 inputs under every 4 x 4 outputs, zero outside the image. */
        final int hp;

        final int wp;
        float[] xp;
        /** Tiles per block: a multiple of ROWS, V of a block within V_BUDGET floats, at most 24. */
        final int blockTiles;

        final int blocks;
        final int groups;
        /** Output (and residual) NCHW (n, cout, oh, ow) instead of channels-last: {@link #forwardNchw}. */
        final boolean nchwOut;
        /** {0, P, 2P, ...} for P = oh * ow: a vector of channels' offsets in NCHW planes. */
        final int[] planeApart;

        Call(
                ConvGeometry g,
                float[] packed,
                float[] bias,
                float[] residual,
                int residualOff,
                float[] out,
                float lo,
                float hi,
                boolean nchwOut) {
            this.g = g;
            this.packed = packed;
            this.bias = bias;
            this.residual = residual;
            this.residualOff = residualOff;
            this.out = out;
            this.lo = lo;
            this.hi = hi;
            this.nchwOut = nchwOut;
            clamp = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
            tilesH = tilesH(g);
            tilesW = tilesW(g);
            tiles = g.n() * tilesH * tilesW;
            hp = tilesH * OUT + 2;
            wp = tilesW * OUT + 2;
            blockTiles = blockTiles(tiles, g.cin());
            blocks = (tiles + blockTiles - 1) / blockTiles;
            groups = g.cout() / GROUP;
            planeApart = strided(g.oh() * g.ow());
        }
    }

    /**
     * Tiles per block: a multiple of ROWS whose V (36 x tiles x cin floats) fits V_BUDGET, at most 24; of those the
     * one that gives the busiest thread the fewest tiles (the larger on a tie): 196 tiles (56 x 56 at batch 1) on 2
     * threads run as 17 blocks of 12 (9 and 8 per thread), not 9 of 24 (5 and 4).
     */
    static int blockTiles(int tiles, int cin) {
        int fit = Math.clamp(V_BUDGET / (POINTS * cin) / ROWS * ROWS, ROWS, 4 * ROWS);
        int threads = Parallel.numThreads();
        int best = fit;
        long bestLoad = Long.MAX_VALUE;
        for (int t = fit; t >= ROWS; t -= ROWS) {
            long blocks = (tiles + t - 1) / t;
            long load = (blocks + threads - 1) / threads * t;
            if (load < bestLoad) {
                best = t;
                bestLoad = load;
            }
        }
        return best;
    }

    /** Units [s, e): unit u is tile block u / groups, output channel group u % groups. */
    private static void runUnits(Call c, int s, int e) {
        int cin = c.g.cin();
        int t = c.blockTiles;
        float[] v = ScratchBuffers.take(POINTS * t * cin);
        float[] m = ScratchBuffers.take(POINTS * t * GROUP);
        float[] scratch = SCRATCH.get(); // transforms' 6 x 6 vectors, then one output row's 4
        int lastBlock = -1;
        for (int u = s; u < e; u++) {
            int blk = u / c.groups;
            int grp = u % c.groups;
            if (blk != lastBlock) {
                for (int i = 0; i < t; i++) {
                    transformInput(c, Math.min(blk * t + i, c.tiles - 1), v, i, scratch);
                }
                lastBlock = blk;
            }
            int uBase = grp * POINTS * cin * GROUP;
            for (int xi = 0; xi < POINTS; xi++) {
                int uOff = uBase + xi * cin * GROUP;
                for (int r = 0; r < t; r += ROWS) {
                    gemm6x4(v, (xi * t + r) * cin, cin, c.packed, uOff, m, (xi * t + r) * GROUP);
                }
            }
            int valid = Math.min(t, c.tiles - blk * t);
            for (int i = 0; i < valid; i++) {
                transformOutput(c, blk * t + i, grp, m, 0, i, t, scratch);
            }
        }
        ScratchBuffers.give(m);
        ScratchBuffers.give(v);
    }

    /**
     * V[xi][row][ci] = (B^T d B)[xi] for tile `tile`'s 6 x 6 inputs d, every channel: a 1-D transform down each of
     * the 6 columns into scratch, then along each of the 6 rows into v (row `row` of the block's t tiles).
     */
    private static void transformInput(Call c, int tile, float[] v, int row, float[] scratch) {
        int perImage = c.tilesH * c.tilesW;
        int b = tile / perImage;
        int ty = tile % perImage / c.tilesW;
        int tx = tile % c.tilesW;
        int origin = ((b * c.hp + ty * OUT) * c.wp + tx * OUT) * c.g.cin();
        transformInput(c.xp, origin, c.wp * c.g.cin(), c.g.cin(), v, row, c.blockTiles, scratch);
    }

    /**
     * V[xi][row][ci] = (B^T d B)[xi] for the 6 x 6 channels-last input pixels d from xp[origin] (rows rowStride
     * apart, pixels cin apart), every channel; v holds t rows per point (see {@link ConvWinogradWeight}).
     */
    static void transformInput(
            float[] xp, int origin, int rowStride, int cin, float[] v, int row, int t, float[] scratch) {
        for (int ci = 0; ci < cin; ci += L) {
            for (int j = 0; j < 6; j++) {
                int p = origin + j * cin + ci;
                transformInput1d(
                        FloatVector.fromArray(S, xp, p),
                        FloatVector.fromArray(S, xp, p + rowStride),
                        FloatVector.fromArray(S, xp, p + 2 * rowStride),
                        FloatVector.fromArray(S, xp, p + 3 * rowStride),
                        FloatVector.fromArray(S, xp, p + 4 * rowStride),
                        FloatVector.fromArray(S, xp, p + 5 * rowStride),
                        scratch,
                        j * L,
                        6 * L);
            }
            for (int i = 0; i < 6; i++) {
                int q = i * 6 * L;
                int dst = ((i * 6) * t + row) * cin + ci;
                transformInput1d(
                        FloatVector.fromArray(S, scratch, q),
                        FloatVector.fromArray(S, scratch, q + L),
                        FloatVector.fromArray(S, scratch, q + 2 * L),
                        FloatVector.fromArray(S, scratch, q + 3 * L),
                        FloatVector.fromArray(S, scratch, q + 4 * L),
                        FloatVector.fromArray(S, scratch, q + 5 * L),
                        v,
                        dst,
                        t * cin);
            }
        }
    }

    /**
     * B^T (d0..d5) into dst + k * stride for k = 0..5, with B^T = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0],
     * [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]].
     */
    private static void transformInput1d(
            FloatVector d0,
            FloatVector d1,
            FloatVector d2,
            FloatVector d3,
            FloatVector d4,
            FloatVector d5,
            float[] dst,
            int off,
            int stride) {
        FloatVector a = d2.fma(MINUS_4, d4); // d4 - 4 d2
        FloatVector bb = d1.fma(MINUS_4, d3); // d3 - 4 d1
        FloatVector cc = d4.sub(d2);
        FloatVector e = d3.sub(d1).mul(2f);
        d0.mul(4f).add(d2.fma(MINUS_5, d4)).intoArray(dst, off);
        a.add(bb).intoArray(dst, off + stride);
        a.sub(bb).intoArray(dst, off + 2 * stride);
        cc.add(e).intoArray(dst, off + 3 * stride);
        cc.sub(e).intoArray(dst, off + 4 * stride);
        d1.mul(4f).add(d3.fma(MINUS_5, d5)).intoArray(dst, off + 5 * stride);
    }

    /**
     * M[xi][r0 + r][co] for the 6 rows (tiles) r and the group's 64 channels: sum over ci of V (rows cin apart
     * from vOff) times the packed U (GROUP floats per ci from uOff), stored GROUP floats per row from mOff. The
     * direct kernel's {@code ConvChannelsLast.tile4x6} computes the same with a run offset per kernel row and a
     * bias; called here (one run, zero bias) it ran 0.92-0.98x this one (an A/B of the two builds in one JVM).
     */
    private static void gemm6x4(float[] v, int vOff, int cin, float[] u, int uOff, float[] m, int mOff) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a0_0 = z, a0_1 = z, a0_2 = z, a0_3 = z;
        FloatVector a1_0 = z, a1_1 = z, a1_2 = z, a1_3 = z;
        FloatVector a2_0 = z, a2_1 = z, a2_2 = z, a2_3 = z;
        FloatVector a3_0 = z, a3_1 = z, a3_2 = z, a3_3 = z;
        FloatVector a4_0 = z, a4_1 = z, a4_2 = z, a4_3 = z;
        FloatVector a5_0 = z, a5_1 = z, a5_2 = z, a5_3 = z;
        int x0 = vOff;
        int x1 = vOff + cin;
        int x2 = vOff + 2 * cin;
        int x3 = vOff + 3 * cin;
        int x4 = vOff + 4 * cin;
        int x5 = vOff + 5 * cin;
        int wp = uOff;
        for (int ci = 0; ci < cin; ci++, wp += GROUP) {
            FloatVector w0 = FloatVector.fromArray(S, u, wp);
            FloatVector w1 = FloatVector.fromArray(S, u, wp + L);
            FloatVector w2 = FloatVector.fromArray(S, u, wp + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, u, wp + 3 * L);
            FloatVector x = FloatVector.broadcast(S, v[x0 + ci]);
            a0_0 = w0.fma(x, a0_0);
            a0_1 = w1.fma(x, a0_1);
            a0_2 = w2.fma(x, a0_2);
            a0_3 = w3.fma(x, a0_3);
            x = FloatVector.broadcast(S, v[x1 + ci]);
            a1_0 = w0.fma(x, a1_0);
            a1_1 = w1.fma(x, a1_1);
            a1_2 = w2.fma(x, a1_2);
            a1_3 = w3.fma(x, a1_3);
            x = FloatVector.broadcast(S, v[x2 + ci]);
            a2_0 = w0.fma(x, a2_0);
            a2_1 = w1.fma(x, a2_1);
            a2_2 = w2.fma(x, a2_2);
            a2_3 = w3.fma(x, a2_3);
            x = FloatVector.broadcast(S, v[x3 + ci]);
            a3_0 = w0.fma(x, a3_0);
            a3_1 = w1.fma(x, a3_1);
            a3_2 = w2.fma(x, a3_2);
            a3_3 = w3.fma(x, a3_3);
            x = FloatVector.broadcast(S, v[x4 + ci]);
            a4_0 = w0.fma(x, a4_0);
            a4_1 = w1.fma(x, a4_1);
            a4_2 = w2.fma(x, a4_2);
            a4_3 = w3.fma(x, a4_3);
            x = FloatVector.broadcast(S, v[x5 + ci]);
            a5_0 = w0.fma(x, a5_0);
            a5_1 = w1.fma(x, a5_1);
            a5_2 = w2.fma(x, a5_2);
            a5_3 = w3.fma(x, a5_3);
        }
        a0_0.intoArray(m, mOff);
        a0_1.intoArray(m, mOff + L);
        a0_2.intoArray(m, mOff + 2 * L);
        a0_3.intoArray(m, mOff + 3 * L);
        a1_0.intoArray(m, mOff + GROUP);
        a1_1.intoArray(m, mOff + GROUP + L);
        a1_2.intoArray(m, mOff + GROUP + 2 * L);
        a1_3.intoArray(m, mOff + GROUP + 3 * L);
        a2_0.intoArray(m, mOff + 2 * GROUP);
        a2_1.intoArray(m, mOff + 2 * GROUP + L);
        a2_2.intoArray(m, mOff + 2 * GROUP + 2 * L);
        a2_3.intoArray(m, mOff + 2 * GROUP + 3 * L);
        a3_0.intoArray(m, mOff + 3 * GROUP);
        a3_1.intoArray(m, mOff + 3 * GROUP + L);
        a3_2.intoArray(m, mOff + 3 * GROUP + 2 * L);
        a3_3.intoArray(m, mOff + 3 * GROUP + 3 * L);
        a4_0.intoArray(m, mOff + 4 * GROUP);
        a4_1.intoArray(m, mOff + 4 * GROUP + L);
        a4_2.intoArray(m, mOff + 4 * GROUP + 2 * L);
        a4_3.intoArray(m, mOff + 4 * GROUP + 3 * L);
        a5_0.intoArray(m, mOff + 5 * GROUP);
        a5_1.intoArray(m, mOff + 5 * GROUP + L);
        a5_2.intoArray(m, mOff + 5 * GROUP + 2 * L);
        a5_3.intoArray(m, mOff + 5 * GROUP + 3 * L);
    }

    /**
     * out for tile `tile`, channels of group grp: A^T M A (M the 36 points of the block's row `row`, t rows per
     * point) down the 6 columns into scratch, then along the first 4 rows; plus bias (and residual), clamped,
     * stored where the 4 x 4 pixels fall inside the output.
     */
    private static void transformOutput(
            Call c, int tile, int grp, float[] m, int mOff, int row, int t, float[] scratch) {
        ConvGeometry g = c.g;
        int cout = g.cout();
        int perImage = c.tilesH * c.tilesW;
        int b = tile / perImage;
        int y0 = tile % perImage / c.tilesW * OUT;
        int x0 = tile % c.tilesW * OUT;
        int rows = Math.min(OUT, g.oh() - y0);
        int cols = Math.min(OUT, g.ow() - x0);
        int pointStride = t * GROUP;
        for (int k = 0; k < GROUP; k += L) {
            int co = grp * GROUP + k;
            for (int j = 0; j < 6; j++) {
                int p = mOff + row * GROUP + k + j * pointStride;
                transformOutput1d(
                        FloatVector.fromArray(S, m, p),
                        FloatVector.fromArray(S, m, p + 6 * pointStride),
                        FloatVector.fromArray(S, m, p + 12 * pointStride),
                        FloatVector.fromArray(S, m, p + 18 * pointStride),
                        FloatVector.fromArray(S, m, p + 24 * pointStride),
                        FloatVector.fromArray(S, m, p + 30 * pointStride),
                        scratch,
                        j * L,
                        6 * L);
            }
            FloatVector bias = FloatVector.fromArray(S, c.bias, co);
            for (int i = 0; i < rows; i++) {
                int q = i * 6 * L;
                FloatVector m0 = FloatVector.fromArray(S, scratch, q);
                FloatVector m1 = FloatVector.fromArray(S, scratch, q + L);
                FloatVector m2 = FloatVector.fromArray(S, scratch, q + 2 * L);
                FloatVector m3 = FloatVector.fromArray(S, scratch, q + 3 * L);
                FloatVector m4 = FloatVector.fromArray(S, scratch, q + 4 * L);
                FloatVector m5 = FloatVector.fromArray(S, scratch, q + 5 * L);
                FloatVector s12 = m1.add(m2);
                FloatVector d12 = m1.sub(m2);
                FloatVector s34 = m3.add(m4);
                FloatVector d34 = m3.sub(m4);
                // the row's 4 pixels go through scratch, not as arguments: a vector passed to a method C2 does not
                // inline is allocated as an object (this allocated gigabytes a second when store took vectors)
                int y = POINTS * L;
                m0.add(s12).add(s34).add(bias).intoArray(scratch, y);
                d34.fma(PLUS_2, d12).add(bias).intoArray(scratch, y + L);
                s34.fma(PLUS_4, s12).add(bias).intoArray(scratch, y + 2 * L);
                d34.fma(PLUS_8, d12).add(m5).add(bias).intoArray(scratch, y + 3 * L);
                if (c.nchwOut) {
                    int dst = (b * cout + co) * g.oh() * g.ow() + (y0 + i) * g.ow() + x0;
                    for (int col = 0; col < cols; col++) {
                        storeNchw(c, scratch, y + col * L, dst + col);
                    }
                    continue;
                }
                int dst = ((b * g.oh() + y0 + i) * g.ow() + x0) * cout + co;
                for (int col = 0; col < cols; col++) {
                    store(c, scratch, y + col * L, dst + col * cout);
                }
            }
        }
    }

    /**
     * A^T (m0..m5) into dst + k * stride for k = 0..3, with A^T = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0],
     * [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]].
     */
    private static void transformOutput1d(
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
        FloatVector d12 = m1.sub(m2);
        FloatVector s34 = m3.add(m4);
        FloatVector d34 = m3.sub(m4);
        m0.add(s12).add(s34).intoArray(dst, off);
        d34.fma(PLUS_2, d12).intoArray(dst, off + stride);
        s34.fma(PLUS_4, s12).intoArray(dst, off + 2 * stride);
        d34.fma(PLUS_8, d12).add(m5).intoArray(dst, off + 3 * stride);
    }

    /**
     * out[dst..] = clamp(src[off..] (+ residual[residualOff + dst..]), lo, hi), one vector. Each case is straight-line
     * code: a vector reassigned in a branch reaches the join as an object.
     */
    private static void store(Call c, float[] src, int off, int dst) {
        FloatVector y = FloatVector.fromArray(S, src, off);
        if (c.residual != null) {
            FloatVector r = y.add(FloatVector.fromArray(S, c.residual, c.residualOff + dst));
            if (c.clamp) {
                r.lanewise(VectorOperators.MAX, c.lo)
                        .lanewise(VectorOperators.MIN, c.hi)
                        .intoArray(c.out, dst);
            } else {
                r.intoArray(c.out, dst);
            }
        } else if (c.clamp) {
            y.lanewise(VectorOperators.MAX, c.lo)
                    .lanewise(VectorOperators.MIN, c.hi)
                    .intoArray(c.out, dst);
        } else {
            y.intoArray(c.out, dst);
        }
    }

    /**
     * {@link #store} for NCHW output: the vector's channels go a plane apart from out[dst..] (the residual read the
     * same way), as {@link #forwardNchw}'s output.
     */
    private static void storeNchw(Call c, float[] src, int off, int dst) {
        FloatVector y = FloatVector.fromArray(S, src, off);
        if (c.residual != null) {
            FloatVector r = y.add(FloatVector.fromArray(S, c.residual, c.residualOff + dst, c.planeApart, 0));
            if (c.clamp) {
                r.lanewise(VectorOperators.MAX, c.lo)
                        .lanewise(VectorOperators.MIN, c.hi)
                        .intoArray(c.out, dst, c.planeApart, 0);
            } else {
                r.intoArray(c.out, dst, c.planeApart, 0);
            }
        } else if (c.clamp) {
            y.lanewise(VectorOperators.MAX, c.lo)
                    .lanewise(VectorOperators.MIN, c.hi)
                    .intoArray(c.out, dst, c.planeApart, 0);
        } else {
            y.intoArray(c.out, dst, c.planeApart, 0);
        }
    }
}
