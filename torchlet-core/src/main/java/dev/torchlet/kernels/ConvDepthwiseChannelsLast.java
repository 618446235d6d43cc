package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The depthwise convolution (groups = cin = cout) on channels-last (NHWC) activations, channels across the vector
 * lanes: every output pixel's L channels are one vector, the sum over the kernel's taps of a weight vector times
 * the input vector of the same channels at the tap. MobileNet's 3x3 depthwise layers keep their 9 weight vectors
 * of a channel block in registers along the output row. The weights are transposed to [tap][channel] once
 * ({@link #pack}).
 *
 * <pre>
 *   in  (n, h, w, c)   weights (c, 1, kh, kw)   out (n, oh, ow, c)
 *   out[b][y][x][ch] = clamp(bias[ch] + sum_{ky,kx} w[ch][ky][kx] * in[b][y*sh-ph+ky*dh][x*sw-pw+kx*dw][ch]
 *                            (+ residual[b][y][x][ch]), lo, hi)      (taps outside the input read zero)
 * </pre>
 */
public final class ConvDepthwiseChannelsLast {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();

    private ConvDepthwiseChannelsLast() {}

    /** True for a depthwise convolution with one output channel per input channel. */
    public static boolean applies(ConvGeometry g) {
        return g.groups() == g.cin() && g.cout() == g.cin() && g.groups() > 1;
    }

    /**
     * w (c, 1, kh, kw) transposed to [tap][channel], the layout {@link #forward} reads: a tap's weights for L
     * channels are one vector. Inference packs a layer's weights once and keeps them.
     */
    public static float[] pack(ConvGeometry g, float[] w) {
        int c = g.cin();
        int taps = g.kh() * g.kw();
        float[] wt = new float[taps * c];
        for (int ch = 0; ch < c; ch++) {
            for (int t = 0; t < taps; t++) {
                wt[t * c + ch] = w[ch * taps + t];
            }
        }
        return wt;
    }

    /**
     * out (n, oh, ow, c) = clamp(dwconv(in, w) + bias (+ residual), lo, hi) for in (n, h, w, c) at inOff, the
     * weights packed by {@link #pack}; bias and residual (n, oh, ow, c) at residualOff may be null.
     *
     * <p>Work units are (output row, chunk of channel vectors): MobileNetV2's 7 x 7 layers have 7 rows of 960
     * channels, which split 4 : 3 between two threads as whole rows.
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
            throw new IllegalArgumentException("conv2d (channels last, depthwise): expected groups = in = out "
                    + "channels, got groups " + g.groups() + ", " + g.cin() + " -> " + g.cout());
        }
        int c = g.cin();
        float[] b = bias == null ? new float[c] : bias;
        int vectors = c / L;
        int rows = g.n() * g.oh();
        // at most about UNIT_MACS multiply-adds per unit: rows longer than that are cut into chunks of vectors
        int rowWork = Math.max(1, g.ow() * c * g.kh() * g.kw());
        int chunks = Math.max(1, Math.min(vectors, (rowWork + UNIT_MACS - 1) / UNIT_MACS));
        int vectorsPerChunk = Math.max(1, (vectors + chunks - 1) / chunks);
        int chunksPerRow = Math.max(1, (vectors + vectorsPerChunk - 1) / vectorsPerChunk);
        int grain = Math.max(1, UNIT_MACS / Math.max(1, rowWork / chunksPerRow));
        Parallel.forRange(rows * chunksPerRow, grain, (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int r = u / chunksPerRow;
                int chunk = u % chunksPerRow;
                int ch0 = chunk * vectorsPerChunk * L;
                int ch1 = chunk == chunksPerRow - 1 ? c : Math.min(c, ch0 + vectorsPerChunk * L);
                int outRow = r * g.ow() * c;
                row(
                        g,
                        in,
                        inOff,
                        packed,
                        b,
                        residual,
                        residualOff,
                        out,
                        outRow,
                        lo,
                        hi,
                        r / g.oh(),
                        r % g.oh(),
                        ch0,
                        ch1);
            }
        });
    }

    /** Multiply-adds per parallel work unit. */
    private static final int UNIT_MACS = 1 << 15;

    /**
     * Output rows [oy0, oy1) of image bi, all channels, on the calling thread, stored from out[outOff] on (row oy at
     * outOff + (oy - oy0) * ow * c); bias (c) not null. The fused inverted residual block convolves its strips here;
     * its expanded strip holds only the rows these outputs read, so it passes an inOff that places the strip's
     * first row where that row of the whole input would be (the kernel reads no other row).
     */
    static void rowsOnCallingThread(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] packed,
            float[] bias,
            float[] out,
            int outOff,
            float lo,
            float hi,
            int bi,
            int oy0,
            int oy1) {
        int rowLength = g.ow() * g.cin();
        for (int oy = oy0; oy < oy1; oy++) {
            int outRow = outOff + (oy - oy0) * rowLength;
            row(g, in, inOff, packed, bias, null, 0, out, outRow, lo, hi, bi, oy, 0, g.cin());
        }
    }

    /**
     * Output row oy of image bi, channels [ch0, ch1), stored from out[outRow] on: whole vectors, then (in the row's
     * last chunk) a tail.
     */
    private static void row(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] wt,
            float[] bias,
            float[] residual,
            int residualOff,
            float[] out,
            int outRow,
            float lo,
            float hi,
            int bi,
            int oy,
            int ch0,
            int ch1) {
        int c = g.cin();
        boolean threeByThree = g.kh() == 3 && g.kw() == 3;
        // output columns whose taps are all inside the input: ox*sw - pw >= 0 and ox*sw - pw + (kw-1)*dw < w
        int first = Math.min(g.ow(), (g.pw() + g.sw() - 1) / g.sw());
        int last = Math.max(
                first, Math.min(g.ow(), Math.floorDiv(g.w() - 1 - (g.kw() - 1) * g.dw() + g.pw(), g.sw()) + 1));
        int iy0 = oy * g.sh() - g.ph();
        boolean rowsInside = iy0 >= 0 && iy0 + (g.kh() - 1) * g.dh() < g.h();
        int ch = ch0;
        for (; ch + L <= ch1; ch += L) {
            if (threeByThree && rowsInside) {
                edges(g, in, inOff, wt, bias, residual, residualOff, out, lo, hi, bi, oy, ch, 0, first, outRow);
                interior3x3(
                        g, in, inOff, wt, bias, residual, residualOff, out, lo, hi, bi, oy, ch, first, last, outRow);
                edges(g, in, inOff, wt, bias, residual, residualOff, out, lo, hi, bi, oy, ch, last, g.ow(), outRow);
            } else {
                edges(g, in, inOff, wt, bias, residual, residualOff, out, lo, hi, bi, oy, ch, 0, g.ow(), outRow);
            }
        }
        for (; ch < ch1; ch++) { // channels past the last whole vector
            for (int ox = 0; ox < g.ow(); ox++) {
                float sum = bias[ch];
                for (int ky = 0; ky < g.kh(); ky++) {
                    int iy = iy0 + ky * g.dh();
                    if (iy < 0 || iy >= g.h()) {
                        continue;
                    }
                    for (int kx = 0; kx < g.kw(); kx++) {
                        int ix = ox * g.sw() - g.pw() + kx * g.dw();
                        if (ix >= 0 && ix < g.w()) {
                            sum += wt[(ky * g.kw() + kx) * c + ch]
                                    * in[inOff + ((bi * g.h() + iy) * g.w() + ix) * c + ch];
                        }
                    }
                }
                int dst = outRow + ox * c + ch;
                if (residual != null) {
                    sum += residual[residualOff + dst];
                }
                out[dst] = Math.min(Math.max(sum, lo), hi);
            }
        }
    }

    /** Columns [x0, x1) of the row, channels [ch, ch + L), with every tap checked against the input's borders. */
    private static void edges(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] wt,
            float[] bias,
            float[] residual,
            int residualOff,
            float[] out,
            float lo,
            float hi,
            int bi,
            int oy,
            int ch,
            int x0,
            int x1,
            int outRow) {
        int c = g.cin();
        FloatVector b = FloatVector.fromArray(S, bias, ch);
        for (int ox = x0; ox < x1; ox++) {
            FloatVector acc = b;
            for (int ky = 0; ky < g.kh(); ky++) {
                int iy = oy * g.sh() - g.ph() + ky * g.dh();
                if (iy < 0 || iy >= g.h()) {
                    continue;
                }
                for (int kx = 0; kx < g.kw(); kx++) {
                    int ix = ox * g.sw() - g.pw() + kx * g.dw();
                    if (ix >= 0 && ix < g.w()) {
                        FloatVector wv = FloatVector.fromArray(S, wt, (ky * g.kw() + kx) * c + ch);
                        int src = inOff + ((bi * g.h() + iy) * g.w() + ix) * c + ch;
                        acc = wv.fma(FloatVector.fromArray(S, in, src), acc);
                    }
                }
            }
            put(acc, out, outRow + ox * c + ch, residual, residualOff, lo, hi);
        }
    }

    /**
     * Columns [x0, x1) of a 3x3 row whose taps are all inside the input: the 9 weight vectors stay in registers;
     * undilated stride 1 and 2 slide a window of input columns along the row.
     */
    private static void interior3x3(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] wt,
            float[] bias,
            float[] residual,
            int residualOff,
            float[] out,
            float lo,
            float hi,
            int bi,
            int oy,
            int ch,
            int x0,
            int x1,
            int outRow) {
        int c = g.cin();
        int iy0 = oy * g.sh() - g.ph();
        int rowStride = g.dh() * g.w() * c; // from one kernel row's input row to the next
        if (g.dw() == 1 && (g.sw() == 1 || g.sw() == 2) && x0 < x1) {
            int s0 = inOff + ((bi * g.h() + iy0) * g.w() + x0 * g.sw() - g.pw()) * c + ch;
            int dst = outRow + x0 * c + ch;
            if (g.sw() == 1) {
                slidingStride1(wt, bias, ch, in, s0, rowStride, c, x1 - x0, out, dst, residual, residualOff, lo, hi);
            } else {
                slidingStride2(wt, bias, ch, in, s0, rowStride, c, x1 - x0, out, dst, residual, residualOff, lo, hi);
            }
            return;
        }
        FloatVector b = FloatVector.fromArray(S, bias, ch);
        FloatVector w00 = FloatVector.fromArray(S, wt, ch);
        FloatVector w01 = FloatVector.fromArray(S, wt, c + ch);
        FloatVector w02 = FloatVector.fromArray(S, wt, 2 * c + ch);
        FloatVector w10 = FloatVector.fromArray(S, wt, 3 * c + ch);
        FloatVector w11 = FloatVector.fromArray(S, wt, 4 * c + ch);
        FloatVector w12 = FloatVector.fromArray(S, wt, 5 * c + ch);
        FloatVector w20 = FloatVector.fromArray(S, wt, 6 * c + ch);
        FloatVector w21 = FloatVector.fromArray(S, wt, 7 * c + ch);
        FloatVector w22 = FloatVector.fromArray(S, wt, 8 * c + ch);
        int tapStride = g.dw() * c;
        for (int ox = x0; ox < x1; ox++) {
            int s0 = inOff + ((bi * g.h() + iy0) * g.w() + ox * g.sw() - g.pw()) * c + ch;
            int s1 = s0 + rowStride;
            int s2 = s1 + rowStride;
            FloatVector acc = w00.fma(FloatVector.fromArray(S, in, s0), b);
            acc = w01.fma(FloatVector.fromArray(S, in, s0 + tapStride), acc);
            acc = w02.fma(FloatVector.fromArray(S, in, s0 + 2 * tapStride), acc);
            acc = w10.fma(FloatVector.fromArray(S, in, s1), acc);
            acc = w11.fma(FloatVector.fromArray(S, in, s1 + tapStride), acc);
            acc = w12.fma(FloatVector.fromArray(S, in, s1 + 2 * tapStride), acc);
            acc = w20.fma(FloatVector.fromArray(S, in, s2), acc);
            acc = w21.fma(FloatVector.fromArray(S, in, s2 + tapStride), acc);
            acc = w22.fma(FloatVector.fromArray(S, in, s2 + 2 * tapStride), acc);
            put(acc, out, outRow + ox * c + ch, residual, residualOff, lo, hi);
        }
    }

    /**
     * count outputs of a stride-1 3x3 row, the first one's taps from s0 (kernel rows rowStride apart, columns c
     * apart), outputs c apart from dst: a window of three input columns slides along the row, so each output loads
     * one new column (3 vectors) instead of all nine taps (loads bound this loop: 1.3-1.5x alone, one thread). Same
     * sum order, so the same bits, as the nine-load loop. Vectors stay inside this method: passed to a call that is
     * not inlined, they would be boxed.
     */
    private static void slidingStride1(
            float[] wt,
            float[] bias,
            int ch,
            float[] in,
            int s0,
            int rowStride,
            int c,
            int count,
            float[] out,
            int dst,
            float[] residual,
            int residualOff,
            float lo,
            float hi) {
        FloatVector b = FloatVector.fromArray(S, bias, ch);
        FloatVector w00 = FloatVector.fromArray(S, wt, ch);
        FloatVector w01 = FloatVector.fromArray(S, wt, c + ch);
        FloatVector w02 = FloatVector.fromArray(S, wt, 2 * c + ch);
        FloatVector w10 = FloatVector.fromArray(S, wt, 3 * c + ch);
        FloatVector w11 = FloatVector.fromArray(S, wt, 4 * c + ch);
        FloatVector w12 = FloatVector.fromArray(S, wt, 5 * c + ch);
        FloatVector w20 = FloatVector.fromArray(S, wt, 6 * c + ch);
        FloatVector w21 = FloatVector.fromArray(S, wt, 7 * c + ch);
        FloatVector w22 = FloatVector.fromArray(S, wt, 8 * c + ch);
        int s1 = s0 + rowStride;
        int s2 = s1 + rowStride;
        FloatVector a0 = FloatVector.fromArray(S, in, s0); // kernel row 0, columns 0 and 1 of the window
        FloatVector a1 = FloatVector.fromArray(S, in, s0 + c);
        FloatVector b0 = FloatVector.fromArray(S, in, s1);
        FloatVector b1 = FloatVector.fromArray(S, in, s1 + c);
        FloatVector c0 = FloatVector.fromArray(S, in, s2);
        FloatVector c1 = FloatVector.fromArray(S, in, s2 + c);
        for (int i = 0, col = 2 * c; i < count; i++, col += c) {
            FloatVector a2 = FloatVector.fromArray(S, in, s0 + col);
            FloatVector b2 = FloatVector.fromArray(S, in, s1 + col);
            FloatVector c2 = FloatVector.fromArray(S, in, s2 + col);
            FloatVector acc = w00.fma(a0, b);
            acc = w01.fma(a1, acc);
            acc = w02.fma(a2, acc);
            acc = w10.fma(b0, acc);
            acc = w11.fma(b1, acc);
            acc = w12.fma(b2, acc);
            acc = w20.fma(c0, acc);
            acc = w21.fma(c1, acc);
            acc = w22.fma(c2, acc);
            put(acc, out, dst + i * c, residual, residualOff, lo, hi);
            a0 = a1;
            a1 = a2;
            b0 = b1;
            b1 = b2;
            c0 = c1;
            c1 = c2;
        }
    }

    /**
     * As {@link #slidingStride1} for stride 2: consecutive outputs share one input column (the window's last is the
     * next one's first), so each output loads 6 vectors instead of 9.
     */
    private static void slidingStride2(
            float[] wt,
            float[] bias,
            int ch,
            float[] in,
            int s0,
            int rowStride,
            int c,
            int count,
            float[] out,
            int dst,
            float[] residual,
            int residualOff,
            float lo,
            float hi) {
        FloatVector b = FloatVector.fromArray(S, bias, ch);
        FloatVector w00 = FloatVector.fromArray(S, wt, ch);
        FloatVector w01 = FloatVector.fromArray(S, wt, c + ch);
        FloatVector w02 = FloatVector.fromArray(S, wt, 2 * c + ch);
        FloatVector w10 = FloatVector.fromArray(S, wt, 3 * c + ch);
        FloatVector w11 = FloatVector.fromArray(S, wt, 4 * c + ch);
        FloatVector w12 = FloatVector.fromArray(S, wt, 5 * c + ch);
        FloatVector w20 = FloatVector.fromArray(S, wt, 6 * c + ch);
        FloatVector w21 = FloatVector.fromArray(S, wt, 7 * c + ch);
        FloatVector w22 = FloatVector.fromArray(S, wt, 8 * c + ch);
        int s1 = s0 + rowStride;
        int s2 = s1 + rowStride;
        FloatVector a0 = FloatVector.fromArray(S, in, s0); // kernel row 0, the window's first column
        FloatVector b0 = FloatVector.fromArray(S, in, s1);
        FloatVector c0 = FloatVector.fromArray(S, in, s2);
        for (int i = 0, col = c; i < count; i++, col += 2 * c) {
            FloatVector a1 = FloatVector.fromArray(S, in, s0 + col);
            FloatVector a2 = FloatVector.fromArray(S, in, s0 + col + c);
            FloatVector b1 = FloatVector.fromArray(S, in, s1 + col);
            FloatVector b2 = FloatVector.fromArray(S, in, s1 + col + c);
            FloatVector c1 = FloatVector.fromArray(S, in, s2 + col);
            FloatVector c2 = FloatVector.fromArray(S, in, s2 + col + c);
            FloatVector acc = w00.fma(a0, b);
            acc = w01.fma(a1, acc);
            acc = w02.fma(a2, acc);
            acc = w10.fma(b0, acc);
            acc = w11.fma(b1, acc);
            acc = w12.fma(b2, acc);
            acc = w20.fma(c0, acc);
            acc = w21.fma(c1, acc);
            acc = w22.fma(c2, acc);
            put(acc, out, dst + i * c, residual, residualOff, lo, hi);
            a0 = a2;
            b0 = b2;
            c0 = c2;
        }
    }

    /** out[dst..] = clamp(acc (+ residual), lo, hi); NaN stays NaN. */
    private static void put(
            FloatVector acc, float[] out, int dst, float[] residual, int residualOff, float lo, float hi) {
        if (residual != null) {
            acc = acc.add(FloatVector.fromArray(S, residual, residualOff + dst));
        }
        if (lo != Float.NEGATIVE_INFINITY) {
            acc = acc.lanewise(VectorOperators.MAX, lo);
        }
        if (hi != Float.POSITIVE_INFINITY) {
            acc = acc.lanewise(VectorOperators.MIN, hi);
        }
        acc.intoArray(out, dst);
    }
}
