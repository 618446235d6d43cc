package dev.torchlet.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 forward convolution (any stride, padding, dilation, groups) as a direct "implicit GEMM" with
 * the Vector API: no im2col matrix is built.
 *
 * <p>The input is copied once into a zero-padded buffer of planes (hp = h + 2ph, wp = w + pw, see
 * {@link #rowStride}). On
 * that padded grid, output pixel (y, x) at flat position q = y*wp + x reads tap (c, i, j) at
 * {@code q + c*hp*wp + i*dh*wp + j*dw}: one constant offset per tap. So a run of consecutive q is a
 * contiguous vector load for every tap, across row ends too. The kernel computes whole runs of
 * q (including the wp - ow junk columns at each row end, which read finite neighbours and are
 * dropped when storing) as a register-blocked GEMM:
 *
 * <pre>
 * acc[r][q0 .. q0 + NB) += W[co0 + r][tap] * xpad[base + q0 + offset[tap] ...]   for each tap, r &lt; MR
 * </pre>
 * A strided convolution gets the same form from a different buffer (see {@link Grid}): each channel is split
 * into sh*sw phase planes, phase (py, px) holding the padded pixels (r*sh + py, c*sw + px) at (r, c). Output
 * (y, x) reads tap (i, j) in phase ((i*dh) % sh, (j*dw) % sw) at (y + i*dh / sh, x + j*dw / sw), so a run of
 * outputs is again a contiguous run of every tap's phase. (im2col + GEMM, the alternative, ran ResNet-18's
 * 7x7 stride-2 stem at 0.37x this speed and its 3x3 stride-2s at 0.7-1.0x, batch 1; ConvKernels.gemmPays
 * names the strided shapes where it still wins.)
 *
 * <p>The weights are packed per block of MR output channels as [tap][r], so the MR broadcasts of a tap
 * come from one cache line and one running index (except for one small image, see {@link #block2InPlace}).
 * The register tile is MR = 8 output channels times NR = 3 vectors of pixels in 24 vector accumulators where
 * there are 32 vector registers (AVX-512), and MR = 4 times NR = 2 (8 accumulators) with AVX2's 16: there the
 * 8 x 3 tile spills accumulators to the stack (see {@link Simd#VECTOR_REGISTERS}). Groups of at most
 * {@link #FEW_CHANNELS} output channels (an image output: 1 or 3 channels) take a tile of one channel ({@link
 * #block1}) with 32 registers, where the 8-channel tile would compute rows of zeros.
 */
public final class ConvDirect {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** The widest tile: 8 output channels x 3 vectors of pixels (sizes the scratch tile). */
    private static final int NB_MAX = 3 * L;
    /** Weights per chunk of output-channel blocks (MR x k floats each): 64 K floats = 256 KB of L2. */
    private static final int CHUNK_FLOATS = 1 << 16;
    /** Output channels per group up to which a tile computes one channel (see {@link #block1}). */
    static final int FEW_CHANNELS = 3;

    private ConvDirect() {}

    /** True if this kernel handles the geometry: any stride, as long as the output fits the padded input. */
    public static boolean applies(ConvGeometry g) {
        return g.oh() > 0
                && g.ow() > 0
                && (g.oh() - 1) * g.sh() + (g.kh() - 1) * g.dh() < g.h() + 2 * g.ph()
                && (g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() < g.w() + 2 * g.pw();
    }

    /** out (n, cout, oh, ow) = conv(in, w) + bias (bias may be null); in starts at inOff. */
    public static void forward(ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out) {
        forward(g, in, inOff, w, bias, out, Simd.VECTOR_REGISTERS >= 32);
    }

    /** out = clamp(conv(in, w) + bias, lo, hi), clamped as each tile row is stored. */
    public static void forward(
            ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out, float lo, float hi) {
        forward(g, in, inOff, w, bias, null, out, Simd.VECTOR_REGISTERS >= 32, lo, hi);
    }

    /**
     * out = clamp(conv(in, w) + bias + residual, lo, hi), residual (n, cout, oh, ow) added as each tile row is
     * stored (a residual block's shortcut and ReLU).
     */
    public static void forward(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] residual,
            float[] out,
            float lo,
            float hi) {
        forward(g, in, inOff, w, bias, residual, out, Simd.VECTOR_REGISTERS >= 32, lo, hi);
    }

    /** {@link #forward} with the 8 x 3 tile ({@code wide}) or the 4 x 2 one (package-private for the tests). */
    static void forward(ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out, boolean wide) {
        forward(g, in, inOff, w, bias, null, out, wide, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /** {@link #forward} with a residual (null for none) and the tile of the tests' choice. */
    static void forward(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] residual,
            float[] out,
            boolean wide,
            float lo,
            float hi) {
        if (!applies(g)) {
            throw new IllegalArgumentException("ConvDirect: the output does not fit the padded input, got " + g);
        }
        // 1-3 output channels per group (a generator's or a U-Net's image output): tiles of one channel, not an
        // 8-channel tile of which 5-7 rows are zeros
        int mr = wide ? (g.coutG() <= FEW_CHANNELS ? 1 : 8) : 4;
        Grid grid = Grid.of(g);
        int wp = grid.wp();
        int run = g.oh() * wp;
        int nb = wide ? wideTileWidth(run) : 2 * L;
        int tiles = (run + nb - 1) / nb;
        int k = g.colRows();
        int blocks = (g.coutG() + mr - 1) / mr;

        // tap offsets on the padded grid
        int[] offsets = new int[k];
        for (int c = 0, t = 0; c < g.cinG(); c++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, t++) {
                    offsets[t] = grid.offset(c, i * g.dh(), j * g.dw());
                }
            }
        }
        // Small maps (ResNet's 7x7 stage at batch 1): a packed chunk would serve only one or two 2-vector tiles, and
        // packing cost almost as much as computing them; the tiles then read the weight rows where they are
        // (512 -> 512 3x3 at 7x7, batch 1: 1.27x, tools/bench/ConvAB.java).
        boolean weightsInPlace = wide && mr == 8 && nb == 2 * L && g.n() * tiles <= 2 && g.coutG() % mr == 0;

        // Output-channel blocks are taken in chunks whose packed weights fit L2 (CHUNK_FLOATS). The work runs
        // chunk-major: a thread packs a chunk's weights once into its own buffer and runs every tile under it, so
        // each weight is read from memory once per call (512 channels at 7x7: 9 MB of weights for 4 tiles; a packed
        // copy of the whole weight cost more than the convolution). The chunks are of equal size (+-1 block), and
        // the threads split the units (chunk, image, tile, block) evenly: splitting (chunk, image, tile) items gave a
        // thread 147 block-tiles to the other's 125 when 16 blocks came as chunks of 5, 5 and 6 (128 -> 128
        // channels at 28x28).
        int chunks = Math.ceilDiv(blocks, Math.max(1, Math.min(blocks, CHUNK_FLOATS / (k * mr))));
        Plan plan = new Plan(
                g,
                wide,
                mr,
                nb,
                run,
                wp,
                grid.channelStride(),
                offsets,
                weightsInPlace,
                tiles,
                blocks,
                chunks,
                residual,
                lo,
                hi);
        int slack = nb + (g.kw() - 1) * g.dw() + L; // the last tile reads past the last plane
        // a reused buffer (ScratchBuffers): padding and splitting write its zeros too, and the slack is cleared first
        float[] xp = ScratchBuffers.take(g.n() * g.cin() * grid.channelStride() + slack);
        try {
            forward(g, in, inOff, w, bias, out, plan, grid, xp, slack);
        } finally {
            ScratchBuffers.give(xp);
        }
    }

    /**
     * {@link #forward} once the plan is made: pads or splits the input into xp (a reused buffer, maybe longer than
     * the planes and the slack floats after them), then runs the tiles.
     */
    private static void forward(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] out,
            Plan plan,
            Grid grid,
            float[] xp,
            int slack) {
        int planesEnd = g.n() * g.cin() * grid.channelStride();
        Arrays.fill(xp, planesEnd, planesEnd + slack, 0f); // read past the last plane by the last tiles
        if (g.sh() == 1 && g.sw() == 1) {
            Parallel.forRange(g.n() * g.cin(), planesPerTask(g), (s, e) -> pad(g, in, inOff, s, e, xp, 0));
        } else { // tasks of one phase of one plane: a 3-channel image (a stem) still splits over the threads
            int phases = g.sh() * g.sw();
            Parallel.forRange(g.n() * g.cin() * phases, phases * planesPerTask(g), (s, e) -> {
                splitPhases(g, grid, in, inOff, s, e, xp);
            });
        }
        int mr = plan.mr();
        int weightFloats = g.groups() * plan.chunkMax() * g.colRows() * mr;
        Parallel.forRange(g.n() * plan.tiles() * plan.blocks(), 1, (s, e) -> {
            Scratch scratch = new Scratch(ScratchBuffers.take(weightFloats), new float[mr * NB_MAX + L]);
            try {
                runUnits(plan, xp, w, bias, out, scratch, s, e);
            } finally {
                ScratchBuffers.give(scratch.weights());
            }
        });
    }

    /**
     * Units [s, e) of (chunk, image, tile, block), chunk-major: packs each chunk's weights into the scratch once and
     * runs its tiles.
     */
    private static void runUnits(
            Plan plan, float[] xp, float[] w, float[] bias, float[] out, Scratch scratch, int s, int e) {
        ConvGeometry g = plan.g();
        int k = g.colRows();
        int nb = plan.nb();
        int tiles = plan.tiles();
        int blocks = plan.blocks();
        int chunks = plan.chunks();
        int perBlock = g.n() * tiles; // units per output-channel block: one per (image, tile)
        int imagePlanes = g.cin() * plan.channelStride();
        int c = 0; // the chunk of unit u: units [perBlock * blk0, perBlock * blk1) of chunk (blk0, blk1)
        while (perBlock * chunkStart(blocks, chunks, c + 1) <= s) {
            c++;
        }
        int packedChunk = -1;
        for (int u = s; u < e; ) {
            int blk0 = chunkStart(blocks, chunks, c);
            int size = chunkStart(blocks, chunks, c + 1) - blk0;
            if (u == perBlock * (blk0 + size)) {
                c++;
                continue;
            }
            if (c != packedChunk && !plan.weightsInPlace()) {
                packChunk(g, w, plan.mr(), k, blk0, blk0 + size, scratch.weights());
                packedChunk = c;
            }
            // units of one chunk run (image, tile)-major, block innermost: the tile's input stays in L1
            int item = (u - perBlock * blk0) / size;
            int first = (u - perBlock * blk0) % size;
            int last = Math.min(size, first + (e - u));
            int b = item / tiles;
            Tile job = new Tile(b, b * imagePlanes, item % tiles * nb, blk0 + first, blk0 + last, blk0, size);
            tile(plan, xp, job, w, bias, out, scratch);
            u += last - first;
        }
    }

    /** First output-channel block of chunk c when blocks are cut into chunks of equal size (+-1). */
    private static int chunkStart(int blocks, int chunks, int c) {
        return (int) ((long) blocks * c / chunks);
    }

    /**
     * Pixels per tile with 32 registers: 3 vectors, unless tiles of 2 vectors compute fewer positions past the run
     * (the last tile of a run is computed 2 or 3 vectors wide). With 16 lanes a 7x7 map (run 7 x 8 = 56) took a
     * 48-wide and a 32-wide tile, 80 positions for 56; two 32-wide tiles compute 64.
     */
    static int wideTileWidth(int run) {
        int rem = run % (3 * L);
        int threeWide = run - rem + (rem == 0 ? 0 : rem <= 2 * L ? 2 * L : 3 * L);
        int twoWide = (run + 2 * L - 1) / (2 * L) * (2 * L);
        return twoWide < threeWide ? 2 * L : 3 * L;
    }

    /**
     * The layout of the padded input buffer. Stride 1: one zero-padded plane per channel, hp rows of
     * {@link #rowStride} ({@code phasePlane = channelStride = hp * wp}). Stride sh x sw: per channel sh*sw phase
     * planes of hs = ceil(hp / sh) rows of wp = ceil((w + 2pw) / sw) (fully padded rows: the row-stride trick
     * needs stride 1), phase (py, px) at {@code ((py*sw + px) * phasePlane}) within the channel.
     */
    private record Grid(int wp, int phasePlane, int channelStride, int sh, int sw) {
        static Grid of(ConvGeometry g) {
            int hp = g.h() + 2 * g.ph();
            if (g.sh() == 1 && g.sw() == 1) {
                int wp = rowStride(g);
                return new Grid(wp, hp * wp, hp * wp, 1, 1);
            }
            int ws = Math.ceilDiv(g.w() + 2 * g.pw(), g.sw());
            int phasePlane = Math.ceilDiv(hp, g.sh()) * ws;
            return new Grid(ws, phasePlane, g.sh() * g.sw() * phasePlane, g.sh(), g.sw());
        }

        /** Offset of tap (channel c, padded row shift ry = i*dh, column shift rx = j*dw) from output q = y*wp + x. */
        int offset(int c, int ry, int rx) {
            int phase = (ry % sh) * sw + rx % sw;
            return c * channelStride + phase * phasePlane + ry / sh * wp + rx / sw;
        }
    }

    /**
     * What every tile of one call shares: the geometry, the tile shape, the tap offsets, how the work is cut (tiles
     * per image, output-channel blocks, chunks of blocks), the residual added to the output (or null) and the clamp.
     */
    private record Plan(
            ConvGeometry g,
            boolean wide,
            int mr,
            int nb,
            int run,
            int wp,
            int channelStride,
            int[] offsets,
            boolean weightsInPlace,
            int tiles,
            int blocks,
            int chunks,
            float[] residual,
            float lo,
            float hi) {
        /** The most output-channel blocks in one chunk (chunks are of equal size, +-1). */
        int chunkMax() {
            return Math.ceilDiv(blocks, chunks);
        }
    }

    /**
     * Packs the weights (cout, k = cinG*kh*kw) of blocks [blk0, blk1) of every group into dst as
     * [group][block - blk0][tap][r], r &lt; mr (zero rows past coutG): the mr weights of a tap are adjacent.
     * Reads mr sequential streams, writes sequentially.
     */
    private static void packChunk(ConvGeometry g, float[] w, int mr, int k, int blk0, int blk1, float[] dst) {
        int coutG = g.coutG();
        int d = 0;
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int blk = blk0; blk < blk1; blk++) {
                int co0 = grp * coutG + blk * mr;
                int rows = Math.min(mr, coutG - blk * mr);
                if (rows == 8 && mr == 8) { // the common cases written out: no inner loop, no index products
                    d = packEight(w, co0 * k, k, dst, d); // (1.6x the generic loop on 512 x 4608 weights)
                    continue;
                }
                if (rows == 4 && mr == 4) {
                    int w0 = co0 * k;
                    int w1 = w0 + k;
                    int w2 = w1 + k;
                    int w3 = w2 + k;
                    for (int t = 0; t < k; t++, d += 4) {
                        dst[d] = w[w0 + t];
                        dst[d + 1] = w[w1 + t];
                        dst[d + 2] = w[w2 + t];
                        dst[d + 3] = w[w3 + t];
                    }
                    continue;
                }
                for (int r = 0; r < mr; r++) {
                    int src = (co0 + Math.min(r, rows - 1)) * k;
                    for (int t = 0, o = d + r; t < k; t++, o += mr) {
                        dst[o] = r < rows ? w[src + t] : 0f;
                    }
                }
                d += k * mr;
            }
        }
    }

    /** Interleaves the 8 weight rows starting at w[w0] (k taps each) into dst[d ..] as [tap][row]; returns the end. */
    private static int packEight(float[] w, int w0, int k, float[] dst, int d) {
        int w1 = w0 + k;
        int w2 = w1 + k;
        int w3 = w2 + k;
        int w4 = w3 + k;
        int w5 = w4 + k;
        int w6 = w5 + k;
        int w7 = w6 + k;
        for (int t = 0; t < k; t++, d += 8) {
            dst[d] = w[w0 + t];
            dst[d + 1] = w[w1 + t];
            dst[d + 2] = w[w2 + t];
            dst[d + 3] = w[w3 + t];
            dst[d + 4] = w[w4 + t];
            dst[d + 5] = w[w5 + t];
            dst[d + 6] = w[w6 + t];
            dst[d + 7] = w[w7 + t];
        }
        return d;
    }

    /**
     * One unit of work: image b (its padded planes at xp[xImg]), positions [q0, q0 + nb), blocks [blk0, blk1) of the
     * chunk of {@code chunkBlocks} blocks from {@code chunk0} whose weights are packed.
     */
    private record Tile(int b, int xImg, int q0, int blk0, int blk1, int chunk0, int chunkBlocks) {}

    /** A thread's buffers: one chunk of packed weights, and the tile (mr rows of NB_MAX floats, + L slack). */
    private record Scratch(float[] weights, float[] tile) {}

    /**
     * Row stride of the padded grid: w + pw, not w + 2pw. Every row starts with pw zero columns,
     * so the right padding of a row is the left padding of the next one: taps reading past the row
     * end (at most pw columns, since ow + (kw-1)*dw &lt;= w + 2pw) land on zeros. That halves the junk
     * columns of a 3x3 pad-1 conv (1 per row instead of 2). At least ow, so each output row fits.
     */
    static int rowStride(ConvGeometry g) {
        return Math.max(g.w() + g.pw(), g.ow());
    }

    /**
     * Input planes per task when padding or splitting the input: about 16 K floats a task (16 whole planes was one
     * task for a 3-channel 224 x 224 image: the second thread waited through it).
     */
    private static int planesPerTask(ConvGeometry g) {
        return Math.max(1, (1 << 14) / Math.max(1, g.h() * g.w()));
    }

    /** Copies planes [s, e) (counted from in[inOff]) into the padded planes of xp and writes their zero padding. */
    private static void pad(ConvGeometry g, float[] in, int inOff, int s, int e, float[] xp, int xpOff) {
        int wp = rowStride(g);
        int ph = g.ph();
        int pw = g.pw();
        int plane = (g.h() + 2 * ph) * wp;
        for (int pl = s; pl < e; pl++) {
            int p0 = xpOff + pl * plane;
            int src = inOff + pl * g.h() * g.w();
            Arrays.fill(xp, p0, p0 + ph * wp, 0f); // rows above the image
            for (int y = 0; y < g.h(); y++) {
                int row = p0 + (ph + y) * wp;
                for (int x = 0; x < pw; x++) {
                    xp[row + x] = 0f; // left padding, which is also the row above's right padding
                }
                System.arraycopy(in, src + y * g.w(), xp, row + pw, g.w());
                Arrays.fill(xp, row + pw + g.w(), row + wp, 0f); // empty unless ow > w + pw (wide padding)
            }
            Arrays.fill(xp, p0 + (ph + g.h()) * wp, p0 + plane, 0f); // rows below
        }
    }

    /**
     * Splits input planes into their zero-padded phase planes in xp (see {@link Grid}): phase (py, px) row r, column
     * c = in[r*sh + py - ph][c*sw + px - pw], where that is inside the image. Units [s, e) count phase planes:
     * unit u is phase u % (sh*sw) of plane u / (sh*sw) (counted from in[inOff]).
     */
    private static void splitPhases(ConvGeometry g, Grid grid, float[] in, int inOff, int s, int e, float[] xp) {
        int sh = g.sh();
        int sw = g.sw();
        int w = g.w();
        int rows = grid.phasePlane() / grid.wp();
        for (int unit = s; unit < e; unit++) {
            int pl = unit / (sh * sw);
            int py = unit % (sh * sw) / sw;
            int px = unit % sw;
            int src = inOff + pl * g.h() * w;
            int dst = pl * grid.channelStride() + (py * sw + px) * grid.phasePlane();
            Arrays.fill(xp, dst, dst + grid.phasePlane(), 0f); // the padding (the buffer is reused)
            int c0 = Math.ceilDiv(Math.max(0, g.pw() - px), sw); // first column inside the image
            int c1 = Math.min(grid.wp(), Math.ceilDiv(w + g.pw() - px, sw)); // one past the last
            for (int r = 0; r < rows; r++) {
                int iy = r * sh + py - g.ph();
                if (iy < 0 || iy >= g.h()) {
                    continue;
                }
                int rowSrc = src + iy * w + px - g.pw();
                int rowDst = dst + r * grid.wp();
                for (int c = c0; c < c1; c++) {
                    xp[rowDst + c] = in[rowSrc + c * sw];
                }
            }
        }
    }

    /** Output-channel blocks [blk0, blk1) of every group of image b for padded positions [q0, q0 + nb). */
    private static void tile(Plan plan, float[] xp, Tile job, float[] w, float[] bias, float[] out, Scratch scratch) {
        ConvGeometry g = plan.g();
        int k = g.colRows();
        int coutG = g.coutG();
        int p = g.outPixels();
        int mr = plan.mr();
        int nb = plan.nb();
        int q0 = job.q0();
        int qEnd = Math.min(q0 + nb, plan.run());
        float[] tile = scratch.tile();
        for (int grp = 0; grp < g.groups(); grp++) {
            int xBase = job.xImg() + grp * g.cinG() * plan.channelStride() + q0;
            for (int blk = job.blk0(); blk < job.blk1(); blk++) {
                int co0 = grp * coutG + blk * mr;
                int valid = Math.min(mr, coutG - blk * mr);
                int wOff = (grp * job.chunkBlocks() + blk - job.chunk0()) * k * mr;
                float[] packed = scratch.weights();
                if (plan.weightsInPlace()) {
                    block2InPlace(xp, xBase, plan.offsets(), w, co0 * k, k, tile);
                } else if (mr == 1) {
                    block1(xp, xBase, plan.offsets(), packed, wOff, k, tile);
                } else if (!plan.wide()) {
                    block4x2(xp, xBase, plan.offsets(), packed, wOff, k, tile);
                } else if (qEnd - q0 > 2 * L) {
                    block(xp, xBase, plan.offsets(), packed, wOff, k, tile);
                } else { // the last, short tile of the run (e.g. 14x14 images): 2 vectors wide
                    block2(xp, xBase, plan.offsets(), packed, wOff, k, tile);
                }
                for (int r = 0; r < valid; r++) {
                    int co = co0 + r;
                    float b = bias == null ? 0f : bias[co];
                    int oOff = (job.b() * g.cout() + co) * p;
                    store(tile, r * NB_MAX, q0, qEnd, plan.wp(), g.ow(), out, oOff, b, plan);
                }
            }
        }
    }

    /**
     * The stride-1 input gradient as a forward convolution of gradOut: zero-pad it by (k-1)*d - p,
     * and convolve with the weight flipped in space and transposed per group,
     * {@code wT[g*cinG + c][o][kh-1-i][kw-1-j] = w[g*coutG + o][c][i][j]}. Null if that does not apply
     * (stride > 1, or padding beyond the dilated kernel).
     */
    public static ConvGeometry inputGradGeometry(ConvGeometry g) {
        if (g.sh() != 1 || g.sw() != 1) {
            return null;
        }
        int ph = (g.kh() - 1) * g.dh() - g.ph();
        int pw = (g.kw() - 1) * g.dw() - g.pw();
        if (ph < 0 || pw < 0) {
            return null;
        }
        ConvGeometry t = new ConvGeometry(
                g.n(),
                g.cout(),
                g.oh(),
                g.ow(),
                g.cin(),
                g.kh(),
                g.kw(),
                1,
                1,
                ph,
                pw,
                g.dh(),
                g.dw(),
                g.groups(),
                g.h(),
                g.w());
        return applies(t) ? t : null;
    }

    /** gradIn (n, cin, h, w) = input gradient, overwritten; requires {@link #inputGradGeometry} != null. */
    public static void backwardInput(ConvGeometry g, float[] gradOut, float[] w, float[] gradIn) {
        ConvGeometry t = inputGradGeometry(g);
        if (t == null) {
            throw new IllegalArgumentException("ConvDirect: input gradient needs stride 1, got " + g);
        }
        int cinG = g.cinG();
        int coutG = g.coutG();
        int kh = g.kh();
        int kw = g.kw();
        float[] wt = ScratchBuffers.take(w.length); // every element written below
        // rows (group, o) split over the threads: 512 -> 512 3x3 weights are 2.4 M floats
        Parallel.forRange(g.groups() * coutG, Math.max(1, (1 << 14) / (cinG * kh * kw)), (s, e) -> {
            for (int go = s; go < e; go++) {
                int grp = go / coutG;
                int o = go % coutG;
                for (int c = 0; c < cinG; c++) {
                    int src = (go * cinG + c) * kh * kw;
                    int dst = ((grp * cinG + c) * coutG + o) * kh * kw;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            wt[dst + (kh - 1 - i) * kw + (kw - 1 - j)] = w[src + i * kw + j];
                        }
                    }
                }
            }
        });
        try {
            forward(t, gradOut, 0, wt, null, gradIn);
        } finally {
            ScratchBuffers.give(wt);
        }
    }

    /** Copies the valid pixels of one accumulated row (positions q0..qEnd on the padded grid) to out. */
    private static void store(
            float[] tile, int tOff, int q0, int qEnd, int wp, int ow, float[] out, int oOff, float bias, Plan plan) {
        float lo = plan.lo();
        float hi = plan.hi();
        float[] residual = plan.residual();
        boolean clamped = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        int q = q0;
        while (q < qEnd) {
            int y = q / wp;
            int segEnd = Math.min(qEnd, y * wp + ow);
            int dst = oOff + y * ow - y * wp; // out index of padded position q' on row y is dst + q'
            int v = q;
            for (int end = q + S.loopBound(segEnd - q); v < end; v += L) {
                storeVector(tile, tOff + v - q0, bias, residual, clamped, lo, hi, out, dst + v);
            }
            // the row's tail: as the segment's last L positions when it has L (rewriting up to L - 1 outputs with the
            // bits they already hold; not when the residual is the output itself), else scalar (the masked store's
            // per-lane range check showed in profiles)
            if (v < segEnd && segEnd - q >= L && residual != out) {
                storeVector(tile, tOff + segEnd - L - q0, bias, residual, clamped, lo, hi, out, dst + segEnd - L);
                v = segEnd;
            }
            for (; v < segEnd; v++) {
                float r = tile[tOff + v - q0] + bias;
                if (residual != null) {
                    r += residual[dst + v];
                }
                out[dst + v] = Math.min(Math.max(r, lo), hi);
            }
            q = (y + 1) * wp;
        }
    }

    /** out[o ..] = clamp(tile[t ..] + bias + residual[o ..], lo, hi), one vector (clamped only when asked). */
    private static void storeVector(
            float[] tile,
            int t,
            float bias,
            float[] residual,
            boolean clamped,
            float lo,
            float hi,
            float[] out,
            int o) {
        FloatVector r = FloatVector.fromArray(S, tile, t).add(bias);
        if (residual != null) {
            r = r.add(FloatVector.fromArray(S, residual, o));
        }
        if (clamped) {
            r = r.max(lo).min(hi);
        }
        r.intoArray(out, o);
    }

    /** The 4 x 2 tile of 16-register machines (4 rows, 2L positions, weights packed by 4): as {@link #block}. */
    private static void block4x2(float[] xp, int xBase, int[] offsets, float[] packed, int wOff, int k, float[] tile) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        for (int t = 0; t < k; t++) {
            int o = xBase + offsets[t];
            int wi = wOff + t * 4;
            FloatVector x0 = FloatVector.fromArray(S, xp, o);
            FloatVector x1 = FloatVector.fromArray(S, xp, o + L);
            FloatVector w0 = FloatVector.broadcast(S, packed[wi]);
            a00 = x0.fma(w0, a00);
            a01 = x1.fma(w0, a01);
            FloatVector w1 = FloatVector.broadcast(S, packed[wi + 1]);
            a10 = x0.fma(w1, a10);
            a11 = x1.fma(w1, a11);
            FloatVector w2 = FloatVector.broadcast(S, packed[wi + 2]);
            a20 = x0.fma(w2, a20);
            a21 = x1.fma(w2, a21);
            FloatVector w3 = FloatVector.broadcast(S, packed[wi + 3]);
            a30 = x0.fma(w3, a30);
            a31 = x1.fma(w3, a31);
        }
        a00.intoArray(tile, 0);
        a01.intoArray(tile, L);
        a10.intoArray(tile, NB_MAX);
        a11.intoArray(tile, NB_MAX + L);
        a20.intoArray(tile, 2 * NB_MAX);
        a21.intoArray(tile, 2 * NB_MAX + L);
        a30.intoArray(tile, 3 * NB_MAX);
        a31.intoArray(tile, 3 * NB_MAX + L);
    }

    /** {@link #block} for the first 2 vectors of pixels only (16 accumulators): tile[r*NB_MAX + v], v &lt; 2L. */
    private static void block2(float[] xp, int xBase, int[] offsets, float[] packed, int wOff, int k, float[] tile) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a40 = a00;
        FloatVector a41 = a00;
        FloatVector a50 = a00;
        FloatVector a51 = a00;
        FloatVector a60 = a00;
        FloatVector a61 = a00;
        FloatVector a70 = a00;
        FloatVector a71 = a00;
        for (int t = 0; t < k; t++) {
            int o = xBase + offsets[t];
            int wi = wOff + t * 8;
            FloatVector x0 = FloatVector.fromArray(S, xp, o);
            FloatVector x1 = FloatVector.fromArray(S, xp, o + L);
            FloatVector w0 = FloatVector.broadcast(S, packed[wi]);
            a00 = x0.fma(w0, a00);
            a01 = x1.fma(w0, a01);
            FloatVector w1 = FloatVector.broadcast(S, packed[wi + 1]);
            a10 = x0.fma(w1, a10);
            a11 = x1.fma(w1, a11);
            FloatVector w2 = FloatVector.broadcast(S, packed[wi + 2]);
            a20 = x0.fma(w2, a20);
            a21 = x1.fma(w2, a21);
            FloatVector w3 = FloatVector.broadcast(S, packed[wi + 3]);
            a30 = x0.fma(w3, a30);
            a31 = x1.fma(w3, a31);
            FloatVector w4 = FloatVector.broadcast(S, packed[wi + 4]);
            a40 = x0.fma(w4, a40);
            a41 = x1.fma(w4, a41);
            FloatVector w5 = FloatVector.broadcast(S, packed[wi + 5]);
            a50 = x0.fma(w5, a50);
            a51 = x1.fma(w5, a51);
            FloatVector w6 = FloatVector.broadcast(S, packed[wi + 6]);
            a60 = x0.fma(w6, a60);
            a61 = x1.fma(w6, a61);
            FloatVector w7 = FloatVector.broadcast(S, packed[wi + 7]);
            a70 = x0.fma(w7, a70);
            a71 = x1.fma(w7, a71);
        }
        a00.intoArray(tile, 0 * NB_MAX);
        a01.intoArray(tile, 0 * NB_MAX + L);
        a10.intoArray(tile, 1 * NB_MAX);
        a11.intoArray(tile, 1 * NB_MAX + L);
        a20.intoArray(tile, 2 * NB_MAX);
        a21.intoArray(tile, 2 * NB_MAX + L);
        a30.intoArray(tile, 3 * NB_MAX);
        a31.intoArray(tile, 3 * NB_MAX + L);
        a40.intoArray(tile, 4 * NB_MAX);
        a41.intoArray(tile, 4 * NB_MAX + L);
        a50.intoArray(tile, 5 * NB_MAX);
        a51.intoArray(tile, 5 * NB_MAX + L);
        a60.intoArray(tile, 6 * NB_MAX);
        a61.intoArray(tile, 6 * NB_MAX + L);
        a70.intoArray(tile, 7 * NB_MAX);
        a71.intoArray(tile, 7 * NB_MAX + L);
    }

    /**
     * {@link #block2} with the weights read where they are: the 8 rows of k taps from w[w0] (a block of output
     * channels of one group; coutG a multiple of 8), no packed copy. Eight weight streams instead of one.
     */
    private static void block2InPlace(float[] xp, int xBase, int[] offsets, float[] w, int w0, int k, float[] tile) {
        int w1 = w0 + k;
        int w2 = w1 + k;
        int w3 = w2 + k;
        int w4 = w3 + k;
        int w5 = w4 + k;
        int w6 = w5 + k;
        int w7 = w6 + k;
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a40 = a00;
        FloatVector a41 = a00;
        FloatVector a50 = a00;
        FloatVector a51 = a00;
        FloatVector a60 = a00;
        FloatVector a61 = a00;
        FloatVector a70 = a00;
        FloatVector a71 = a00;
        for (int t = 0; t < k; t++) {
            int o = xBase + offsets[t];
            FloatVector x0 = FloatVector.fromArray(S, xp, o);
            FloatVector x1 = FloatVector.fromArray(S, xp, o + L);
            FloatVector v0 = FloatVector.broadcast(S, w[w0 + t]);
            a00 = x0.fma(v0, a00);
            a01 = x1.fma(v0, a01);
            FloatVector v1 = FloatVector.broadcast(S, w[w1 + t]);
            a10 = x0.fma(v1, a10);
            a11 = x1.fma(v1, a11);
            FloatVector v2 = FloatVector.broadcast(S, w[w2 + t]);
            a20 = x0.fma(v2, a20);
            a21 = x1.fma(v2, a21);
            FloatVector v3 = FloatVector.broadcast(S, w[w3 + t]);
            a30 = x0.fma(v3, a30);
            a31 = x1.fma(v3, a31);
            FloatVector v4 = FloatVector.broadcast(S, w[w4 + t]);
            a40 = x0.fma(v4, a40);
            a41 = x1.fma(v4, a41);
            FloatVector v5 = FloatVector.broadcast(S, w[w5 + t]);
            a50 = x0.fma(v5, a50);
            a51 = x1.fma(v5, a51);
            FloatVector v6 = FloatVector.broadcast(S, w[w6 + t]);
            a60 = x0.fma(v6, a60);
            a61 = x1.fma(v6, a61);
            FloatVector v7 = FloatVector.broadcast(S, w[w7 + t]);
            a70 = x0.fma(v7, a70);
            a71 = x1.fma(v7, a71);
        }
        a00.intoArray(tile, 0);
        a01.intoArray(tile, L);
        a10.intoArray(tile, NB_MAX);
        a11.intoArray(tile, NB_MAX + L);
        a20.intoArray(tile, 2 * NB_MAX);
        a21.intoArray(tile, 2 * NB_MAX + L);
        a30.intoArray(tile, 3 * NB_MAX);
        a31.intoArray(tile, 3 * NB_MAX + L);
        a40.intoArray(tile, 4 * NB_MAX);
        a41.intoArray(tile, 4 * NB_MAX + L);
        a50.intoArray(tile, 5 * NB_MAX);
        a51.intoArray(tile, 5 * NB_MAX + L);
        a60.intoArray(tile, 6 * NB_MAX);
        a61.intoArray(tile, 6 * NB_MAX + L);
        a70.intoArray(tile, 7 * NB_MAX);
        a71.intoArray(tile, 7 * NB_MAX + L);
    }

    /**
     * tile[v] = sum over taps t of packed[wOff + t] * xp[xBase + offsets[t] + v], v &lt; 3L: one output channel (the
     * weights packed one per tap), 3 accumulators; each sum in tap order as in the wider tiles.
     */
    private static void block1(float[] xp, int xBase, int[] offsets, float[] packed, int wOff, int k, float[] tile) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        for (int t = 0; t < k; t++) {
            int o = xBase + offsets[t];
            FloatVector w0 = FloatVector.broadcast(S, packed[wOff + t]);
            a0 = FloatVector.fromArray(S, xp, o).fma(w0, a0);
            a1 = FloatVector.fromArray(S, xp, o + L).fma(w0, a1);
            a2 = FloatVector.fromArray(S, xp, o + 2 * L).fma(w0, a2);
        }
        a0.intoArray(tile, 0);
        a1.intoArray(tile, L);
        a2.intoArray(tile, 2 * L);
    }

    /** tile[r*NB_MAX + v] = sum over taps t of packed[wOff + t*8 + r] * xp[xBase + offsets[t] + v], v &lt; 3L. */
    private static void block(float[] xp, int xBase, int[] offsets, float[] packed, int wOff, int k, float[] tile) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a22 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a32 = a00;
        FloatVector a40 = a00;
        FloatVector a41 = a00;
        FloatVector a42 = a00;
        FloatVector a50 = a00;
        FloatVector a51 = a00;
        FloatVector a52 = a00;
        FloatVector a60 = a00;
        FloatVector a61 = a00;
        FloatVector a62 = a00;
        FloatVector a70 = a00;
        FloatVector a71 = a00;
        FloatVector a72 = a00;
        for (int t = 0; t < k; t++) {
            int o = xBase + offsets[t];
            int wi = wOff + t * 8;
            FloatVector x0 = FloatVector.fromArray(S, xp, o);
            FloatVector x1 = FloatVector.fromArray(S, xp, o + 1 * L);
            FloatVector x2 = FloatVector.fromArray(S, xp, o + 2 * L);
            FloatVector w0 = FloatVector.broadcast(S, packed[wi]);
            a00 = x0.fma(w0, a00);
            a01 = x1.fma(w0, a01);
            a02 = x2.fma(w0, a02);
            FloatVector w1 = FloatVector.broadcast(S, packed[wi + 1]);
            a10 = x0.fma(w1, a10);
            a11 = x1.fma(w1, a11);
            a12 = x2.fma(w1, a12);
            FloatVector w2 = FloatVector.broadcast(S, packed[wi + 2]);
            a20 = x0.fma(w2, a20);
            a21 = x1.fma(w2, a21);
            a22 = x2.fma(w2, a22);
            FloatVector w3 = FloatVector.broadcast(S, packed[wi + 3]);
            a30 = x0.fma(w3, a30);
            a31 = x1.fma(w3, a31);
            a32 = x2.fma(w3, a32);
            FloatVector w4 = FloatVector.broadcast(S, packed[wi + 4]);
            a40 = x0.fma(w4, a40);
            a41 = x1.fma(w4, a41);
            a42 = x2.fma(w4, a42);
            FloatVector w5 = FloatVector.broadcast(S, packed[wi + 5]);
            a50 = x0.fma(w5, a50);
            a51 = x1.fma(w5, a51);
            a52 = x2.fma(w5, a52);
            FloatVector w6 = FloatVector.broadcast(S, packed[wi + 6]);
            a60 = x0.fma(w6, a60);
            a61 = x1.fma(w6, a61);
            a62 = x2.fma(w6, a62);
            FloatVector w7 = FloatVector.broadcast(S, packed[wi + 7]);
            a70 = x0.fma(w7, a70);
            a71 = x1.fma(w7, a71);
            a72 = x2.fma(w7, a72);
        }
        a00.intoArray(tile, 0);
        a01.intoArray(tile, L);
        a02.intoArray(tile, 2 * L);
        a10.intoArray(tile, NB_MAX);
        a11.intoArray(tile, NB_MAX + L);
        a12.intoArray(tile, NB_MAX + 2 * L);
        a20.intoArray(tile, 2 * NB_MAX);
        a21.intoArray(tile, 2 * NB_MAX + L);
        a22.intoArray(tile, 2 * NB_MAX + 2 * L);
        a30.intoArray(tile, 3 * NB_MAX);
        a31.intoArray(tile, 3 * NB_MAX + L);
        a32.intoArray(tile, 3 * NB_MAX + 2 * L);
        a40.intoArray(tile, 4 * NB_MAX);
        a41.intoArray(tile, 4 * NB_MAX + L);
        a42.intoArray(tile, 4 * NB_MAX + 2 * L);
        a50.intoArray(tile, 5 * NB_MAX);
        a51.intoArray(tile, 5 * NB_MAX + L);
        a52.intoArray(tile, 5 * NB_MAX + 2 * L);
        a60.intoArray(tile, 6 * NB_MAX);
        a61.intoArray(tile, 6 * NB_MAX + L);
        a62.intoArray(tile, 6 * NB_MAX + 2 * L);
        a70.intoArray(tile, 7 * NB_MAX);
        a71.intoArray(tile, 7 * NB_MAX + L);
        a72.intoArray(tile, 7 * NB_MAX + 2 * L);
    }
}
