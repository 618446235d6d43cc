package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
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
 *   packed [group][ky][kx][ci][GROUP = 4L]                 group = 4 blocks of L output channels, zero past cout
 *   out    (n, oh, ow, cout)                               channels last
 *   out[b][y][x][co] = clamp(bias[co] + sum_{ky,kx,ci} w[co][ci][ky][kx] * in[b][y*sh-ph+ky*dh][x*sw-pw+kx*dw][ci]
 *                            (+ residual[b][y][x][co]), lo, hi)
 * </pre>
 *
 * The register tile is 4 vectors of output channels x {@link #PIXELS} output pixels (24 accumulators with
 * AVX-512's 32 registers): per tap and input channel 4 weight loads, 6 broadcasts and 24 FMAs. The pixels of a
 * tile are consecutive in (y, x) order, across row ends: each has its own input base, and every tap is the same
 * offset from all of them. Padding: the input is copied into a zero-bordered scratch array first (when the
 * convolution pads). Ungrouped convolutions only.
 */
public final class ConvChannelsLast {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Output channels per packed group: 4 vectors. */
    static final int GROUP = 4 * L;
    /** Output pixels per register tile. */
    static final int PIXELS = 6;
    /** Pixel tiles per parallel work unit. */
    private static final int TILES_PER_UNIT = 4;

    private ConvChannelsLast() {}

    /** True when this kernel runs g: ungrouped. */
    public static boolean applies(ConvGeometry g) {
        return g.groups() == 1;
    }

    /** Floats of the packed weights of g: groups * kh * kw * cin * GROUP. */
    public static int packedLength(ConvGeometry g) {
        return groups(g) * g.kh() * g.kw() * g.cin() * GROUP;
    }

    private static int groups(ConvGeometry g) {
        return (g.cout() + GROUP - 1) / GROUP;
    }

    /** Packs w (cout, cin, kh, kw) into {@code [group][ky][kx][ci][GROUP]}, output channels past cout zero. */
    public static float[] pack(ConvGeometry g, float[] w) {
        int cin = g.cin();
        int kh = g.kh();
        int kw = g.kw();
        int cout = g.cout();
        float[] packed = new float[packedLength(g)];
        Parallel.forRange(groups(g), 1, (s, e) -> {
            for (int grp = s; grp < e; grp++) {
                for (int j = 0; j < GROUP; j++) {
                    int co = grp * GROUP + j;
                    if (co >= cout) {
                        break;
                    }
                    for (int ci = 0; ci < cin; ci++) {
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                float v = w[((co * cin + ci) * kh + ky) * kw + kx];
                                packed[((((grp * kh + ky) * kw + kx) * cin) + ci) * GROUP + j] = v;
                            }
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
        boolean pads = g.ph() > 0 || g.pw() > 0;
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        float[] xp = pads ? ScratchBuffers.take(g.n() * hp * wp * g.cin()) : in;
        int xOff = pads ? 0 : inOff;
        if (pads) {
            pad(g, in, inOff, xp, hp, wp);
        }
        float[] biasPadded = new float[groups(g) * GROUP];
        if (bias != null) {
            System.arraycopy(bias, 0, biasPadded, 0, g.cout());
        }
        Call call = new Call(g, xp, xOff, hp, wp, packed, biasPadded, residual, residualOff, out, lo, hi);
        // units in (group, image, tile range) order: a thread's contiguous share keeps one group's weights hot
        int units = groups(g) * g.n() * call.unitsPerImage;
        Parallel.forRangeDynamic(units, 4, (s, e) -> runUnits(call, s, e));
        if (pads) {
            ScratchBuffers.give(xp);
        }
    }

    /** Copies in (n, h, w, cin) into xp (n, hp, wp, cin) with zero borders. */
    private static void pad(ConvGeometry g, float[] in, int inOff, float[] xp, int hp, int wp) {
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
                float lo,
                float hi) {
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
            int tiles = (pixels + PIXELS - 1) / PIXELS;
            unitsPerImage = (tiles + TILES_PER_UNIT - 1) / TILES_PER_UNIT;
        }
    }

    /** Work units [s, e): unit u is output channel group u / (n * unitsPerImage), then image, then tile range. */
    private static void runUnits(Call c, int s, int e) {
        ConvGeometry g = c.g;
        int cin = g.cin();
        int ow = g.ow();
        int cout = g.cout();
        int[] bases = new int[PIXELS];
        float[] tile = new float[PIXELS * GROUP];
        for (int u = s; u < e; u++) {
            int grp = u / (g.n() * c.unitsPerImage);
            int r = u % (g.n() * c.unitsPerImage);
            int b = r / c.unitsPerImage;
            int p0 = (r % c.unitsPerImage) * TILES_PER_UNIT * PIXELS;
            int p1 = Math.min(c.pixels, p0 + TILES_PER_UNIT * PIXELS);
            int wOff = grp * g.kh() * g.kw() * cin * GROUP;
            int co0 = grp * GROUP;
            int imageBase = c.xOff + b * c.hp * c.wp * cin;
            int outImage = b * c.pixels;
            for (int p = p0; p < p1; p += PIXELS) {
                int count = Math.min(PIXELS, p1 - p);
                for (int i = 0; i < PIXELS; i++) {
                    int q = p + Math.min(i, count - 1); // a short tile repeats its last pixel
                    bases[i] = imageBase + ((q / ow) * g.sh() * c.wp + (q % ow) * g.sw()) * cin;
                }
                tile4x6(c.xp, bases, c.runOffsets, c.runLength, c.packed, wOff, c.bias, co0, tile);
                store(tile, count, c.out, (outImage + p) * cout, cout, co0, c.residual, c.residualOff, c.lo, c.hi);
            }
        }
    }

    /**
     * tile[i][j] = bias[co0 + j] + the convolution sum of pixel i for the group's channel j: over every run r, the
     * runLength inputs from bases[i] + runOffsets[r] times the packed weights, which follow in the same order.
     */
    private static void tile4x6(
            float[] xp,
            int[] bases,
            int[] runOffsets,
            int runLength,
            float[] packed,
            int wOff,
            float[] bias,
            int co0,
            float[] tile) {
        FloatVector b0 = FloatVector.fromArray(S, bias, co0);
        FloatVector b1 = FloatVector.fromArray(S, bias, co0 + L);
        FloatVector b2 = FloatVector.fromArray(S, bias, co0 + 2 * L);
        FloatVector b3 = FloatVector.fromArray(S, bias, co0 + 3 * L);
        FloatVector a00 = b0, a01 = b1, a02 = b2, a03 = b3;
        FloatVector a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        FloatVector a20 = b0, a21 = b1, a22 = b2, a23 = b3;
        FloatVector a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        FloatVector a40 = b0, a41 = b1, a42 = b2, a43 = b3;
        FloatVector a50 = b0, a51 = b1, a52 = b2, a53 = b3;
        int x0 = bases[0], x1 = bases[1], x2 = bases[2], x3 = bases[3], x4 = bases[4], x5 = bases[5];
        int wp = wOff;
        for (int r = 0; r < runOffsets.length; r++) {
            int o = runOffsets[r];
            int i0 = x0 + o, i1 = x1 + o, i2 = x2 + o, i3 = x3 + o, i4 = x4 + o, i5 = x5 + o;
            for (int ci = 0; ci < runLength; ci++, wp += GROUP) {
                FloatVector w0 = FloatVector.fromArray(S, packed, wp);
                FloatVector w1 = FloatVector.fromArray(S, packed, wp + L);
                FloatVector w2 = FloatVector.fromArray(S, packed, wp + 2 * L);
                FloatVector w3 = FloatVector.fromArray(S, packed, wp + 3 * L);
                FloatVector v = FloatVector.broadcast(S, xp[i0 + ci]);
                a00 = w0.fma(v, a00);
                a01 = w1.fma(v, a01);
                a02 = w2.fma(v, a02);
                a03 = w3.fma(v, a03);
                v = FloatVector.broadcast(S, xp[i1 + ci]);
                a10 = w0.fma(v, a10);
                a11 = w1.fma(v, a11);
                a12 = w2.fma(v, a12);
                a13 = w3.fma(v, a13);
                v = FloatVector.broadcast(S, xp[i2 + ci]);
                a20 = w0.fma(v, a20);
                a21 = w1.fma(v, a21);
                a22 = w2.fma(v, a22);
                a23 = w3.fma(v, a23);
                v = FloatVector.broadcast(S, xp[i3 + ci]);
                a30 = w0.fma(v, a30);
                a31 = w1.fma(v, a31);
                a32 = w2.fma(v, a32);
                a33 = w3.fma(v, a33);
                v = FloatVector.broadcast(S, xp[i4 + ci]);
                a40 = w0.fma(v, a40);
                a41 = w1.fma(v, a41);
                a42 = w2.fma(v, a42);
                a43 = w3.fma(v, a43);
                v = FloatVector.broadcast(S, xp[i5 + ci]);
                a50 = w0.fma(v, a50);
                a51 = w1.fma(v, a51);
                a52 = w2.fma(v, a52);
                a53 = w3.fma(v, a53);
            }
        }
        a00.intoArray(tile, 0);
        a01.intoArray(tile, L);
        a02.intoArray(tile, 2 * L);
        a03.intoArray(tile, 3 * L);
        a10.intoArray(tile, GROUP);
        a11.intoArray(tile, GROUP + L);
        a12.intoArray(tile, GROUP + 2 * L);
        a13.intoArray(tile, GROUP + 3 * L);
        a20.intoArray(tile, 2 * GROUP);
        a21.intoArray(tile, 2 * GROUP + L);
        a22.intoArray(tile, 2 * GROUP + 2 * L);
        a23.intoArray(tile, 2 * GROUP + 3 * L);
        a30.intoArray(tile, 3 * GROUP);
        a31.intoArray(tile, 3 * GROUP + L);
        a32.intoArray(tile, 3 * GROUP + 2 * L);
        a33.intoArray(tile, 3 * GROUP + 3 * L);
        a40.intoArray(tile, 4 * GROUP);
        a41.intoArray(tile, 4 * GROUP + L);
        a42.intoArray(tile, 4 * GROUP + 2 * L);
        a43.intoArray(tile, 4 * GROUP + 3 * L);
        a50.intoArray(tile, 5 * GROUP);
        a51.intoArray(tile, 5 * GROUP + L);
        a52.intoArray(tile, 5 * GROUP + 2 * L);
        a53.intoArray(tile, 5 * GROUP + 3 * L);
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
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        for (int i = 0; i < count; i++) {
            int dst = outPos + i * cout + co0;
            int j = 0;
            for (; j + L <= width; j += L) {
                FloatVector v = FloatVector.fromArray(S, tile, i * GROUP + j);
                if (residual != null) {
                    v = v.add(FloatVector.fromArray(S, residual, residualOff + dst + j));
                }
                if (clamp) {
                    v = v.lanewise(VectorOperators.MAX, vlo).lanewise(VectorOperators.MIN, vhi);
                }
                v.intoArray(out, dst + j);
            }
            for (; j < width; j++) {
                float v = tile[i * GROUP + j] + (residual != null ? residual[residualOff + dst + j] : 0f);
                out[dst + j] = clamp ? Math.min(Math.max(v, lo), hi) : v;
            }
        }
    }
}
