package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 weight gradient of a stride-1, ungrouped convolution without im2col or GEMM packing:
 * an outer-product kernel over output channels.
 *
 * <pre>
 * gradW[co][t] = sum over images b and output pixels (y, x) of gradOut[b][co][y][x] * xpad[b][q + offset[t]]
 * </pre>
 * with q = y*wp + x on the zero-padded input grid (as in {@link ConvDirect}: tap t = (c, i, j) is
 * the constant offset c*hp*wp + i*dh*wp + j*dw). Per image, gradOut is transposed once to
 * (pixel, cout) rows, so one pixel's output channels are contiguous vectors; the kernel keeps a
 * block of TB taps x CB channel-vectors of accumulators and, per pixel, broadcasts TB input values
 * against CB vectors of gradOut (no horizontal reductions). Images are split across the pool; each
 * task accumulates its own partial, summed at the end.
 */
public final class ConvDirectWeight {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Taps per block. */
    private static final int TB = 6;
    /** Channel vectors per block in the main kernel. */
    private static final int CB = 4;
    /** Taps per block of {@link #block2} (2 channel vectors); the tap count is padded to a multiple of it. */
    private static final int TB2 = 2 * TB;

    /** Tap counts up to this (e.g. 3x3 on one input channel) use {@link #smallTaps}. */
    static final int SMALL_K = 9;

    /**
     * Output channels up to which {@link #smallTaps} runs whatever the tap count (a U-Net's 64 -> 1 image output):
     * the main kernel puts output channels across the vector lanes, 1 of 16 used, where smallTaps's dot products run
     * along the pixels.
     */
    static final int FEW_CHANNELS = 2;

    private ConvDirectWeight() {}

    /** True if this kernel handles g: stride 1, one group, a valid output. */
    public static boolean applies(ConvGeometry g) {
        return g.groups() == 1 && g.sh() == 1 && g.sw() == 1 && ConvDirect.applies(g);
    }

    /** gradW (cout, cin, kh, kw) = weight gradient, overwritten; in starts at inOff. */
    public static void backwardWeight(ConvGeometry g, float[] gradOut, float[] in, int inOff, float[] gradW) {
        backwardWeight(g, gradOut, in, inOff, gradW, Simd.VECTOR_REGISTERS >= 32);
    }

    /**
     * {@link #backwardWeight} with the 24-accumulator blocks ({@code wide}, for 32 vector registers) or the
     * 8-accumulator {@link #block2x4} (AVX2's 16 registers, where the wide blocks spill); package-private
     * for the tests.
     */
    static void backwardWeight(ConvGeometry g, float[] gradOut, float[] in, int inOff, float[] gradW, boolean wide) {
        if (!applies(g)) {
            throw new IllegalArgumentException("ConvDirectWeight: needs stride 1 and groups 1, got " + g);
        }
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        int plane = hp * wp;
        int k = g.colRows();
        int kPad = (k + TB2 - 1) / TB2 * TB2;
        int cout = g.cout();
        int coutPad = (cout + L - 1) / L * L;
        int p = g.outPixels();
        int[] offsets = new int[kPad]; // padded taps read offset 0; their sums are dropped
        for (int c = 0, t = 0; c < g.cin(); c++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, t++) {
                    offsets[t] = c * plane + i * g.dh() * wp + j * g.dw();
                }
            }
        }
        int imagePlanes = g.cin() * plane;
        if (k <= SMALL_K || g.cout() <= FEW_CHANNELS) {
            smallTaps(g, gradOut, in, inOff, gradW, offsets, wp, plane);
            return;
        }
        int slack = L;
        // one partial per task, keyed by its first image and summed in image order (deterministic)
        java.util.Map<Integer, float[]> partials = new java.util.concurrent.ConcurrentSkipListMap<>();
        Parallel.forRange(g.n(), 1, (s, e) -> {
            // reused buffers (ScratchBuffers), cleared here: the previous call's arrays are still in the caches,
            // where new ones are memory the JVM zeroes first (up to 1.3 MB a thread per call in the DDPM U-Net)
            float[] acc = zeroed(kPad * coutPad); // (tap, co)
            float[] xp = zeroed(imagePlanes + slack); // padImage writes the interiors: the borders stay zero
            float[] got = zeroed(p * coutPad); // (pixel, co), padded channels stay zero
            for (int b = s; b < e; b++) {
                padImage(g, in, inOff + b * g.cin() * g.inPixels(), xp, wp, plane);
                transpose(gradOut, b * cout * p, cout, p, got, coutPad);
                int cv = coutPad / L;
                for (int t0 = 0; t0 < kPad; t0 += TB2) {
                    int v = 0;
                    if (!wide) {
                        for (; v + 2 <= cv; v += 2) {
                            for (int tq = 0; tq < TB2; tq += 4) {
                                block2x4(xp, offsets, t0 + tq, got, coutPad, v * L, g.oh(), g.ow(), wp, acc);
                            }
                        }
                    }
                    for (; v + CB <= cv; v += CB) {
                        block4(xp, offsets, t0, got, coutPad, v * L, g.oh(), g.ow(), wp, acc);
                        block4(xp, offsets, t0 + TB, got, coutPad, v * L, g.oh(), g.ow(), wp, acc);
                    }
                    for (; v + 2 <= cv; v += 2) {
                        block2(xp, offsets, t0, got, coutPad, v * L, g.oh(), g.ow(), wp, acc);
                    }
                    for (; v < cv; v++) {
                        block1(xp, offsets, t0, got, coutPad, v * L, g.oh(), g.ow(), wp, acc);
                        block1(xp, offsets, t0 + TB, got, coutPad, v * L, g.oh(), g.ow(), wp, acc);
                    }
                }
            }
            ScratchBuffers.give(got);
            ScratchBuffers.give(xp);
            partials.put(s, acc);
        });
        java.util.Arrays.fill(gradW, 0, cout * k, 0f);
        for (float[] acc : partials.values()) {
            for (int co = 0; co < cout; co++) {
                for (int t = 0; t < k; t++) {
                    gradW[co * k + t] += acc[t * coutPad + co];
                }
            }
            ScratchBuffers.give(acc);
        }
    }

    /** A reused buffer of at least n floats, its first n zero. */
    private static float[] zeroed(int n) {
        float[] a = ScratchBuffers.take(n);
        java.util.Arrays.fill(a, 0, n, 0f);
        return a;
    }

    /**
     * Few taps (k &lt;= {@link #SMALL_K}, e.g. a 3x3 conv of a 1-channel image) or few output channels
     * ({@link #FEW_CHANNELS}, the taps then in chunks of 9), where the
     * per-image transpose of gradOut would cost more than the arithmetic. gradOut is copied onto
     * the padded grid (junk columns and the tail stay zero, so they add nothing), and
     * {@code gradW[co][t] = sum_q gpad[co][q] * xpad[q + offsets[t]]} becomes vector dot products
     * along q: 2 channels x 9 taps of vector accumulators, kept per task across its images and
     * reduced with {@link Simd#sumLanes} at the end; task partials are summed in image order.
     */
    private static void smallTaps(
            ConvGeometry g, float[] gradOut, float[] in, int inOff, float[] gradW, int[] offsets, int wp, int plane) {
        int k = g.colRows();
        int cout = g.cout();
        int cout2 = (cout + 1) / 2 * 2;
        int pairs = cout2 / 2;
        int chunks = (k + SMALL_K - 1) / SMALL_K; // taps in chunks of 9, one dots2x9 pass each
        int ow = g.ow();
        int p = g.outPixels();
        int runPad = (g.oh() * wp + L - 1) / L * L;
        int[][] off = new int[chunks][SMALL_K]; // taps past k read offset 0; their sums are dropped
        int maxOff = 0;
        for (int t = 0; t < k; t++) {
            off[t / SMALL_K][t % SMALL_K] = offsets[t];
            maxOff = Math.max(maxOff, offsets[t]);
        }
        int xpLen = Math.max(g.cin() * plane, runPad + maxOff);
        java.util.Map<Integer, float[]> partials = new java.util.concurrent.ConcurrentSkipListMap<>();
        Parallel.forRange(g.n(), 1, (s, e) -> {
            float[] xp = new float[xpLen];
            float[] gp = new float[cout2 * runPad]; // (co, q); row cout2-1 stays zero when cout is odd
            float[] acc = new float[chunks * pairs * 2 * SMALL_K * L]; // (chunk, pair, co of the pair, tap, lane)
            for (int b = s; b < e; b++) {
                padImage(g, in, inOff + b * g.cin() * g.inPixels(), xp, wp, plane);
                for (int co = 0; co < cout; co++) {
                    int src = (b * cout + co) * p;
                    for (int y = 0; y < g.oh(); y++) {
                        System.arraycopy(gradOut, src + y * ow, gp, co * runPad + y * wp, ow);
                    }
                }
                for (int c = 0; c < chunks; c++) {
                    for (int pair = 0; pair < pairs; pair++) {
                        int a0 = (c * pairs + pair) * 2 * SMALL_K * L;
                        dots2x9(xp, off[c], gp, 2 * pair * runPad, runPad, acc, a0);
                    }
                }
            }
            float[] part = new float[cout * k];
            for (int co = 0; co < cout; co++) {
                for (int t = 0; t < k; t++) {
                    int a = ((t / SMALL_K * pairs + co / 2) * 2 + co % 2) * SMALL_K + t % SMALL_K;
                    part[co * k + t] = Simd.sumLanes(FloatVector.fromArray(S, acc, a * L));
                }
            }
            partials.put(s, part);
        });
        java.util.Arrays.fill(gradW, 0, cout * k, 0f);
        for (float[] part : partials.values()) {
            for (int i = 0; i < cout * k; i++) {
                gradW[i] += part[i];
            }
        }
    }

    /**
     * acc[a0 + (r*9 + t)*L ..] += lanes of sum over q of gp[g0 + r*runPad + q] * xp[q + off[t]],
     * r &lt; 2, t &lt; 9.
     */
    private static void dots2x9(float[] xp, int[] off, float[] gp, int g0, int runPad, float[] acc, int a0) {
        int o0 = off[0];
        int o1 = off[1];
        int o2 = off[2];
        int o3 = off[3];
        int o4 = off[4];
        int o5 = off[5];
        int o6 = off[6];
        int o7 = off[7];
        int o8 = off[8];
        FloatVector s00 = FloatVector.fromArray(S, acc, a0 + 0 * L);
        FloatVector s01 = FloatVector.fromArray(S, acc, a0 + 1 * L);
        FloatVector s02 = FloatVector.fromArray(S, acc, a0 + 2 * L);
        FloatVector s03 = FloatVector.fromArray(S, acc, a0 + 3 * L);
        FloatVector s04 = FloatVector.fromArray(S, acc, a0 + 4 * L);
        FloatVector s05 = FloatVector.fromArray(S, acc, a0 + 5 * L);
        FloatVector s06 = FloatVector.fromArray(S, acc, a0 + 6 * L);
        FloatVector s07 = FloatVector.fromArray(S, acc, a0 + 7 * L);
        FloatVector s08 = FloatVector.fromArray(S, acc, a0 + 8 * L);
        FloatVector s10 = FloatVector.fromArray(S, acc, a0 + 9 * L);
        FloatVector s11 = FloatVector.fromArray(S, acc, a0 + 10 * L);
        FloatVector s12 = FloatVector.fromArray(S, acc, a0 + 11 * L);
        FloatVector s13 = FloatVector.fromArray(S, acc, a0 + 12 * L);
        FloatVector s14 = FloatVector.fromArray(S, acc, a0 + 13 * L);
        FloatVector s15 = FloatVector.fromArray(S, acc, a0 + 14 * L);
        FloatVector s16 = FloatVector.fromArray(S, acc, a0 + 15 * L);
        FloatVector s17 = FloatVector.fromArray(S, acc, a0 + 16 * L);
        FloatVector s18 = FloatVector.fromArray(S, acc, a0 + 17 * L);
        for (int q = 0; q < runPad; q += L) {
            FloatVector g0v = FloatVector.fromArray(S, gp, g0 + q);
            FloatVector g1v = FloatVector.fromArray(S, gp, g0 + runPad + q);
            FloatVector x0 = FloatVector.fromArray(S, xp, q + o0);
            s00 = g0v.fma(x0, s00);
            s10 = g1v.fma(x0, s10);
            FloatVector x1 = FloatVector.fromArray(S, xp, q + o1);
            s01 = g0v.fma(x1, s01);
            s11 = g1v.fma(x1, s11);
            FloatVector x2 = FloatVector.fromArray(S, xp, q + o2);
            s02 = g0v.fma(x2, s02);
            s12 = g1v.fma(x2, s12);
            FloatVector x3 = FloatVector.fromArray(S, xp, q + o3);
            s03 = g0v.fma(x3, s03);
            s13 = g1v.fma(x3, s13);
            FloatVector x4 = FloatVector.fromArray(S, xp, q + o4);
            s04 = g0v.fma(x4, s04);
            s14 = g1v.fma(x4, s14);
            FloatVector x5 = FloatVector.fromArray(S, xp, q + o5);
            s05 = g0v.fma(x5, s05);
            s15 = g1v.fma(x5, s15);
            FloatVector x6 = FloatVector.fromArray(S, xp, q + o6);
            s06 = g0v.fma(x6, s06);
            s16 = g1v.fma(x6, s16);
            FloatVector x7 = FloatVector.fromArray(S, xp, q + o7);
            s07 = g0v.fma(x7, s07);
            s17 = g1v.fma(x7, s17);
            FloatVector x8 = FloatVector.fromArray(S, xp, q + o8);
            s08 = g0v.fma(x8, s08);
            s18 = g1v.fma(x8, s18);
        }
        s00.intoArray(acc, a0 + 0 * L);
        s01.intoArray(acc, a0 + 1 * L);
        s02.intoArray(acc, a0 + 2 * L);
        s03.intoArray(acc, a0 + 3 * L);
        s04.intoArray(acc, a0 + 4 * L);
        s05.intoArray(acc, a0 + 5 * L);
        s06.intoArray(acc, a0 + 6 * L);
        s07.intoArray(acc, a0 + 7 * L);
        s08.intoArray(acc, a0 + 8 * L);
        s10.intoArray(acc, a0 + 9 * L);
        s11.intoArray(acc, a0 + 10 * L);
        s12.intoArray(acc, a0 + 11 * L);
        s13.intoArray(acc, a0 + 12 * L);
        s14.intoArray(acc, a0 + 13 * L);
        s15.intoArray(acc, a0 + 14 * L);
        s16.intoArray(acc, a0 + 15 * L);
        s17.intoArray(acc, a0 + 16 * L);
        s18.intoArray(acc, a0 + 17 * L);
    }

    /** Copies one image into the interiors of its zero-bordered padded planes (borders are never written). */
    private static void padImage(ConvGeometry g, float[] in, int src, float[] xp, int wp, int plane) {
        for (int c = 0; c < g.cin(); c++) {
            int dst = c * plane + g.ph() * wp + g.pw();
            int from = src + c * g.h() * g.w();
            for (int y = 0; y < g.h(); y++) {
                System.arraycopy(in, from + y * g.w(), xp, dst + y * wp, g.w());
            }
        }
    }

    /**
     * got[q][co] = x[off + co*p + q] for x (cout, p), one got row at a time: contiguous writes,
     * reads strided by p from cout cache lines that stay in L1 while q walks along them (measured
     * 1.7x faster than 8-column strips with strided writes; 64 x 576 per image: the transpose was a
     * third of the weight gradient).
     */
    private static void transpose(float[] x, int off, int cout, int p, float[] got, int ld) {
        for (int q = 0; q < p; q++) {
            int d = q * ld;
            int src = off + q;
            for (int co = 0; co < cout; co++) {
                got[d + co] = x[src + co * p];
            }
        }
    }

    /** acc[t0 + r][c0 .. c0 + 4L) += sum over pixels of xp[q + offsets[t0 + r]] * got[pixel][c0 ..]. */
    private static void block4(
            float[] xp, int[] offsets, int t0, float[] got, int ld, int c0, int oh, int ow, int wp, float[] acc) {
        int o0 = offsets[t0];
        int o1 = offsets[t0 + 1];
        int o2 = offsets[t0 + 2];
        int o3 = offsets[t0 + 3];
        int o4 = offsets[t0 + 4];
        int o5 = offsets[t0 + 5];
        int a0 = t0 * ld + c0;
        FloatVector s00 = FloatVector.fromArray(S, acc, a0);
        FloatVector s01 = FloatVector.fromArray(S, acc, a0 + L);
        FloatVector s02 = FloatVector.fromArray(S, acc, a0 + 2 * L);
        FloatVector s03 = FloatVector.fromArray(S, acc, a0 + 3 * L);
        FloatVector s10 = FloatVector.fromArray(S, acc, a0 + ld);
        FloatVector s11 = FloatVector.fromArray(S, acc, a0 + ld + L);
        FloatVector s12 = FloatVector.fromArray(S, acc, a0 + ld + 2 * L);
        FloatVector s13 = FloatVector.fromArray(S, acc, a0 + ld + 3 * L);
        FloatVector s20 = FloatVector.fromArray(S, acc, a0 + 2 * ld);
        FloatVector s21 = FloatVector.fromArray(S, acc, a0 + 2 * ld + L);
        FloatVector s22 = FloatVector.fromArray(S, acc, a0 + 2 * ld + 2 * L);
        FloatVector s23 = FloatVector.fromArray(S, acc, a0 + 2 * ld + 3 * L);
        FloatVector s30 = FloatVector.fromArray(S, acc, a0 + 3 * ld);
        FloatVector s31 = FloatVector.fromArray(S, acc, a0 + 3 * ld + L);
        FloatVector s32 = FloatVector.fromArray(S, acc, a0 + 3 * ld + 2 * L);
        FloatVector s33 = FloatVector.fromArray(S, acc, a0 + 3 * ld + 3 * L);
        FloatVector s40 = FloatVector.fromArray(S, acc, a0 + 4 * ld);
        FloatVector s41 = FloatVector.fromArray(S, acc, a0 + 4 * ld + L);
        FloatVector s42 = FloatVector.fromArray(S, acc, a0 + 4 * ld + 2 * L);
        FloatVector s43 = FloatVector.fromArray(S, acc, a0 + 4 * ld + 3 * L);
        FloatVector s50 = FloatVector.fromArray(S, acc, a0 + 5 * ld);
        FloatVector s51 = FloatVector.fromArray(S, acc, a0 + 5 * ld + L);
        FloatVector s52 = FloatVector.fromArray(S, acc, a0 + 5 * ld + 2 * L);
        FloatVector s53 = FloatVector.fromArray(S, acc, a0 + 5 * ld + 3 * L);
        int pix = 0;
        for (int y = 0; y < oh; y++) {
            int qRow = y * wp;
            for (int x = 0; x < ow; x++, pix++) {
                int q = qRow + x;
                int gi = pix * ld + c0;
                FloatVector g0 = FloatVector.fromArray(S, got, gi);
                FloatVector g1 = FloatVector.fromArray(S, got, gi + L);
                FloatVector g2 = FloatVector.fromArray(S, got, gi + 2 * L);
                FloatVector g3 = FloatVector.fromArray(S, got, gi + 3 * L);
                FloatVector x0 = FloatVector.broadcast(S, xp[q + o0]);
                s00 = g0.fma(x0, s00);
                s01 = g1.fma(x0, s01);
                s02 = g2.fma(x0, s02);
                s03 = g3.fma(x0, s03);
                FloatVector x1 = FloatVector.broadcast(S, xp[q + o1]);
                s10 = g0.fma(x1, s10);
                s11 = g1.fma(x1, s11);
                s12 = g2.fma(x1, s12);
                s13 = g3.fma(x1, s13);
                FloatVector x2 = FloatVector.broadcast(S, xp[q + o2]);
                s20 = g0.fma(x2, s20);
                s21 = g1.fma(x2, s21);
                s22 = g2.fma(x2, s22);
                s23 = g3.fma(x2, s23);
                FloatVector x3 = FloatVector.broadcast(S, xp[q + o3]);
                s30 = g0.fma(x3, s30);
                s31 = g1.fma(x3, s31);
                s32 = g2.fma(x3, s32);
                s33 = g3.fma(x3, s33);
                FloatVector x4 = FloatVector.broadcast(S, xp[q + o4]);
                s40 = g0.fma(x4, s40);
                s41 = g1.fma(x4, s41);
                s42 = g2.fma(x4, s42);
                s43 = g3.fma(x4, s43);
                FloatVector x5 = FloatVector.broadcast(S, xp[q + o5]);
                s50 = g0.fma(x5, s50);
                s51 = g1.fma(x5, s51);
                s52 = g2.fma(x5, s52);
                s53 = g3.fma(x5, s53);
            }
        }
        s00.intoArray(acc, a0);
        s01.intoArray(acc, a0 + L);
        s02.intoArray(acc, a0 + 2 * L);
        s03.intoArray(acc, a0 + 3 * L);
        s10.intoArray(acc, a0 + ld);
        s11.intoArray(acc, a0 + ld + L);
        s12.intoArray(acc, a0 + ld + 2 * L);
        s13.intoArray(acc, a0 + ld + 3 * L);
        s20.intoArray(acc, a0 + 2 * ld);
        s21.intoArray(acc, a0 + 2 * ld + L);
        s22.intoArray(acc, a0 + 2 * ld + 2 * L);
        s23.intoArray(acc, a0 + 2 * ld + 3 * L);
        s30.intoArray(acc, a0 + 3 * ld);
        s31.intoArray(acc, a0 + 3 * ld + L);
        s32.intoArray(acc, a0 + 3 * ld + 2 * L);
        s33.intoArray(acc, a0 + 3 * ld + 3 * L);
        s40.intoArray(acc, a0 + 4 * ld);
        s41.intoArray(acc, a0 + 4 * ld + L);
        s42.intoArray(acc, a0 + 4 * ld + 2 * L);
        s43.intoArray(acc, a0 + 4 * ld + 3 * L);
        s50.intoArray(acc, a0 + 5 * ld);
        s51.intoArray(acc, a0 + 5 * ld + L);
        s52.intoArray(acc, a0 + 5 * ld + 2 * L);
        s53.intoArray(acc, a0 + 5 * ld + 3 * L);
    }

    /**
     * Two channel vectors x {@link #TB2} taps (24 accumulators): the kernel for cout = 2L (e.g. 32
     * channels with 16 lanes), where {@link #block1} would be bound by its broadcasts.
     */
    private static void block2(
            float[] xp, int[] offsets, int t0, float[] got, int ld, int c0, int oh, int ow, int wp, float[] acc) {
        int o0 = offsets[t0 + 0];
        int o1 = offsets[t0 + 1];
        int o2 = offsets[t0 + 2];
        int o3 = offsets[t0 + 3];
        int o4 = offsets[t0 + 4];
        int o5 = offsets[t0 + 5];
        int o6 = offsets[t0 + 6];
        int o7 = offsets[t0 + 7];
        int o8 = offsets[t0 + 8];
        int o9 = offsets[t0 + 9];
        int o10 = offsets[t0 + 10];
        int o11 = offsets[t0 + 11];
        int a0 = t0 * ld + c0;
        FloatVector s0_0 = FloatVector.fromArray(S, acc, a0 + 0 * ld);
        FloatVector s0_1 = FloatVector.fromArray(S, acc, a0 + 0 * ld + L);
        FloatVector s1_0 = FloatVector.fromArray(S, acc, a0 + 1 * ld);
        FloatVector s1_1 = FloatVector.fromArray(S, acc, a0 + 1 * ld + L);
        FloatVector s2_0 = FloatVector.fromArray(S, acc, a0 + 2 * ld);
        FloatVector s2_1 = FloatVector.fromArray(S, acc, a0 + 2 * ld + L);
        FloatVector s3_0 = FloatVector.fromArray(S, acc, a0 + 3 * ld);
        FloatVector s3_1 = FloatVector.fromArray(S, acc, a0 + 3 * ld + L);
        FloatVector s4_0 = FloatVector.fromArray(S, acc, a0 + 4 * ld);
        FloatVector s4_1 = FloatVector.fromArray(S, acc, a0 + 4 * ld + L);
        FloatVector s5_0 = FloatVector.fromArray(S, acc, a0 + 5 * ld);
        FloatVector s5_1 = FloatVector.fromArray(S, acc, a0 + 5 * ld + L);
        FloatVector s6_0 = FloatVector.fromArray(S, acc, a0 + 6 * ld);
        FloatVector s6_1 = FloatVector.fromArray(S, acc, a0 + 6 * ld + L);
        FloatVector s7_0 = FloatVector.fromArray(S, acc, a0 + 7 * ld);
        FloatVector s7_1 = FloatVector.fromArray(S, acc, a0 + 7 * ld + L);
        FloatVector s8_0 = FloatVector.fromArray(S, acc, a0 + 8 * ld);
        FloatVector s8_1 = FloatVector.fromArray(S, acc, a0 + 8 * ld + L);
        FloatVector s9_0 = FloatVector.fromArray(S, acc, a0 + 9 * ld);
        FloatVector s9_1 = FloatVector.fromArray(S, acc, a0 + 9 * ld + L);
        FloatVector s10_0 = FloatVector.fromArray(S, acc, a0 + 10 * ld);
        FloatVector s10_1 = FloatVector.fromArray(S, acc, a0 + 10 * ld + L);
        FloatVector s11_0 = FloatVector.fromArray(S, acc, a0 + 11 * ld);
        FloatVector s11_1 = FloatVector.fromArray(S, acc, a0 + 11 * ld + L);
        int pix = 0;
        for (int y = 0; y < oh; y++) {
            int qRow = y * wp;
            for (int x = 0; x < ow; x++, pix++) {
                int q = qRow + x;
                int gi = pix * ld + c0;
                FloatVector g0 = FloatVector.fromArray(S, got, gi);
                FloatVector g1 = FloatVector.fromArray(S, got, gi + L);
                FloatVector x0 = FloatVector.broadcast(S, xp[q + o0]);
                s0_0 = g0.fma(x0, s0_0);
                s0_1 = g1.fma(x0, s0_1);
                FloatVector x1 = FloatVector.broadcast(S, xp[q + o1]);
                s1_0 = g0.fma(x1, s1_0);
                s1_1 = g1.fma(x1, s1_1);
                FloatVector x2 = FloatVector.broadcast(S, xp[q + o2]);
                s2_0 = g0.fma(x2, s2_0);
                s2_1 = g1.fma(x2, s2_1);
                FloatVector x3 = FloatVector.broadcast(S, xp[q + o3]);
                s3_0 = g0.fma(x3, s3_0);
                s3_1 = g1.fma(x3, s3_1);
                FloatVector x4 = FloatVector.broadcast(S, xp[q + o4]);
                s4_0 = g0.fma(x4, s4_0);
                s4_1 = g1.fma(x4, s4_1);
                FloatVector x5 = FloatVector.broadcast(S, xp[q + o5]);
                s5_0 = g0.fma(x5, s5_0);
                s5_1 = g1.fma(x5, s5_1);
                FloatVector x6 = FloatVector.broadcast(S, xp[q + o6]);
                s6_0 = g0.fma(x6, s6_0);
                s6_1 = g1.fma(x6, s6_1);
                FloatVector x7 = FloatVector.broadcast(S, xp[q + o7]);
                s7_0 = g0.fma(x7, s7_0);
                s7_1 = g1.fma(x7, s7_1);
                FloatVector x8 = FloatVector.broadcast(S, xp[q + o8]);
                s8_0 = g0.fma(x8, s8_0);
                s8_1 = g1.fma(x8, s8_1);
                FloatVector x9 = FloatVector.broadcast(S, xp[q + o9]);
                s9_0 = g0.fma(x9, s9_0);
                s9_1 = g1.fma(x9, s9_1);
                FloatVector x10 = FloatVector.broadcast(S, xp[q + o10]);
                s10_0 = g0.fma(x10, s10_0);
                s10_1 = g1.fma(x10, s10_1);
                FloatVector x11 = FloatVector.broadcast(S, xp[q + o11]);
                s11_0 = g0.fma(x11, s11_0);
                s11_1 = g1.fma(x11, s11_1);
            }
        }
        s0_0.intoArray(acc, a0 + 0 * ld);
        s0_1.intoArray(acc, a0 + 0 * ld + L);
        s1_0.intoArray(acc, a0 + 1 * ld);
        s1_1.intoArray(acc, a0 + 1 * ld + L);
        s2_0.intoArray(acc, a0 + 2 * ld);
        s2_1.intoArray(acc, a0 + 2 * ld + L);
        s3_0.intoArray(acc, a0 + 3 * ld);
        s3_1.intoArray(acc, a0 + 3 * ld + L);
        s4_0.intoArray(acc, a0 + 4 * ld);
        s4_1.intoArray(acc, a0 + 4 * ld + L);
        s5_0.intoArray(acc, a0 + 5 * ld);
        s5_1.intoArray(acc, a0 + 5 * ld + L);
        s6_0.intoArray(acc, a0 + 6 * ld);
        s6_1.intoArray(acc, a0 + 6 * ld + L);
        s7_0.intoArray(acc, a0 + 7 * ld);
        s7_1.intoArray(acc, a0 + 7 * ld + L);
        s8_0.intoArray(acc, a0 + 8 * ld);
        s8_1.intoArray(acc, a0 + 8 * ld + L);
        s9_0.intoArray(acc, a0 + 9 * ld);
        s9_1.intoArray(acc, a0 + 9 * ld + L);
        s10_0.intoArray(acc, a0 + 10 * ld);
        s10_1.intoArray(acc, a0 + 10 * ld + L);
        s11_0.intoArray(acc, a0 + 11 * ld);
        s11_1.intoArray(acc, a0 + 11 * ld + L);
    }

    /** Two channel vectors x 4 taps (8 accumulators, for 16-register AVX2): acc[t0 + r][c0 .. c0 + 2L). */
    private static void block2x4(
            float[] xp, int[] offsets, int t0, float[] got, int ld, int c0, int oh, int ow, int wp, float[] acc) {
        int o0 = offsets[t0];
        int o1 = offsets[t0 + 1];
        int o2 = offsets[t0 + 2];
        int o3 = offsets[t0 + 3];
        int a0 = t0 * ld + c0;
        FloatVector s00 = FloatVector.fromArray(S, acc, a0);
        FloatVector s01 = FloatVector.fromArray(S, acc, a0 + L);
        FloatVector s10 = FloatVector.fromArray(S, acc, a0 + ld);
        FloatVector s11 = FloatVector.fromArray(S, acc, a0 + ld + L);
        FloatVector s20 = FloatVector.fromArray(S, acc, a0 + 2 * ld);
        FloatVector s21 = FloatVector.fromArray(S, acc, a0 + 2 * ld + L);
        FloatVector s30 = FloatVector.fromArray(S, acc, a0 + 3 * ld);
        FloatVector s31 = FloatVector.fromArray(S, acc, a0 + 3 * ld + L);
        int pix = 0;
        for (int y = 0; y < oh; y++) {
            int qRow = y * wp;
            for (int x = 0; x < ow; x++, pix++) {
                int q = qRow + x;
                FloatVector g0 = FloatVector.fromArray(S, got, pix * ld + c0);
                FloatVector g1 = FloatVector.fromArray(S, got, pix * ld + c0 + L);
                FloatVector b = FloatVector.broadcast(S, xp[q + o0]);
                s00 = g0.fma(b, s00);
                s01 = g1.fma(b, s01);
                b = FloatVector.broadcast(S, xp[q + o1]);
                s10 = g0.fma(b, s10);
                s11 = g1.fma(b, s11);
                b = FloatVector.broadcast(S, xp[q + o2]);
                s20 = g0.fma(b, s20);
                s21 = g1.fma(b, s21);
                b = FloatVector.broadcast(S, xp[q + o3]);
                s30 = g0.fma(b, s30);
                s31 = g1.fma(b, s31);
            }
        }
        s00.intoArray(acc, a0);
        s01.intoArray(acc, a0 + L);
        s10.intoArray(acc, a0 + ld);
        s11.intoArray(acc, a0 + ld + L);
        s20.intoArray(acc, a0 + 2 * ld);
        s21.intoArray(acc, a0 + 2 * ld + L);
        s30.intoArray(acc, a0 + 3 * ld);
        s31.intoArray(acc, a0 + 3 * ld + L);
    }

    /** One channel vector: the tail of {@link #block4}. */
    private static void block1(
            float[] xp, int[] offsets, int t0, float[] got, int ld, int c0, int oh, int ow, int wp, float[] acc) {
        int o0 = offsets[t0];
        int o1 = offsets[t0 + 1];
        int o2 = offsets[t0 + 2];
        int o3 = offsets[t0 + 3];
        int o4 = offsets[t0 + 4];
        int o5 = offsets[t0 + 5];
        int a0 = t0 * ld + c0;
        FloatVector s0 = FloatVector.fromArray(S, acc, a0);
        FloatVector s1 = FloatVector.fromArray(S, acc, a0 + ld);
        FloatVector s2 = FloatVector.fromArray(S, acc, a0 + 2 * ld);
        FloatVector s3 = FloatVector.fromArray(S, acc, a0 + 3 * ld);
        FloatVector s4 = FloatVector.fromArray(S, acc, a0 + 4 * ld);
        FloatVector s5 = FloatVector.fromArray(S, acc, a0 + 5 * ld);
        int pix = 0;
        for (int y = 0; y < oh; y++) {
            int qRow = y * wp;
            for (int x = 0; x < ow; x++, pix++) {
                int q = qRow + x;
                FloatVector g0 = FloatVector.fromArray(S, got, pix * ld + c0);
                s0 = g0.fma(FloatVector.broadcast(S, xp[q + o0]), s0);
                s1 = g0.fma(FloatVector.broadcast(S, xp[q + o1]), s1);
                s2 = g0.fma(FloatVector.broadcast(S, xp[q + o2]), s2);
                s3 = g0.fma(FloatVector.broadcast(S, xp[q + o3]), s3);
                s4 = g0.fma(FloatVector.broadcast(S, xp[q + o4]), s4);
                s5 = g0.fma(FloatVector.broadcast(S, xp[q + o5]), s5);
            }
        }
        s0.intoArray(acc, a0);
        s1.intoArray(acc, a0 + ld);
        s2.intoArray(acc, a0 + 2 * ld);
        s3.intoArray(acc, a0 + 3 * ld);
        s4.intoArray(acc, a0 + 4 * ld);
        s5.intoArray(acc, a0 + 5 * ld);
    }
}
