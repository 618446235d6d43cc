package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 depthwise convolution (groups == cin; cout = cin * multiplier, one input channel per
 * output channel) as direct loops over whole rows: no lowering, since each output channel only
 * reads a kh*kw window of one plane and a GEMM would have K = kh*kw. Work is split over planes.
 * The forward runs on a zero-padded copy of each plane (see {@link #forward}); the backward passes'
 * unit-stride inner loops are left for the JIT to vectorize.
 *
 * <pre>
 * out[b][co][y][x] = bias[co] + sum_{i,j} w[co][0][i][j] * in[b][co / mult][y*sh - ph + i*dh][x*sw - pw + j*dw]
 * </pre>
 */
public final class ConvDepthwise {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Lane order of a vector's even lanes, then its odd ones: (0, 2, ..., L-2, 1, 3, ..., L-1). */
    private static final VectorShuffle<Float> EVENS_FIRST = VectorShuffle.fromOp(S, i -> deinterleaved(i, 0));
    /** Its odd lanes, then its even ones: (1, 3, ..., L-1, 0, 2, ..., L-2). */
    private static final VectorShuffle<Float> ODDS_FIRST = VectorShuffle.fromOp(S, i -> deinterleaved(i, 1));

    private ConvDepthwise() {}

    /**
     * out (n, cout, oh, ow). Each input plane is first copied into a zero-padded plane (hp = h + 2ph rows of
     * wp = w + 2pw, rounded up to a multiple of the stride, plus slack), so every tap of every output pixel is a plain
     * read. With stride s &gt; 1 the padded plane is then split into its s column phases (phase f holds columns
     * f, f + s, f + 2s, ...), so output pixel x reads tap (i, j) at a unit-stride position in phase (j*dw) mod s:
     * <pre>
     *   stride 1:  xp[(y*sh + i*dh) * wp + x + j*dw]
     *   stride s:  phases[(j*dw mod s) * phasePlane + (y*sh + i*dh) * wq + x + j*dw / s]     (wq = wp / s)
     * </pre>
     * A row of outputs is accumulated in vector registers over the kh*kw taps (two vectors at a time, then one,
     * then one masked vector for the last ow mod L pixels) and stored once; 3x3 kernels, nearly all depthwise
     * layers, have their own plane loop with the nine weights in registers ({@link #plane3x3}).
     */
    public static void forward(ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out) {
        forward(g, in, inOff, w, bias, out, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /** out = clamp(conv(in, w) + bias, lo, hi), clamped in registers before each row's store. */
    public static void forward(
            ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out, float lo, float hi) {
        forward(g, in, inOff, w, bias, out, 0, g.outPixels(), lo, hi);
    }

    /**
     * As above, output plane (b, co) starting at out[outOff + (b*cout + co) * outPlaneStride] (a strip of rows of a
     * larger output, see {@link ConvPointwiseDepthwise}).
     */
    static void forward(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] out,
            int outOff,
            int outPlaneStride,
            float lo,
            float hi) {
        int mult = g.coutG();
        int planeIn = g.inPixels();
        int taps = g.kh() * g.kw();
        int sw = g.sw();
        int wp = roundUp(g.w() + 2 * g.pw(), sw);
        int hp = g.h() + 2 * g.ph();
        int wq = wp / sw; // row length of one column phase
        int slack = 2 * L + (g.kw() - 1) * g.dw() + wq; // reads of a row's last (masked) vector past its row
        int phasePlane = hp * wq + slack;
        int rowStride = sw == 1 ? wp : wq;
        int[] tapOffset = new int[taps];
        for (int i = 0; i < g.kh(); i++) {
            for (int j = 0; j < g.kw(); j++) {
                int col = j * g.dw();
                tapOffset[i * g.kw() + j] = (sw == 1 ? 0 : (col % sw) * phasePlane) + i * g.dh() * rowStride + col / sw;
            }
        }
        Parallel.forRange(g.n() * g.cout(), grain(g), (s, e) -> {
            float[] xp = new float[hp * wp + slack];
            float[] phases = sw == 1 ? xp : new float[sw * phasePlane];
            int padded = -1; // the input plane now in xp (with multiplier > 1, several outputs share one)
            for (int plane = s; plane < e; plane++) {
                int b = plane / g.cout();
                int co = plane % g.cout();
                int inPlane = b * g.cin() + co / mult;
                if (inPlane != padded) {
                    int src = inOff + inPlane * planeIn;
                    for (int y = 0; y < g.h(); y++) {
                        System.arraycopy(in, src + y * g.w(), xp, (y + g.ph()) * wp + g.pw(), g.w());
                    }
                    if (sw > 1) {
                        splitPhases(xp, hp, wp, sw, phasePlane, phases);
                    }
                    padded = inPlane;
                }
                float bv = bias == null ? 0f : bias[co];
                int wOff = co * taps;
                int dst = outOff + plane * outPlaneStride;
                if (taps == 9 && g.ow() >= 2 * L) { // narrower rows: the row loop measured 1.2x faster
                    plane3x3(phases, g.sh() * rowStride, tapOffset, w, wOff, bv, lo, hi, out, dst, g.oh(), g.ow());
                } else {
                    for (int y = 0; y < g.oh(); y++) {
                        int r0 = y * g.sh() * rowStride;
                        row(phases, r0, tapOffset, w, wOff, bv, lo, hi, out, dst + y * g.ow(), g.ow());
                    }
                }
            }
        });
    }

    /**
     * A whole output plane of a 3x3 kernel (MobileNet's depthwise layers): out[o + y*ow + x] = clamp(bias +
     * sum_t w[wOff + t] * src[y*rowPitch + tapOffset[t] + x], lo, hi). The nine weights and tap offsets are held
     * in registers and the pixel loop is innermost, so each load's index is (loop-invariant + x) and C2 hoists
     * its bounds check out of the loop; the taps are summed as three chains (one per kernel row) to shorten the
     * FMA dependency chain from nine to three.
     */
    private static void plane3x3(
            float[] src,
            int rowPitch,
            int[] tapOffset,
            float[] w,
            int wOff,
            float bias,
            float lo,
            float hi,
            float[] out,
            int o,
            int oh,
            int ow) {
        FloatVector w0 = FloatVector.broadcast(S, w[wOff]);
        FloatVector w1 = FloatVector.broadcast(S, w[wOff + 1]);
        FloatVector w2 = FloatVector.broadcast(S, w[wOff + 2]);
        FloatVector w3 = FloatVector.broadcast(S, w[wOff + 3]);
        FloatVector w4 = FloatVector.broadcast(S, w[wOff + 4]);
        FloatVector w5 = FloatVector.broadcast(S, w[wOff + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w[wOff + 6]);
        FloatVector w7 = FloatVector.broadcast(S, w[wOff + 7]);
        FloatVector w8 = FloatVector.broadcast(S, w[wOff + 8]);
        int t0 = tapOffset[0], t1 = tapOffset[1], t2 = tapOffset[2];
        int t3 = tapOffset[3], t4 = tapOffset[4], t5 = tapOffset[5];
        int t6 = tapOffset[6], t7 = tapOffset[7], t8 = tapOffset[8];
        FloatVector b = FloatVector.broadcast(S, bias);
        boolean clamped = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        int full = ow - ow % L;
        VectorMask<Float> tail = S.indexInRange(full, ow);
        for (int y = 0; y < oh; y++) {
            int r = y * rowPitch;
            int dst = o + y * ow;
            for (int x = 0; x < full; x += L) {
                int at = r + x;
                FloatVector top = FloatVector.fromArray(S, src, at + t0).fma(w0, b);
                FloatVector mid = FloatVector.fromArray(S, src, at + t3).mul(w3);
                FloatVector bottom = FloatVector.fromArray(S, src, at + t6).mul(w6);
                top = FloatVector.fromArray(S, src, at + t1).fma(w1, top);
                mid = FloatVector.fromArray(S, src, at + t4).fma(w4, mid);
                bottom = FloatVector.fromArray(S, src, at + t7).fma(w7, bottom);
                top = FloatVector.fromArray(S, src, at + t2).fma(w2, top);
                mid = FloatVector.fromArray(S, src, at + t5).fma(w5, mid);
                bottom = FloatVector.fromArray(S, src, at + t8).fma(w8, bottom);
                FloatVector acc = top.add(mid).add(bottom);
                if (clamped) {
                    acc = acc.max(lo).min(hi);
                }
                acc.intoArray(out, dst + x);
            }
            // The masked last vector (its reads stay inside the slack), written out again rather than folded into
            // the loop above, and its store inline: with a store-or-mask branch in the loop, or the store in a
            // helper taking the vector and mask, C2's code ran 1.2-1.5x slower (tools/bench/ConvAB.java).
            if (full < ow) {
                int at = r + full;
                FloatVector top = FloatVector.fromArray(S, src, at + t0).fma(w0, b);
                FloatVector mid = FloatVector.fromArray(S, src, at + t3).mul(w3);
                FloatVector bottom = FloatVector.fromArray(S, src, at + t6).mul(w6);
                top = FloatVector.fromArray(S, src, at + t1).fma(w1, top);
                mid = FloatVector.fromArray(S, src, at + t4).fma(w4, mid);
                bottom = FloatVector.fromArray(S, src, at + t7).fma(w7, bottom);
                top = FloatVector.fromArray(S, src, at + t2).fma(w2, top);
                mid = FloatVector.fromArray(S, src, at + t5).fma(w5, mid);
                bottom = FloatVector.fromArray(S, src, at + t8).fma(w8, bottom);
                FloatVector acc = top.add(mid).add(bottom);
                if (clamped) {
                    acc = acc.max(lo).min(hi);
                }
                if (dst + full + L <= out.length) {
                    acc.intoArray(out, dst + full, tail);
                } else { // the tensor's last row: a masked store reaching past the array checks lane by lane
                    for (int i = 0; i < ow - full; i++) {
                        out[dst + full + i] = acc.lane(i);
                    }
                }
            }
        }
    }

    /**
     * One output row of {@code ow} pixels: out[o + x] = clamp(bias + sum_t w[wOff + t] * src[r0 + tapOffset[t] + x],
     * lo, hi).
     */
    private static void row(
            float[] src,
            int r0,
            int[] tapOffset,
            float[] w,
            int wOff,
            float bias,
            float lo,
            float hi,
            float[] out,
            int o,
            int ow) {
        int taps = tapOffset.length;
        boolean clamped = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        int x = 0;
        // two vectors at a time: two independent FMA chains hide the FMA latency
        for (int end = ow - 2 * L; x <= end; x += 2 * L) {
            FloatVector acc0 = FloatVector.broadcast(S, bias);
            FloatVector acc1 = acc0;
            for (int t = 0; t < taps; t++) {
                FloatVector wv = FloatVector.broadcast(S, w[wOff + t]);
                int at = r0 + tapOffset[t] + x;
                acc0 = FloatVector.fromArray(S, src, at).fma(wv, acc0);
                acc1 = FloatVector.fromArray(S, src, at + L).fma(wv, acc1);
            }
            if (clamped) {
                acc0 = acc0.max(lo).min(hi);
                acc1 = acc1.max(lo).min(hi);
            }
            acc0.intoArray(out, o + x);
            acc1.intoArray(out, o + x + L);
        }
        for (; x < ow; x += L) { // full vectors, then the masked last one (its reads stay inside the slack)
            VectorMask<Float> m = S.indexInRange(x, ow);
            FloatVector acc = FloatVector.broadcast(S, bias);
            for (int t = 0; t < taps; t++) {
                acc = FloatVector.fromArray(S, src, r0 + tapOffset[t] + x)
                        .fma(FloatVector.broadcast(S, w[wOff + t]), acc);
            }
            if (clamped) {
                acc = acc.max(lo).min(hi);
            }
            if (o + x + L <= out.length) {
                acc.intoArray(out, o + x, m);
            } else { // the tensor's last row: a masked store reaching past the array checks lane by lane (slow)
                for (int i = 0; i < ow - x; i++) {
                    out[o + x + i] = acc.lane(i);
                }
            }
        }
    }

    /**
     * phases[f * phasePlane + r * (wp / s) + k] = xp[r * wp + k * s + f]. Writes up to L/2 values past the end of
     * each phase's last row (inside the slack). At stride 2, each vector of L values of a row gives L/2 of each
     * phase: permuted so they come first and stored whole; the upper half is garbage that the next store
     * overwrites. Writing a phase row then costs two permutes per L values instead of L scalar moves.
     */
    private static void splitPhases(float[] xp, int hp, int wp, int s, int phasePlane, float[] phases) {
        int wq = wp / s;
        for (int r = 0; r < hp; r++) {
            int from = r * wp;
            int c = 0;
            if (s == 2) {
                int even = r * wq;
                int odd = phasePlane + r * wq;
                for (; c <= wp - L; c += L) {
                    FloatVector v = FloatVector.fromArray(S, xp, from + c);
                    v.rearrange(EVENS_FIRST).intoArray(phases, even + c / 2);
                    v.rearrange(ODDS_FIRST).intoArray(phases, odd + c / 2);
                }
            }
            for (int f = 0; f < s; f++) { // the rest of the row (all of it at strides above 2)
                int to = f * phasePlane + r * wq;
                for (int k = c / s; k < wq; k++) {
                    phases[to + k] = xp[from + k * s + f];
                }
            }
        }
    }

    /** Source lane of lane i in a shuffle that puts the lanes of parity {@code first} first, then the others. */
    private static int deinterleaved(int i, int first) {
        int half = L / 2;
        return i < half ? 2 * i + first : 2 * (i - half) + 1 - first;
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    /** gradIn (n, cin, h, w), overwritten. */
    public static void backwardInput(ConvGeometry g, float[] gradOut, float[] w, float[] gradIn) {
        int mult = g.coutG();
        int p = g.outPixels();
        int planeIn = g.inPixels();
        int taps = g.kh() * g.kw();
        Parallel.forRange(g.n() * g.cin(), grain(g), (s, e) -> {
            for (int plane = s; plane < e; plane++) {
                int b = plane / g.cin();
                int ci = plane % g.cin();
                int dst = plane * planeIn;
                java.util.Arrays.fill(gradIn, dst, dst + planeIn, 0f);
                for (int m = 0; m < mult; m++) {
                    int co = ci * mult + m;
                    int src = (b * g.cout() + co) * p;
                    for (int y = 0; y < g.oh(); y++) {
                        int go = src + y * g.ow();
                        for (int i = 0; i < g.kh(); i++) {
                            int iy = y * g.sh() - g.ph() + i * g.dh();
                            if (iy < 0 || iy >= g.h()) {
                                continue;
                            }
                            int row = dst + iy * g.w();
                            for (int j = 0; j < g.kw(); j++) {
                                float wv = w[co * taps + i * g.kw() + j];
                                int shift = j * g.dw() - g.pw();
                                int x0 = firstValid(shift, g.sw());
                                int x1 = Math.min(g.ow(), lastValid(shift, g.sw(), g.w()) + 1);
                                for (int x = x0; x < x1; x++) {
                                    gradIn[row + shift + x * g.sw()] += wv * gradOut[go + x];
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** gradW (cout, 1, kh, kw), overwritten. in starts at inOff. */
    public static void backwardWeight(ConvGeometry g, float[] gradOut, float[] in, int inOff, float[] gradW) {
        int mult = g.coutG();
        int p = g.outPixels();
        int planeIn = g.inPixels();
        int taps = g.kh() * g.kw();
        Parallel.forRange(g.cout(), 1, (s, e) -> {
            for (int co = s; co < e; co++) {
                for (int i = 0; i < g.kh(); i++) {
                    for (int j = 0; j < g.kw(); j++) {
                        int shift = j * g.dw() - g.pw();
                        int x0 = firstValid(shift, g.sw());
                        int x1 = Math.min(g.ow(), lastValid(shift, g.sw(), g.w()) + 1);
                        double acc = 0;
                        for (int b = 0; b < g.n(); b++) {
                            int src = inOff + (b * g.cin() + co / mult) * planeIn;
                            int go = (b * g.cout() + co) * p;
                            for (int y = 0; y < g.oh(); y++) {
                                int iy = y * g.sh() - g.ph() + i * g.dh();
                                if (iy < 0 || iy >= g.h()) {
                                    continue;
                                }
                                int row = src + iy * g.w() + shift;
                                int gr = go + y * g.ow();
                                float part = 0f;
                                for (int x = x0; x < x1; x++) {
                                    part += gradOut[gr + x] * in[row + x * g.sw()];
                                }
                                acc += part;
                            }
                        }
                        gradW[co * taps + i * g.kw() + j] = (float) acc;
                    }
                }
            }
        });
    }

    private static int grain(ConvGeometry g) {
        long perPlane = (long) g.outPixels() * g.kh() * g.kw();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (1L << 14) / Math.max(1, perPlane)));
    }

    private static int firstValid(int shift, int s) {
        return shift >= 0 ? 0 : (-shift + s - 1) / s;
    }

    private static int lastValid(int shift, int s, int w) {
        return Math.floorDiv(w - 1 - shift, s);
    }
}
