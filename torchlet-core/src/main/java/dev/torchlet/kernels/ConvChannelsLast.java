package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The direct convolution on channels-last (NHWC) activations, output channels across the vector lanes, as
 * ONNX Runtime's and XNNPACK's CPU kernels do it: for every kernel tap and input channel, one vector of
 * weights per block of L output channels and one broadcast input value per output pixel. The weights are
 * packed once ({@link #pack}) and reused by every call; the output is stored as whole vectors of channels,
 * with no transposition.
 *
 * <pre>
 *   in     (n, h, w, cin)                                  channels last
 *   packed [group][ky][kx][ci][width]                      width = GROUP = 4L (2L on AVX2), fewer in the last
 *   out    (n, oh, ow, cout)                               channels last
 *   out[b][y][x][co] = clamp(bias[co] + sum_{ky,kx,ci} w[co][ci][ky][kx] * in[b][y*sh-ph+ky*dh][x*sw-pw+kx*dw][ci]
 *                            (+ residual[b][y][x][co]), lo, hi)
 * </pre>
 *
 * The register tile is 4 vectors of output channels x 6 output pixels (24 accumulators of AVX-512's 32
 * registers): per tap and input channel 4 weight loads, 6 broadcasts and 24 FMAs. A layer's last group, when its
 * output channels are not a multiple of 4 vectors, runs 3 x 8, 2 x 12 or 1 x 12 tiles instead of wasting lanes
 * (MobileNet's 16, 24, 96, 144, 160 and 320 channels). With AVX2's 16 registers the groups are 2 vectors, run as
 * 2 x 6 tiles (and 1 x 12). The pixels of a tile are consecutive in (y, x) order,
 * across row ends: each has its own input base, and every tap is the same offset from all of them. Padding: the
 * input is copied into a zero-bordered scratch array first (when the convolution pads). Ungrouped convolutions
 * only; depthwise ones are {@link ConvDepthwiseChannelsLast}.
 */
public final class ConvChannelsLast {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /**
     * Vectors of output channels per packed group: 4 with 32 vector registers (AVX-512, AArch64), 2 with 16 (AVX2),
     * where a tile of 24 accumulators would spill.
     */
    private static final int GROUP_VECTORS = Simd.VECTOR_REGISTERS >= 32 ? 4 : 2;
    /** Output channels per packed group (the last group of a layer may have fewer vectors). */
    static final int GROUP = GROUP_VECTORS * L;
    /** Output pixels per parallel work unit: a whole number of tiles of every kind (6, 8 and 12 pixels). */
    private static final int UNIT_PIXELS = 24;
    /** Images of at most this many output pixels may be one unit each (see {@link #unitPixels}). */
    private static final int MAX_IMAGE_UNIT_PIXELS = 72;
    /** Bytes of packed weights per chunk of a unit's work (see runUnits): they stay in L1 while its tiles read them. */
    private static final int CHUNK_BYTES = 32 * 1024;
    /** A unit's last tile short of at most this many pixels runs them one at a time (see chunk). */
    private static final int MAX_SINGLE_PIXELS = 2;

    private ConvChannelsLast() {}

    /** True when this kernel runs g: ungrouped. */
    public static boolean applies(ConvGeometry g) {
        return g.groups() == 1;
    }

    /** Floats of the packed weights of g: kh * kw * cin * cout rounded up to whole vectors. */
    public static int packedLength(ConvGeometry g) {
        return g.kh() * g.kw() * g.cin() * roundUp(g.cout(), L);
    }

    private static int groups(ConvGeometry g) {
        return (g.cout() + GROUP - 1) / GROUP;
    }

    /** Floats per input of group grp: 4 vectors, or for the last group the vectors its channels need. */
    private static int groupWidth(ConvGeometry g, int grp) {
        return Math.min(GROUP, roundUp(g.cout() - grp * GROUP, L));
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /**
     * Packs w (cout, cin, kh, kw) into {@code [group][ky][kx][ci][width]}: width = GROUP floats (4 vectors) per
     * group, the last group as many vectors as its channels need, zero past cout. Group grp starts at
     * grp * kh * kw * cin * GROUP.
     */
    public static float[] pack(ConvGeometry g, float[] w) {
        int cin = g.cin();
        int taps = g.kh() * g.kw();
        int cout = g.cout();
        float[] packed = new float[packedLength(g)];
        Parallel.forRange(groups(g), 1, (s, e) -> {
            for (int grp = s; grp < e; grp++) {
                int width = groupWidth(g, grp);
                int base = grp * taps * cin * GROUP;
                int channels = Math.min(GROUP, cout - grp * GROUP);
                for (int j = 0; j < channels; j++) {
                    int co = grp * GROUP + j;
                    for (int ci = 0; ci < cin; ci++) {
                        int src = (co * cin + ci) * taps; // w[co][ci][tap], taps in (ky, kx) order
                        for (int t = 0; t < taps; t++) {
                            packed[base + (t * cin + ci) * width + j] = w[src + t];
                        }
                    }
                }
            }
        });
        return packed;
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
            throw new IllegalArgumentException("conv2d (channels last): grouped convolutions are not supported");
        }
        float[] xp = padded(g, in, inOff);
        int xOff = xp == in ? inOff : 0;
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        float[] biasPadded = paddedBias(g, bias);
        Call call = new Call(
                g, xp, xOff, hp, wp, packed, biasPadded, residual, residualOff, out, 0, lo, hi, Parallel.numThreads());
        // units in (group, image, tile range) order: each chunk a thread claims keeps one group's weights hot
        int units = groups(g) * g.n() * call.unitsPerImage;
        Parallel.forRangeDynamic(units, 4, (s, e) -> runUnits(call, s, e));
        releasePadded(xp, in);
    }

    /**
     * in (n, h, w, cin) at inOff with g's zero border, (n, h + 2 ph, w + 2 pw, cin) from 0 in a scratch array to hand
     * back with {@link #releasePadded}; in itself when g pads nothing.
     */
    static float[] padded(ConvGeometry g, float[] in, int inOff) {
        if (g.ph() == 0 && g.pw() == 0) {
            return in;
        }
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        float[] xp = ScratchBuffers.take(g.n() * hp * wp * g.cin());
        pad(g, in, inOff, xp, hp, wp);
        return xp;
    }

    /**
     * An NCHW image batch in (n, cin, h, w) at inOff, transposed and given g's zero border in one pass: (n, h + 2 ph,
     * w + 2 pw, cin) from 0 in a scratch array (hand it back with {@link #releaseImage}). The convolution then runs
     * unpadded on it ({@link #unpaddedOver}): the same sums as on a channels-last copy of the batch, without that
     * copy (a 224 x 224 RGB image: 600 KB the caller no longer converts, then pads again).
     */
    public static float[] paddedFromNchw(ConvGeometry g, float[] in, int inOff) {
        int cin = g.cin();
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        int plane = g.h() * g.w();
        float[] xp = ScratchBuffers.take(g.n() * hp * wp * cin);
        Parallel.forRange(g.n() * hp, 8, (s, e) -> {
            for (int r = s; r < e; r++) {
                int b = r / hp;
                int y = r % hp - g.ph();
                int dst = r * wp * cin;
                if (y < 0 || y >= g.h()) {
                    java.util.Arrays.fill(xp, dst, dst + wp * cin, 0f);
                    continue;
                }
                int left = g.pw() * cin;
                java.util.Arrays.fill(xp, dst, dst + left, 0f);
                java.util.Arrays.fill(xp, dst + left + g.w() * cin, dst + wp * cin, 0f);
                for (int c = 0; c < cin; c++) {
                    int src = inOff + (b * cin + c) * plane + y * g.w();
                    for (int x = 0, d = dst + left + c; x < g.w(); x++, d += cin) {
                        xp[d] = in[src + x];
                    }
                }
            }
        });
        return xp;
    }

    /** Hands back the scratch array of {@link #paddedFromNchw}. */
    public static void releaseImage(float[] xp) {
        ScratchBuffers.give(xp);
    }

    /** g without padding over its input padded by g's border: the convolution of {@link #paddedFromNchw}'s array. */
    public static ConvGeometry unpaddedOver(ConvGeometry g) {
        return new ConvGeometry(
                g.n(),
                g.cin(),
                g.h() + 2 * g.ph(),
                g.w() + 2 * g.pw(),
                g.cout(),
                g.kh(),
                g.kw(),
                g.sh(),
                g.sw(),
                0,
                0,
                g.dh(),
                g.dw(),
                g.groups(),
                g.oh(),
                g.ow());
    }

    /** Hands back what {@link #padded} took, if it took anything. */
    static void releasePadded(float[] xp, float[] in) {
        if (xp != in) {
            ScratchBuffers.give(xp);
        }
    }

    /**
     * {@link #forward} for an unpadded g on the calling thread, the output at outOff: out[outOff + p * cout + co] for
     * the n * oh * ow output pixels p (residual at residualOff + that index). biasPadded holds cout rounded up to
     * whole groups ({@link #paddedBias}). The fused inverted residual block runs its strips' 1x1 convolutions here.
     */
    static void forwardOnCallingThread(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] packed,
            float[] biasPadded,
            float[] residual,
            int residualOff,
            float[] out,
            int outOff,
            float lo,
            float hi) {
        if (!applies(g) || g.ph() != 0 || g.pw() != 0) {
            throw new IllegalArgumentException("conv2d (channels last, one thread): expected an ungrouped, unpadded "
                    + "convolution, got groups " + g.groups() + ", padding " + g.ph() + "x" + g.pw());
        }
        Call call =
                new Call(g, in, inOff, g.h(), g.w(), packed, biasPadded, residual, residualOff, out, outOff, lo, hi, 1);
        runUnits(call, 0, groups(g) * g.n() * call.unitsPerImage);
    }

    /** bias (cout, or null for zeros) padded with zeros to whole output channel groups, as the tiles read it. */
    static float[] paddedBias(ConvGeometry g, float[] bias) {
        float[] padded = new float[roundUp(g.cout(), GROUP)];
        if (bias != null) {
            System.arraycopy(bias, 0, padded, 0, g.cout());
        }
        return padded;
    }

    /**
     * Copies in (n, h, w, cin) into xp (n, hp, wp, cin) at (ph, pw) with zero borders (to whatever hp and wp are at
     * least h + ph and w + pw).
     */
    static void pad(ConvGeometry g, float[] in, int inOff, float[] xp, int hp, int wp) {
        int cin = g.cin();
        int rowIn = g.w() * cin;
        int rowOut = wp * cin;
        Parallel.forRange(g.n() * hp, 8, (s, e) -> {
            for (int r = s; r < e; r++) {
                int b = r / hp;
                int y = r % hp - g.ph();
                int dst = r * rowOut;
                if (y < 0 || y >= g.h()) {
                    java.util.Arrays.fill(xp, dst, dst + rowOut, 0f);
                    continue;
                }
                int left = g.pw() * cin;
                java.util.Arrays.fill(xp, dst, dst + left, 0f);
                System.arraycopy(in, inOff + (b * g.h() + y) * rowIn, xp, dst + left, rowIn);
                java.util.Arrays.fill(xp, dst + left + rowIn, dst + rowOut, 0f);
            }
        });
    }

    /** One call's operands and the layout of its work, shared by the threads. */
    private static final class Call {
        final ConvGeometry g;
        final float[] xp;
        final int xOff;
        final int hp;
        final int wp;
        final float[] packed;
        final float[] bias;
        final float[] residual;
        final int residualOff;
        final float[] out;
        /** Where output pixel 0 goes in out. */
        final int outOff;

        final float lo;
        final float hi;
        /** Input offsets (from a pixel's base) of the runs of inputs that a pixel reads: see runLength. */
        final int[] runOffsets;
        /**
         * Inputs per run. With dilation 1 the kw taps of a kernel row read kw * cin adjacent floats (in the packed
         * weights' order too), so each kernel row is one run; otherwise each tap is a run of cin.
         */
        final int runLength;

        final int pixels;
        /** Output pixels per work unit: see {@link #unitPixels}. */
        final int unitPixels;

        final int unitsPerImage;

        Call(
                ConvGeometry g,
                float[] xp,
                int xOff,
                int hp,
                int wp,
                float[] packed,
                float[] bias,
                float[] residual,
                int residualOff,
                float[] out,
                int outOff,
                float lo,
                float hi,
                int threads) {
            this.g = g;
            this.xp = xp;
            this.xOff = xOff;
            this.hp = hp;
            this.wp = wp;
            this.packed = packed;
            this.bias = bias;
            this.residual = residual;
            this.residualOff = residualOff;
            this.out = out;
            this.outOff = outOff;
            this.lo = lo;
            this.hi = hi;
            int cin = g.cin();
            boolean rowRuns = g.dw() == 1;
            runOffsets = new int[rowRuns ? g.kh() : g.kh() * g.kw()];
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < (rowRuns ? 1 : g.kw()); kx++) {
                    runOffsets[rowRuns ? ky : ky * g.kw() + kx] = (ky * g.dh() * wp + kx * g.dw()) * cin;
                }
            }
            runLength = rowRuns ? g.kw() * cin : cin;
            pixels = g.oh() * g.ow();
            unitPixels = unitPixels(g, pixels, threads);
            unitsPerImage = (pixels + unitPixels - 1) / unitPixels;
        }
    }

    /**
     * Output pixels per work unit: 24, or a whole small image (ResNet's 7 x 7: 49 pixels, a unit of 72) when that
     * still leaves every thread 4 units or more. A unit reads its output channel group's weights once: ResNet's 7 x 7
     * layers (1.2 MB of weights a group, which come from L3 inside the model) read them once instead of three times.
     */
    private static int unitPixels(ConvGeometry g, int pixels, int threads) {
        boolean wholeImage = pixels <= MAX_IMAGE_UNIT_PIXELS && groups(g) * g.n() >= 4 * threads;
        return wholeImage ? roundUp(pixels, UNIT_PIXELS) : UNIT_PIXELS;
    }

    /**
     * Work units [s, e): unit u is output channel group u / (n * unitsPerImage), then image, then tile range. A unit's
     * pixels accumulate in the tile buffer (bias first): every tile of the unit takes one chunk of the taps and input
     * channels ({@link #chunkSteps} of them) before any takes the next, so the chunk's weights are read from L1 by
     * all the unit's tiles instead of from L2 by each (the weights of a 3x3, 256-channel group are 590 KB). A pixel's
     * sum runs in the same order either way: the same bits. With the accumulators loaded from the buffer and each
     * run's weight offset computed afresh, 3x3 convolutions at 7 x 7 and 14 x 14 ran 1.15-1.2x the per-tile loop on a
     * 2-FMA-port Xeon (the chunking itself within the noise there).
     */
    private static void runUnits(Call c, int s, int e) {
        ConvGeometry g = c.g;
        int cin = g.cin();
        int ow = g.ow();
        int cout = g.cout();
        int[] bases = new int[c.unitPixels];
        float[] tile = new float[c.unitPixels * GROUP];
        int runs = c.runOffsets.length;
        for (int u = s; u < e; u++) {
            int grp = u / (g.n() * c.unitsPerImage);
            int r = u % (g.n() * c.unitsPerImage);
            int b = r / c.unitsPerImage;
            int p0 = (r % c.unitsPerImage) * c.unitPixels;
            int count = Math.min(c.pixels, p0 + c.unitPixels) - p0;
            int wOff = grp * g.kh() * g.kw() * cin * GROUP;
            int co0 = grp * GROUP;
            int width = groupWidth(g, grp);
            int tilePixels = tilePixels(width / L);
            int tiles = (count + tilePixels - 1) / tilePixels;
            int imageBase = c.xOff + b * c.hp * c.wp * cin;
            int y = p0 / ow; // (y, x) of pixel p, stepped along without dividing
            int x = p0 % ow;
            for (int i = 0; i < count; i++) {
                bases[i] = imageBase + (y * g.sh() * c.wp + x * g.sw()) * cin;
                if (++x == ow) {
                    x = 0;
                    y++;
                }
            }
            for (int i = count; i < tiles * tilePixels; i++) {
                bases[i] = bases[count - 1]; // a short tile repeats its last pixel
            }
            // every pixel starts at the bias (an arraycopy per pixel cost a quarter of MobileNetV2's stem)
            for (int v = 0; v < width; v += L) {
                FloatVector bias = FloatVector.fromArray(S, c.bias, co0 + v);
                for (int i = 0; i < tiles * tilePixels; i++) {
                    bias.intoArray(tile, i * GROUP + v);
                }
            }
            int steps = chunkSteps(width);
            if (c.runLength <= steps) { // whole runs a chunk, as few chunks as fit (ResNet's stem: 7 runs of 21)
                int chunks = (runs + steps / c.runLength - 1) / (steps / c.runLength);
                int perChunk = (runs + chunks - 1) / chunks;
                for (int run = 0; run < runs; run += perChunk) {
                    int end = Math.min(runs, run + perChunk);
                    chunk(c, width, count, tilePixels, bases, run, end, 0, c.runLength, wOff, tile);
                }
            } else {
                for (int run = 0; run < runs; run++) {
                    for (int ci0 = 0; ci0 < c.runLength; ci0 += steps) {
                        int ci1 = Math.min(c.runLength, ci0 + steps);
                        chunk(c, width, count, tilePixels, bases, run, run + 1, ci0, ci1, wOff, tile);
                    }
                }
            }
            int outPos = c.outOff + (b * c.pixels + p0) * cout;
            store(tile, count, c.out, outPos, cout, co0, c.residual, c.residualOff, c.lo, c.hi);
        }
    }

    /** Inputs (taps x input channels) per chunk: the chunk's weights, width floats per input, take 32 KB. */
    private static int chunkSteps(int width) {
        return CHUNK_BYTES / Float.BYTES / width;
    }

    /**
     * Runs [run0, run1) x inputs [ci0, ci1) of each run, for the unit's count pixels in tiles, into its part of the
     * buffer. A last tile short of one or two pixels (a 7 x 7 image's 49 = 8 x 6 + 1) runs them as one-pixel tiles of
     * a full group instead of repeating its last pixel: a 6-pixel tile for 1 pixel was a tenth of the work of ResNet's
     * 7 x 7 layers.
     */
    private static void chunk(
            Call c,
            int width,
            int count,
            int tilePixels,
            int[] bases,
            int run0,
            int run1,
            int ci0,
            int ci1,
            int wOff,
            float[] tile) {
        int[] ro = c.runOffsets;
        int rl = c.runLength;
        float[] xp = c.xp;
        float[] w = c.packed;
        int rest = count % tilePixels;
        boolean singles = width == 4 * L && rest > 0 && rest <= MAX_SINGLE_PIXELS;
        int tiles = singles ? count / tilePixels : (count + tilePixels - 1) / tilePixels;
        for (int t = 0; t < tiles; t++) {
            int bo = t * tilePixels;
            int to = bo * GROUP;
            switch (width / L) {
                case 4 -> tile4x6(xp, bases, bo, ro, rl, run0, run1, ci0, ci1, w, wOff, width, tile, to);
                case 3 -> tile3x8(xp, bases, bo, ro, rl, run0, run1, ci0, ci1, w, wOff, width, tile, to);
                case 2 -> {
                    if (GROUP_VECTORS == 2) {
                        tile2x6(xp, bases, bo, ro, rl, run0, run1, ci0, ci1, w, wOff, width, tile, to);
                    } else {
                        tile2x12(xp, bases, bo, ro, rl, run0, run1, ci0, ci1, w, wOff, width, tile, to);
                    }
                }
                default -> tile1x12(xp, bases, bo, ro, rl, run0, run1, ci0, ci1, w, wOff, width, tile, to);
            }
        }
        for (int i = tiles * tilePixels; singles && i < count; i++) {
            tile4x1(xp, bases[i], ro, rl, run0, run1, ci0, ci1, w, wOff, tile, i * GROUP);
        }
    }

    /**
     * One pixel of a 4-vector group (a unit's last pixels, see {@link #chunk}): tile[tileOff + j] += the part of the
     * pixel's sum for channel j over runs [run0, run1) and inputs [ci0, ci1), in {@link #tile4x6}'s order.
     */
    private static void tile4x1(
            float[] xp,
            int base,
            int[] runOffsets,
            int runLength,
            int run0,
            int run1,
            int ci0,
            int ci1,
            float[] packed,
            int wOff,
            float[] tile,
            int tileOff) {
        FloatVector a0 = FloatVector.fromArray(S, tile, tileOff);
        FloatVector a1 = FloatVector.fromArray(S, tile, tileOff + L);
        FloatVector a2 = FloatVector.fromArray(S, tile, tileOff + 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, tile, tileOff + 3 * L);
        int width = 4 * L;
        for (int r = run0; r < run1; r++) {
            int i0 = base + runOffsets[r];
            int wp = wOff + (r * runLength + ci0) * width;
            for (int ci = ci0; ci < ci1; ci++, wp += width) {
                FloatVector v = FloatVector.broadcast(S, xp[i0 + ci]);
                a0 = FloatVector.fromArray(S, packed, wp).fma(v, a0);
                a1 = FloatVector.fromArray(S, packed, wp + L).fma(v, a1);
                a2 = FloatVector.fromArray(S, packed, wp + 2 * L).fma(v, a2);
                a3 = FloatVector.fromArray(S, packed, wp + 3 * L).fma(v, a3);
            }
        }
        a0.intoArray(tile, tileOff);
        a1.intoArray(tile, tileOff + L);
        a2.intoArray(tile, tileOff + 2 * L);
        a3.intoArray(tile, tileOff + 3 * L);
    }

    /**
     * Pixels of the register tile for a group of this many vectors: 24 accumulators with 32 registers, 12 with 16
     * (and for one vector).
     */
    private static int tilePixels(int vectors) {
        return switch (vectors) {
            case 4 -> 6;
            case 3 -> 8;
            case 2 -> GROUP_VECTORS == 2 ? 6 : 12;
            default -> 12;
        };
    }

    /**
     * tile[tileOff + i * GROUP + j] += the part of pixel i's convolution sum for the group's channel j over runs
     * [run0, run1) and inputs [ci0, ci1) of each: the inputs from bases[baseOff + i] + runOffsets[r] + ci times the
     * packed weights (width floats per input, run r's at wOff + r * runLength * width), in that order. 4 vectors of
     * output channels x 6 pixels; the other tiles are the same loop with fewer vectors (a group of the last output
     * channels) and more pixels.
     */
    private static void tile4x6(
            float[] xp,
            int[] bases,
            int baseOff,
            int[] runOffsets,
            int runLength,
            int run0,
            int run1,
            int ci0,
            int ci1,
            float[] packed,
            int wOff,
            int width,
            float[] tile,
            int tileOff) {
        FloatVector a0_0 = FloatVector.fromArray(S, tile, tileOff);
        FloatVector a0_1 = FloatVector.fromArray(S, tile, tileOff + L);
        FloatVector a0_2 = FloatVector.fromArray(S, tile, tileOff + 2 * L);
        FloatVector a0_3 = FloatVector.fromArray(S, tile, tileOff + 3 * L);
        FloatVector a1_0 = FloatVector.fromArray(S, tile, tileOff + GROUP);
        FloatVector a1_1 = FloatVector.fromArray(S, tile, tileOff + GROUP + L);
        FloatVector a1_2 = FloatVector.fromArray(S, tile, tileOff + GROUP + 2 * L);
        FloatVector a1_3 = FloatVector.fromArray(S, tile, tileOff + GROUP + 3 * L);
        FloatVector a2_0 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP);
        FloatVector a2_1 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP + L);
        FloatVector a2_2 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP + 2 * L);
        FloatVector a2_3 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP + 3 * L);
        FloatVector a3_0 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP);
        FloatVector a3_1 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP + L);
        FloatVector a3_2 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP + 2 * L);
        FloatVector a3_3 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP + 3 * L);
        FloatVector a4_0 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP);
        FloatVector a4_1 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP + L);
        FloatVector a4_2 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP + 2 * L);
        FloatVector a4_3 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP + 3 * L);
        FloatVector a5_0 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP);
        FloatVector a5_1 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP + L);
        FloatVector a5_2 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP + 2 * L);
        FloatVector a5_3 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP + 3 * L);
        int x0 = bases[baseOff];
        int x1 = bases[baseOff + 1];
        int x2 = bases[baseOff + 2];
        int x3 = bases[baseOff + 3];
        int x4 = bases[baseOff + 4];
        int x5 = bases[baseOff + 5];
        for (int r = run0; r < run1; r++) {
            int o = runOffsets[r];
            int wp = wOff + (r * runLength + ci0) * width;
            int i0 = x0 + o;
            int i1 = x1 + o;
            int i2 = x2 + o;
            int i3 = x3 + o;
            int i4 = x4 + o;
            int i5 = x5 + o;
            for (int ci = ci0; ci < ci1; ci++, wp += width) {
                FloatVector w0 = FloatVector.fromArray(S, packed, wp);
                FloatVector w1 = FloatVector.fromArray(S, packed, wp + L);
                FloatVector w2 = FloatVector.fromArray(S, packed, wp + 2 * L);
                FloatVector w3 = FloatVector.fromArray(S, packed, wp + 3 * L);
                FloatVector v = FloatVector.broadcast(S, xp[i0 + ci]);
                a0_0 = w0.fma(v, a0_0);
                a0_1 = w1.fma(v, a0_1);
                a0_2 = w2.fma(v, a0_2);
                a0_3 = w3.fma(v, a0_3);
                v = FloatVector.broadcast(S, xp[i1 + ci]);
                a1_0 = w0.fma(v, a1_0);
                a1_1 = w1.fma(v, a1_1);
                a1_2 = w2.fma(v, a1_2);
                a1_3 = w3.fma(v, a1_3);
                v = FloatVector.broadcast(S, xp[i2 + ci]);
                a2_0 = w0.fma(v, a2_0);
                a2_1 = w1.fma(v, a2_1);
                a2_2 = w2.fma(v, a2_2);
                a2_3 = w3.fma(v, a2_3);
                v = FloatVector.broadcast(S, xp[i3 + ci]);
                a3_0 = w0.fma(v, a3_0);
                a3_1 = w1.fma(v, a3_1);
                a3_2 = w2.fma(v, a3_2);
                a3_3 = w3.fma(v, a3_3);
                v = FloatVector.broadcast(S, xp[i4 + ci]);
                a4_0 = w0.fma(v, a4_0);
                a4_1 = w1.fma(v, a4_1);
                a4_2 = w2.fma(v, a4_2);
                a4_3 = w3.fma(v, a4_3);
                v = FloatVector.broadcast(S, xp[i5 + ci]);
                a5_0 = w0.fma(v, a5_0);
                a5_1 = w1.fma(v, a5_1);
                a5_2 = w2.fma(v, a5_2);
                a5_3 = w3.fma(v, a5_3);
            }
        }
        a0_0.intoArray(tile, tileOff);
        a0_1.intoArray(tile, tileOff + L);
        a0_2.intoArray(tile, tileOff + 2 * L);
        a0_3.intoArray(tile, tileOff + 3 * L);
        a1_0.intoArray(tile, tileOff + GROUP);
        a1_1.intoArray(tile, tileOff + GROUP + L);
        a1_2.intoArray(tile, tileOff + GROUP + 2 * L);
        a1_3.intoArray(tile, tileOff + GROUP + 3 * L);
        a2_0.intoArray(tile, tileOff + 2 * GROUP);
        a2_1.intoArray(tile, tileOff + 2 * GROUP + L);
        a2_2.intoArray(tile, tileOff + 2 * GROUP + 2 * L);
        a2_3.intoArray(tile, tileOff + 2 * GROUP + 3 * L);
        a3_0.intoArray(tile, tileOff + 3 * GROUP);
        a3_1.intoArray(tile, tileOff + 3 * GROUP + L);
        a3_2.intoArray(tile, tileOff + 3 * GROUP + 2 * L);
        a3_3.intoArray(tile, tileOff + 3 * GROUP + 3 * L);
        a4_0.intoArray(tile, tileOff + 4 * GROUP);
        a4_1.intoArray(tile, tileOff + 4 * GROUP + L);
        a4_2.intoArray(tile, tileOff + 4 * GROUP + 2 * L);
        a4_3.intoArray(tile, tileOff + 4 * GROUP + 3 * L);
        a5_0.intoArray(tile, tileOff + 5 * GROUP);
        a5_1.intoArray(tile, tileOff + 5 * GROUP + L);
        a5_2.intoArray(tile, tileOff + 5 * GROUP + 2 * L);
        a5_3.intoArray(tile, tileOff + 5 * GROUP + 3 * L);
    }

    /** 3 vectors of output channels x 8 pixels: see {@link #tile4x6}. */
    private static void tile3x8(
            float[] xp,
            int[] bases,
            int baseOff,
            int[] runOffsets,
            int runLength,
            int run0,
            int run1,
            int ci0,
            int ci1,
            float[] packed,
            int wOff,
            int width,
            float[] tile,
            int tileOff) {
        FloatVector a0_0 = FloatVector.fromArray(S, tile, tileOff);
        FloatVector a0_1 = FloatVector.fromArray(S, tile, tileOff + L);
        FloatVector a0_2 = FloatVector.fromArray(S, tile, tileOff + 2 * L);
        FloatVector a1_0 = FloatVector.fromArray(S, tile, tileOff + GROUP);
        FloatVector a1_1 = FloatVector.fromArray(S, tile, tileOff + GROUP + L);
        FloatVector a1_2 = FloatVector.fromArray(S, tile, tileOff + GROUP + 2 * L);
        FloatVector a2_0 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP);
        FloatVector a2_1 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP + L);
        FloatVector a2_2 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP + 2 * L);
        FloatVector a3_0 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP);
        FloatVector a3_1 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP + L);
        FloatVector a3_2 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP + 2 * L);
        FloatVector a4_0 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP);
        FloatVector a4_1 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP + L);
        FloatVector a4_2 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP + 2 * L);
        FloatVector a5_0 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP);
        FloatVector a5_1 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP + L);
        FloatVector a5_2 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP + 2 * L);
        FloatVector a6_0 = FloatVector.fromArray(S, tile, tileOff + 6 * GROUP);
        FloatVector a6_1 = FloatVector.fromArray(S, tile, tileOff + 6 * GROUP + L);
        FloatVector a6_2 = FloatVector.fromArray(S, tile, tileOff + 6 * GROUP + 2 * L);
        FloatVector a7_0 = FloatVector.fromArray(S, tile, tileOff + 7 * GROUP);
        FloatVector a7_1 = FloatVector.fromArray(S, tile, tileOff + 7 * GROUP + L);
        FloatVector a7_2 = FloatVector.fromArray(S, tile, tileOff + 7 * GROUP + 2 * L);
        int x0 = bases[baseOff];
        int x1 = bases[baseOff + 1];
        int x2 = bases[baseOff + 2];
        int x3 = bases[baseOff + 3];
        int x4 = bases[baseOff + 4];
        int x5 = bases[baseOff + 5];
        int x6 = bases[baseOff + 6];
        int x7 = bases[baseOff + 7];
        for (int r = run0; r < run1; r++) {
            int o = runOffsets[r];
            int wp = wOff + (r * runLength + ci0) * width;
            int i0 = x0 + o;
            int i1 = x1 + o;
            int i2 = x2 + o;
            int i3 = x3 + o;
            int i4 = x4 + o;
            int i5 = x5 + o;
            int i6 = x6 + o;
            int i7 = x7 + o;
            for (int ci = ci0; ci < ci1; ci++, wp += width) {
                FloatVector w0 = FloatVector.fromArray(S, packed, wp);
                FloatVector w1 = FloatVector.fromArray(S, packed, wp + L);
                FloatVector w2 = FloatVector.fromArray(S, packed, wp + 2 * L);
                FloatVector v = FloatVector.broadcast(S, xp[i0 + ci]);
                a0_0 = w0.fma(v, a0_0);
                a0_1 = w1.fma(v, a0_1);
                a0_2 = w2.fma(v, a0_2);
                v = FloatVector.broadcast(S, xp[i1 + ci]);
                a1_0 = w0.fma(v, a1_0);
                a1_1 = w1.fma(v, a1_1);
                a1_2 = w2.fma(v, a1_2);
                v = FloatVector.broadcast(S, xp[i2 + ci]);
                a2_0 = w0.fma(v, a2_0);
                a2_1 = w1.fma(v, a2_1);
                a2_2 = w2.fma(v, a2_2);
                v = FloatVector.broadcast(S, xp[i3 + ci]);
                a3_0 = w0.fma(v, a3_0);
                a3_1 = w1.fma(v, a3_1);
                a3_2 = w2.fma(v, a3_2);
                v = FloatVector.broadcast(S, xp[i4 + ci]);
                a4_0 = w0.fma(v, a4_0);
                a4_1 = w1.fma(v, a4_1);
                a4_2 = w2.fma(v, a4_2);
                v = FloatVector.broadcast(S, xp[i5 + ci]);
                a5_0 = w0.fma(v, a5_0);
                a5_1 = w1.fma(v, a5_1);
                a5_2 = w2.fma(v, a5_2);
                v = FloatVector.broadcast(S, xp[i6 + ci]);
                a6_0 = w0.fma(v, a6_0);
                a6_1 = w1.fma(v, a6_1);
                a6_2 = w2.fma(v, a6_2);
                v = FloatVector.broadcast(S, xp[i7 + ci]);
                a7_0 = w0.fma(v, a7_0);
                a7_1 = w1.fma(v, a7_1);
                a7_2 = w2.fma(v, a7_2);
            }
        }
        a0_0.intoArray(tile, tileOff);
        a0_1.intoArray(tile, tileOff + L);
        a0_2.intoArray(tile, tileOff + 2 * L);
        a1_0.intoArray(tile, tileOff + GROUP);
        a1_1.intoArray(tile, tileOff + GROUP + L);
        a1_2.intoArray(tile, tileOff + GROUP + 2 * L);
        a2_0.intoArray(tile, tileOff + 2 * GROUP);
        a2_1.intoArray(tile, tileOff + 2 * GROUP + L);
        a2_2.intoArray(tile, tileOff + 2 * GROUP + 2 * L);
        a3_0.intoArray(tile, tileOff + 3 * GROUP);
        a3_1.intoArray(tile, tileOff + 3 * GROUP + L);
        a3_2.intoArray(tile, tileOff + 3 * GROUP + 2 * L);
        a4_0.intoArray(tile, tileOff + 4 * GROUP);
        a4_1.intoArray(tile, tileOff + 4 * GROUP + L);
        a4_2.intoArray(tile, tileOff + 4 * GROUP + 2 * L);
        a5_0.intoArray(tile, tileOff + 5 * GROUP);
        a5_1.intoArray(tile, tileOff + 5 * GROUP + L);
        a5_2.intoArray(tile, tileOff + 5 * GROUP + 2 * L);
        a6_0.intoArray(tile, tileOff + 6 * GROUP);
        a6_1.intoArray(tile, tileOff + 6 * GROUP + L);
        a6_2.intoArray(tile, tileOff + 6 * GROUP + 2 * L);
        a7_0.intoArray(tile, tileOff + 7 * GROUP);
        a7_1.intoArray(tile, tileOff + 7 * GROUP + L);
        a7_2.intoArray(tile, tileOff + 7 * GROUP + 2 * L);
    }

    /** 2 vectors of output channels x 12 pixels: see {@link #tile4x6}. */
    private static void tile2x12(
            float[] xp,
            int[] bases,
            int baseOff,
            int[] runOffsets,
            int runLength,
            int run0,
            int run1,
            int ci0,
            int ci1,
            float[] packed,
            int wOff,
            int width,
            float[] tile,
            int tileOff) {
        FloatVector a0_0 = FloatVector.fromArray(S, tile, tileOff);
        FloatVector a0_1 = FloatVector.fromArray(S, tile, tileOff + L);
        FloatVector a1_0 = FloatVector.fromArray(S, tile, tileOff + GROUP);
        FloatVector a1_1 = FloatVector.fromArray(S, tile, tileOff + GROUP + L);
        FloatVector a2_0 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP);
        FloatVector a2_1 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP + L);
        FloatVector a3_0 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP);
        FloatVector a3_1 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP + L);
        FloatVector a4_0 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP);
        FloatVector a4_1 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP + L);
        FloatVector a5_0 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP);
        FloatVector a5_1 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP + L);
        FloatVector a6_0 = FloatVector.fromArray(S, tile, tileOff + 6 * GROUP);
        FloatVector a6_1 = FloatVector.fromArray(S, tile, tileOff + 6 * GROUP + L);
        FloatVector a7_0 = FloatVector.fromArray(S, tile, tileOff + 7 * GROUP);
        FloatVector a7_1 = FloatVector.fromArray(S, tile, tileOff + 7 * GROUP + L);
        FloatVector a8_0 = FloatVector.fromArray(S, tile, tileOff + 8 * GROUP);
        FloatVector a8_1 = FloatVector.fromArray(S, tile, tileOff + 8 * GROUP + L);
        FloatVector a9_0 = FloatVector.fromArray(S, tile, tileOff + 9 * GROUP);
        FloatVector a9_1 = FloatVector.fromArray(S, tile, tileOff + 9 * GROUP + L);
        FloatVector a10_0 = FloatVector.fromArray(S, tile, tileOff + 10 * GROUP);
        FloatVector a10_1 = FloatVector.fromArray(S, tile, tileOff + 10 * GROUP + L);
        FloatVector a11_0 = FloatVector.fromArray(S, tile, tileOff + 11 * GROUP);
        FloatVector a11_1 = FloatVector.fromArray(S, tile, tileOff + 11 * GROUP + L);
        int x0 = bases[baseOff];
        int x1 = bases[baseOff + 1];
        int x2 = bases[baseOff + 2];
        int x3 = bases[baseOff + 3];
        int x4 = bases[baseOff + 4];
        int x5 = bases[baseOff + 5];
        int x6 = bases[baseOff + 6];
        int x7 = bases[baseOff + 7];
        int x8 = bases[baseOff + 8];
        int x9 = bases[baseOff + 9];
        int x10 = bases[baseOff + 10];
        int x11 = bases[baseOff + 11];
        for (int r = run0; r < run1; r++) {
            int o = runOffsets[r];
            int wp = wOff + (r * runLength + ci0) * width;
            int i0 = x0 + o;
            int i1 = x1 + o;
            int i2 = x2 + o;
            int i3 = x3 + o;
            int i4 = x4 + o;
            int i5 = x5 + o;
            int i6 = x6 + o;
            int i7 = x7 + o;
            int i8 = x8 + o;
            int i9 = x9 + o;
            int i10 = x10 + o;
            int i11 = x11 + o;
            for (int ci = ci0; ci < ci1; ci++, wp += width) {
                FloatVector w0 = FloatVector.fromArray(S, packed, wp);
                FloatVector w1 = FloatVector.fromArray(S, packed, wp + L);
                FloatVector v = FloatVector.broadcast(S, xp[i0 + ci]);
                a0_0 = w0.fma(v, a0_0);
                a0_1 = w1.fma(v, a0_1);
                v = FloatVector.broadcast(S, xp[i1 + ci]);
                a1_0 = w0.fma(v, a1_0);
                a1_1 = w1.fma(v, a1_1);
                v = FloatVector.broadcast(S, xp[i2 + ci]);
                a2_0 = w0.fma(v, a2_0);
                a2_1 = w1.fma(v, a2_1);
                v = FloatVector.broadcast(S, xp[i3 + ci]);
                a3_0 = w0.fma(v, a3_0);
                a3_1 = w1.fma(v, a3_1);
                v = FloatVector.broadcast(S, xp[i4 + ci]);
                a4_0 = w0.fma(v, a4_0);
                a4_1 = w1.fma(v, a4_1);
                v = FloatVector.broadcast(S, xp[i5 + ci]);
                a5_0 = w0.fma(v, a5_0);
                a5_1 = w1.fma(v, a5_1);
                v = FloatVector.broadcast(S, xp[i6 + ci]);
                a6_0 = w0.fma(v, a6_0);
                a6_1 = w1.fma(v, a6_1);
                v = FloatVector.broadcast(S, xp[i7 + ci]);
                a7_0 = w0.fma(v, a7_0);
                a7_1 = w1.fma(v, a7_1);
                v = FloatVector.broadcast(S, xp[i8 + ci]);
                a8_0 = w0.fma(v, a8_0);
                a8_1 = w1.fma(v, a8_1);
                v = FloatVector.broadcast(S, xp[i9 + ci]);
                a9_0 = w0.fma(v, a9_0);
                a9_1 = w1.fma(v, a9_1);
                v = FloatVector.broadcast(S, xp[i10 + ci]);
                a10_0 = w0.fma(v, a10_0);
                a10_1 = w1.fma(v, a10_1);
                v = FloatVector.broadcast(S, xp[i11 + ci]);
                a11_0 = w0.fma(v, a11_0);
                a11_1 = w1.fma(v, a11_1);
            }
        }
        a0_0.intoArray(tile, tileOff);
        a0_1.intoArray(tile, tileOff + L);
        a1_0.intoArray(tile, tileOff + GROUP);
        a1_1.intoArray(tile, tileOff + GROUP + L);
        a2_0.intoArray(tile, tileOff + 2 * GROUP);
        a2_1.intoArray(tile, tileOff + 2 * GROUP + L);
        a3_0.intoArray(tile, tileOff + 3 * GROUP);
        a3_1.intoArray(tile, tileOff + 3 * GROUP + L);
        a4_0.intoArray(tile, tileOff + 4 * GROUP);
        a4_1.intoArray(tile, tileOff + 4 * GROUP + L);
        a5_0.intoArray(tile, tileOff + 5 * GROUP);
        a5_1.intoArray(tile, tileOff + 5 * GROUP + L);
        a6_0.intoArray(tile, tileOff + 6 * GROUP);
        a6_1.intoArray(tile, tileOff + 6 * GROUP + L);
        a7_0.intoArray(tile, tileOff + 7 * GROUP);
        a7_1.intoArray(tile, tileOff + 7 * GROUP + L);
        a8_0.intoArray(tile, tileOff + 8 * GROUP);
        a8_1.intoArray(tile, tileOff + 8 * GROUP + L);
        a9_0.intoArray(tile, tileOff + 9 * GROUP);
        a9_1.intoArray(tile, tileOff + 9 * GROUP + L);
        a10_0.intoArray(tile, tileOff + 10 * GROUP);
        a10_1.intoArray(tile, tileOff + 10 * GROUP + L);
        a11_0.intoArray(tile, tileOff + 11 * GROUP);
        a11_1.intoArray(tile, tileOff + 11 * GROUP + L);
    }

    /** 1 vector of output channels x 12 pixels: see {@link #tile4x6}. */
    private static void tile1x12(
            float[] xp,
            int[] bases,
            int baseOff,
            int[] runOffsets,
            int runLength,
            int run0,
            int run1,
            int ci0,
            int ci1,
            float[] packed,
            int wOff,
            int width,
            float[] tile,
            int tileOff) {
        FloatVector a0_0 = FloatVector.fromArray(S, tile, tileOff);
        FloatVector a1_0 = FloatVector.fromArray(S, tile, tileOff + GROUP);
        FloatVector a2_0 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP);
        FloatVector a3_0 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP);
        FloatVector a4_0 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP);
        FloatVector a5_0 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP);
        FloatVector a6_0 = FloatVector.fromArray(S, tile, tileOff + 6 * GROUP);
        FloatVector a7_0 = FloatVector.fromArray(S, tile, tileOff + 7 * GROUP);
        FloatVector a8_0 = FloatVector.fromArray(S, tile, tileOff + 8 * GROUP);
        FloatVector a9_0 = FloatVector.fromArray(S, tile, tileOff + 9 * GROUP);
        FloatVector a10_0 = FloatVector.fromArray(S, tile, tileOff + 10 * GROUP);
        FloatVector a11_0 = FloatVector.fromArray(S, tile, tileOff + 11 * GROUP);
        int x0 = bases[baseOff];
        int x1 = bases[baseOff + 1];
        int x2 = bases[baseOff + 2];
        int x3 = bases[baseOff + 3];
        int x4 = bases[baseOff + 4];
        int x5 = bases[baseOff + 5];
        int x6 = bases[baseOff + 6];
        int x7 = bases[baseOff + 7];
        int x8 = bases[baseOff + 8];
        int x9 = bases[baseOff + 9];
        int x10 = bases[baseOff + 10];
        int x11 = bases[baseOff + 11];
        for (int r = run0; r < run1; r++) {
            int o = runOffsets[r];
            int wp = wOff + (r * runLength + ci0) * width;
            int i0 = x0 + o;
            int i1 = x1 + o;
            int i2 = x2 + o;
            int i3 = x3 + o;
            int i4 = x4 + o;
            int i5 = x5 + o;
            int i6 = x6 + o;
            int i7 = x7 + o;
            int i8 = x8 + o;
            int i9 = x9 + o;
            int i10 = x10 + o;
            int i11 = x11 + o;
            for (int ci = ci0; ci < ci1; ci++, wp += width) {
                FloatVector w0 = FloatVector.fromArray(S, packed, wp);
                FloatVector v = FloatVector.broadcast(S, xp[i0 + ci]);
                a0_0 = w0.fma(v, a0_0);
                v = FloatVector.broadcast(S, xp[i1 + ci]);
                a1_0 = w0.fma(v, a1_0);
                v = FloatVector.broadcast(S, xp[i2 + ci]);
                a2_0 = w0.fma(v, a2_0);
                v = FloatVector.broadcast(S, xp[i3 + ci]);
                a3_0 = w0.fma(v, a3_0);
                v = FloatVector.broadcast(S, xp[i4 + ci]);
                a4_0 = w0.fma(v, a4_0);
                v = FloatVector.broadcast(S, xp[i5 + ci]);
                a5_0 = w0.fma(v, a5_0);
                v = FloatVector.broadcast(S, xp[i6 + ci]);
                a6_0 = w0.fma(v, a6_0);
                v = FloatVector.broadcast(S, xp[i7 + ci]);
                a7_0 = w0.fma(v, a7_0);
                v = FloatVector.broadcast(S, xp[i8 + ci]);
                a8_0 = w0.fma(v, a8_0);
                v = FloatVector.broadcast(S, xp[i9 + ci]);
                a9_0 = w0.fma(v, a9_0);
                v = FloatVector.broadcast(S, xp[i10 + ci]);
                a10_0 = w0.fma(v, a10_0);
                v = FloatVector.broadcast(S, xp[i11 + ci]);
                a11_0 = w0.fma(v, a11_0);
            }
        }
        a0_0.intoArray(tile, tileOff);
        a1_0.intoArray(tile, tileOff + GROUP);
        a2_0.intoArray(tile, tileOff + 2 * GROUP);
        a3_0.intoArray(tile, tileOff + 3 * GROUP);
        a4_0.intoArray(tile, tileOff + 4 * GROUP);
        a5_0.intoArray(tile, tileOff + 5 * GROUP);
        a6_0.intoArray(tile, tileOff + 6 * GROUP);
        a7_0.intoArray(tile, tileOff + 7 * GROUP);
        a8_0.intoArray(tile, tileOff + 8 * GROUP);
        a9_0.intoArray(tile, tileOff + 9 * GROUP);
        a10_0.intoArray(tile, tileOff + 10 * GROUP);
        a11_0.intoArray(tile, tileOff + 11 * GROUP);
    }

    /** 2 vectors of output channels x 6 pixels (16-register machines): see {@link #tile4x6}. */
    private static void tile2x6(
            float[] xp,
            int[] bases,
            int baseOff,
            int[] runOffsets,
            int runLength,
            int run0,
            int run1,
            int ci0,
            int ci1,
            float[] packed,
            int wOff,
            int width,
            float[] tile,
            int tileOff) {
        FloatVector a0_0 = FloatVector.fromArray(S, tile, tileOff);
        FloatVector a0_1 = FloatVector.fromArray(S, tile, tileOff + L);
        FloatVector a1_0 = FloatVector.fromArray(S, tile, tileOff + GROUP);
        FloatVector a1_1 = FloatVector.fromArray(S, tile, tileOff + GROUP + L);
        FloatVector a2_0 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP);
        FloatVector a2_1 = FloatVector.fromArray(S, tile, tileOff + 2 * GROUP + L);
        FloatVector a3_0 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP);
        FloatVector a3_1 = FloatVector.fromArray(S, tile, tileOff + 3 * GROUP + L);
        FloatVector a4_0 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP);
        FloatVector a4_1 = FloatVector.fromArray(S, tile, tileOff + 4 * GROUP + L);
        FloatVector a5_0 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP);
        FloatVector a5_1 = FloatVector.fromArray(S, tile, tileOff + 5 * GROUP + L);
        int x0 = bases[baseOff];
        int x1 = bases[baseOff + 1];
        int x2 = bases[baseOff + 2];
        int x3 = bases[baseOff + 3];
        int x4 = bases[baseOff + 4];
        int x5 = bases[baseOff + 5];
        for (int r = run0; r < run1; r++) {
            int o = runOffsets[r];
            int wp = wOff + (r * runLength + ci0) * width;
            int i0 = x0 + o;
            int i1 = x1 + o;
            int i2 = x2 + o;
            int i3 = x3 + o;
            int i4 = x4 + o;
            int i5 = x5 + o;
            for (int ci = ci0; ci < ci1; ci++, wp += width) {
                FloatVector w0 = FloatVector.fromArray(S, packed, wp);
                FloatVector w1 = FloatVector.fromArray(S, packed, wp + L);
                FloatVector v = FloatVector.broadcast(S, xp[i0 + ci]);
                a0_0 = w0.fma(v, a0_0);
                a0_1 = w1.fma(v, a0_1);
                v = FloatVector.broadcast(S, xp[i1 + ci]);
                a1_0 = w0.fma(v, a1_0);
                a1_1 = w1.fma(v, a1_1);
                v = FloatVector.broadcast(S, xp[i2 + ci]);
                a2_0 = w0.fma(v, a2_0);
                a2_1 = w1.fma(v, a2_1);
                v = FloatVector.broadcast(S, xp[i3 + ci]);
                a3_0 = w0.fma(v, a3_0);
                a3_1 = w1.fma(v, a3_1);
                v = FloatVector.broadcast(S, xp[i4 + ci]);
                a4_0 = w0.fma(v, a4_0);
                a4_1 = w1.fma(v, a4_1);
                v = FloatVector.broadcast(S, xp[i5 + ci]);
                a5_0 = w0.fma(v, a5_0);
                a5_1 = w1.fma(v, a5_1);
            }
        }
        a0_0.intoArray(tile, tileOff);
        a0_1.intoArray(tile, tileOff + L);
        a1_0.intoArray(tile, tileOff + GROUP);
        a1_1.intoArray(tile, tileOff + GROUP + L);
        a2_0.intoArray(tile, tileOff + 2 * GROUP);
        a2_1.intoArray(tile, tileOff + 2 * GROUP + L);
        a3_0.intoArray(tile, tileOff + 3 * GROUP);
        a3_1.intoArray(tile, tileOff + 3 * GROUP + L);
        a4_0.intoArray(tile, tileOff + 4 * GROUP);
        a4_1.intoArray(tile, tileOff + 4 * GROUP + L);
        a5_0.intoArray(tile, tileOff + 5 * GROUP);
        a5_1.intoArray(tile, tileOff + 5 * GROUP + L);
    }

    /** Stores the first count pixels of the tile: channels co0.. of out rows at outPos, cout apart. */
    private static void store(
            float[] tile,
            int count,
            float[] out,
            int outPos,
            int cout,
            int co0,
            float[] residual,
            int residualOff,
            float lo,
            float hi) {
        int width = Math.min(GROUP, cout - co0);
        boolean clamp = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        int vectorWidth = width / L * L;
        // the last lanes of a group narrower than whole vectors (MobileNetV2's 24 channels: 16 + 8) through a mask;
        // with an arraycopy per pixel and a scalar loop for those lanes 144 -> 24 at 56 x 56 ran 1.38x slower
        VectorMask<Float> tail = vectorWidth < width ? S.indexInRange(vectorWidth, width) : null;
        for (int i = 0; i < count; i++) {
            int dst = outPos + i * cout + co0;
            int src = i * GROUP;
            for (int j = 0; j < vectorWidth; j += L) {
                FloatVector v = FloatVector.fromArray(S, tile, src + j);
                if (residual != null) {
                    v = v.add(FloatVector.fromArray(S, residual, residualOff + dst + j));
                }
                if (clamp) {
                    v = v.lanewise(VectorOperators.MAX, lo).lanewise(VectorOperators.MIN, hi);
                }
                v.intoArray(out, dst + j);
            }
            if (tail != null) {
                FloatVector v = FloatVector.fromArray(S, tile, src + vectorWidth, tail);
                if (residual != null) {
                    v = v.add(FloatVector.fromArray(S, residual, residualOff + dst + vectorWidth, tail));
                }
                if (clamp) {
                    v = v.lanewise(VectorOperators.MAX, lo).lanewise(VectorOperators.MIN, hi);
                }
                v.intoArray(out, dst + vectorWidth, tail);
            }
        }
    }
}
