package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
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

    private ConvDepthwise() {}

    /**
     * out (n, cout, oh, ow). Each input plane is first copied into a zero-padded plane (hp = h + 2ph rows of
     * wp = w + 2pw, plus slack), so every tap of every output pixel is a plain read: output pixel (y, x) reads
     * tap (i, j) at {@code (y*sh + i*dh) * wp + x*sw + j*dw}. A row of outputs is then accumulated in
     * registers over the kh*kw taps and stored once (vectors of L pixels for stride 1, scalars otherwise).
     */
    public static void forward(ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out) {
        int mult = g.coutG();
        int p = g.outPixels();
        int planeIn = g.inPixels();
        int taps = g.kh() * g.kw();
        int wp = g.w() + 2 * g.pw();
        int hp = g.h() + 2 * g.ph();
        int slack = L + (g.kw() - 1) * g.dw() + g.sw() * g.ow(); // reads of a row's last vector past wp
        Parallel.forRange(g.n() * g.cout(), grain(g), (s, e) -> {
            float[] xp = new float[hp * wp + slack];
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
                    padded = inPlane;
                }
                float bv = bias == null ? 0f : bias[co];
                int wOff = co * taps;
                int dst = plane * p;
                for (int y = 0; y < g.oh(); y++) {
                    int o = dst + y * g.ow();
                    int r0 = y * g.sh() * wp;
                    int x = 0;
                    if (g.sw() == 1) {
                        // two vectors at a time: two independent FMA chains hide the FMA latency
                        for (int end = g.ow() - 2 * L; x <= end; x += 2 * L) {
                            FloatVector acc0 = FloatVector.broadcast(S, bv);
                            FloatVector acc1 = acc0;
                            for (int i = 0; i < g.kh(); i++) {
                                int r = r0 + i * g.dh() * wp + x;
                                for (int j = 0; j < g.kw(); j++) {
                                    FloatVector wv = FloatVector.broadcast(S, w[wOff + i * g.kw() + j]);
                                    int t = r + j * g.dw();
                                    acc0 = FloatVector.fromArray(S, xp, t).fma(wv, acc0);
                                    acc1 = FloatVector.fromArray(S, xp, t + L).fma(wv, acc1);
                                }
                            }
                            acc0.intoArray(out, o + x);
                            acc1.intoArray(out, o + x + L);
                        }
                        for (int end = g.ow() - L; x <= end; x += L) {
                            FloatVector acc = FloatVector.broadcast(S, bv);
                            for (int i = 0; i < g.kh(); i++) {
                                int r = r0 + i * g.dh() * wp + x;
                                for (int j = 0; j < g.kw(); j++) {
                                    acc = FloatVector.fromArray(S, xp, r + j * g.dw())
                                            .fma(FloatVector.broadcast(S, w[wOff + i * g.kw() + j]), acc);
                                }
                            }
                            acc.intoArray(out, o + x);
                        }
                    }
                    for (; x < g.ow(); x++) {
                        float acc = bv;
                        for (int i = 0; i < g.kh(); i++) {
                            int r = r0 + i * g.dh() * wp + x * g.sw();
                            for (int j = 0; j < g.kw(); j++) {
                                acc += w[wOff + i * g.kw() + j] * xp[r + j * g.dw()];
                            }
                        }
                        out[o + x] = acc;
                    }
                }
            }
        });
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
