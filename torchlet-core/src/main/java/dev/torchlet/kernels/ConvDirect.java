package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 forward convolution for stride 1 (any padding, dilation, groups) as a direct "implicit
 * GEMM" with the Vector API: no im2col matrix is built.
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
 * with MR = 8 output channels times NR = 3 vectors of pixels in 24 vector accumulators where there
 * are 32 vector registers (AVX-512), and MR = 4 times NR = 2 (8 accumulators) with AVX2's 16: there the
 * 8 x 3 tile spills accumulators to the stack (see {@link Simd#VECTOR_REGISTERS}).
 */
public final class ConvDirect {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    private static final boolean WIDE = Simd.VECTOR_REGISTERS >= 32;
    private static final int MR = WIDE ? 8 : 4;
    private static final int NR = WIDE ? 3 : 2;
    private static final int NB = NR * L;

    private ConvDirect() {}

    /** True if this kernel handles the geometry: stride 1 and the output fits the padded input. */
    public static boolean applies(ConvGeometry g) {
        return g.sh() == 1
                && g.sw() == 1
                && g.oh() <= g.h() + 2 * g.ph() - (g.kh() - 1) * g.dh()
                && g.ow() <= g.w() + 2 * g.pw() - (g.kw() - 1) * g.dw()
                && g.oh() > 0
                && g.ow() > 0;
    }

    /** out (n, cout, oh, ow) = conv(in, w) + bias (bias may be null); in starts at inOff. */
    public static void forward(ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out) {
        if (!applies(g)) {
            throw new IllegalArgumentException("ConvDirect: needs stride 1, got " + g);
        }
        int hp = g.h() + 2 * g.ph();
        int wp = rowStride(g);
        int plane = hp * wp;
        int run = g.oh() * wp;
        int tiles = (run + NB - 1) / NB;
        int k = g.colRows();
        int coutG = g.coutG();
        int blocks = (coutG + MR - 1) / MR;

        // tap offsets on the padded grid, and weights packed as [group][block][tap][r] (zero rows past coutG)
        int[] offsets = new int[k];
        for (int c = 0, t = 0; c < g.cinG(); c++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, t++) {
                    offsets[t] = c * plane + i * g.dh() * wp + j * g.dw();
                }
            }
        }
        float[] packed = new float[g.groups() * blocks * k * MR];
        for (int co = 0; co < g.cout(); co++) {
            int grp = co / coutG;
            int local = co % coutG;
            int base = ((grp * blocks + local / MR) * k) * MR + local % MR;
            for (int t = 0; t < k; t++) {
                packed[base + t * MR] = w[co * k + t];
            }
        }

        int imagePlanes = g.cin() * plane;
        int slack = NB + (g.kw() - 1) * g.dw() + L; // the last tile reads past the last plane
        if (g.n() >= Parallel.numThreads()) {
            // whole images per task: pad one image into a reused buffer (borders stay zero), then all its tiles
            Parallel.forRange(g.n(), 1, (s, e) -> {
                float[] xp = new float[imagePlanes + slack];
                float[] tile = new float[MR * NB + L];
                for (int b = s; b < e; b++) {
                    pad(g, in, inOff + b * g.cin() * g.inPixels(), 0, g.cin(), xp, 0);
                    for (int t = 0; t < tiles; t++) {
                        tile(g, xp, 0, b, t * NB, run, wp, plane, offsets, packed, blocks, bias, out, tile);
                    }
                }
            });
        } else {
            // few images: pad them all, then split the tiles
            float[] xp = new float[g.n() * imagePlanes + slack];
            Parallel.forRange(g.n() * g.cin(), 16, (s, e) -> pad(g, in, inOff, s, e, xp, 0));
            Parallel.forRange(g.n() * tiles, 1, (s, e) -> {
                float[] tile = new float[MR * NB + L];
                for (int item = s; item < e; item++) {
                    int b = item / tiles;
                    tile(
                            g,
                            xp,
                            b * imagePlanes,
                            b,
                            (item % tiles) * NB,
                            run,
                            wp,
                            plane,
                            offsets,
                            packed,
                            blocks,
                            bias,
                            out,
                            tile);
                }
            });
        }
    }

    /**
     * Row stride of the padded grid: w + pw, not w + 2pw. Every row starts with pw zero columns,
     * so the right padding of a row is the left padding of the next one: taps reading past the row
     * end (at most pw columns, since ow + (kw-1)*dw &lt;= w + 2pw) land on zeros. That halves the junk
     * columns of a 3x3 pad-1 conv (1 per row instead of 2). At least ow, so each output row fits.
     */
    static int rowStride(ConvGeometry g) {
        return Math.max(g.w() + g.pw(), g.ow());
    }

    /** Copies planes [s, e) (counted from in[inOff]) into the interiors of the padded planes of xp. */
    private static void pad(ConvGeometry g, float[] in, int inOff, int s, int e, float[] xp, int xpOff) {
        int wp = rowStride(g);
        int plane = (g.h() + 2 * g.ph()) * wp;
        for (int pl = s; pl < e; pl++) {
            int src = inOff + pl * g.h() * g.w();
            int dst = xpOff + pl * plane + g.ph() * wp + g.pw();
            for (int y = 0; y < g.h(); y++) {
                System.arraycopy(in, src + y * g.w(), xp, dst + y * wp, g.w());
            }
        }
    }

    /** All output channels of image b for padded positions [q0, q0 + NB); the image's planes start at xp[xImg]. */
    private static void tile(
            ConvGeometry g,
            float[] xp,
            int xImg,
            int b,
            int q0,
            int run,
            int wp,
            int plane,
            int[] offsets,
            float[] packed,
            int blocks,
            float[] bias,
            float[] out,
            float[] tile) {
        int k = g.colRows();
        int coutG = g.coutG();
        int p = g.outPixels();
        int qEnd = Math.min(q0 + NB, run);
        for (int grp = 0; grp < g.groups(); grp++) {
            int xBase = xImg + grp * g.cinG() * plane + q0;
            for (int blk = 0; blk < blocks; blk++) {
                int wOff = ((grp * blocks + blk) * k) * MR;
                if (!WIDE) {
                    block4x2(xp, xBase, offsets, packed, wOff, k, tile);
                } else if (qEnd - q0 > 2 * L) {
                    block(xp, xBase, offsets, packed, wOff, k, tile);
                } else { // the last, short tile of the run (e.g. 14x14 images): 2 vectors wide
                    block2(xp, xBase, offsets, packed, wOff, k, tile);
                }
                int co0 = grp * coutG + blk * MR;
                int rows = Math.min(MR, coutG - blk * MR);
                for (int r = 0; r < rows; r++) {
                    int co = co0 + r;
                    store(
                            tile,
                            r * NB,
                            q0,
                            qEnd,
                            wp,
                            g.ow(),
                            out,
                            (b * g.cout() + co) * p,
                            bias == null ? 0f : bias[co]);
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
        float[] wt = new float[w.length];
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int o = 0; o < coutG; o++) {
                for (int c = 0; c < cinG; c++) {
                    int src = ((grp * coutG + o) * cinG + c) * kh * kw;
                    int dst = ((grp * cinG + c) * coutG + o) * kh * kw;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            wt[dst + (kh - 1 - i) * kw + (kw - 1 - j)] = w[src + i * kw + j];
                        }
                    }
                }
            }
        }
        forward(t, gradOut, 0, wt, null, gradIn);
    }

    /** Copies the valid pixels of one accumulated row (positions q0..qEnd on the padded grid) to out. */
    private static void store(
            float[] tile, int tOff, int q0, int qEnd, int wp, int ow, float[] out, int oOff, float bias) {
        int q = q0;
        while (q < qEnd) {
            int y = q / wp;
            int x = q - y * wp;
            int segEnd = Math.min(qEnd, y * wp + ow);
            int dst = oOff + y * ow - y * wp; // out index of padded position q' on row y is dst + q'
            int v = q;
            for (int end = q + S.loopBound(segEnd - q); v < end; v += L) {
                FloatVector.fromArray(S, tile, tOff + v - q0).add(bias).intoArray(out, dst + v);
            }
            if (v < segEnd) { // the row's tail: one masked store (the tile has L floats of slack)
                FloatVector.fromArray(S, tile, tOff + v - q0)
                        .add(bias)
                        .intoArray(out, dst + v, S.indexInRange(v, segEnd));
            }
            q = (y + 1) * wp;
        }
    }

    /** The 4 x 2 tile of 16-register machines (MR = 4, NB = 2L): tile[r*NB + v] as in {@link #block}. */
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
            FloatVector x0 = FloatVector.fromArray(S, xp, o);
            FloatVector x1 = FloatVector.fromArray(S, xp, o + L);
            int wi = wOff + t * 4;
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
        a10.intoArray(tile, NB);
        a11.intoArray(tile, NB + L);
        a20.intoArray(tile, 2 * NB);
        a21.intoArray(tile, 2 * NB + L);
        a30.intoArray(tile, 3 * NB);
        a31.intoArray(tile, 3 * NB + L);
    }

    /** {@link #block} for the first 2 vectors of pixels only (16 accumulators): tile[r*NB + v], v &lt; 2L. */
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
            FloatVector x0 = FloatVector.fromArray(S, xp, o);
            FloatVector x1 = FloatVector.fromArray(S, xp, o + L);
            int wi = wOff + t * MR;
            FloatVector w0 = FloatVector.broadcast(S, packed[wi + 0]);
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
        a00.intoArray(tile, 0 * NB);
        a01.intoArray(tile, 0 * NB + L);
        a10.intoArray(tile, 1 * NB);
        a11.intoArray(tile, 1 * NB + L);
        a20.intoArray(tile, 2 * NB);
        a21.intoArray(tile, 2 * NB + L);
        a30.intoArray(tile, 3 * NB);
        a31.intoArray(tile, 3 * NB + L);
        a40.intoArray(tile, 4 * NB);
        a41.intoArray(tile, 4 * NB + L);
        a50.intoArray(tile, 5 * NB);
        a51.intoArray(tile, 5 * NB + L);
        a60.intoArray(tile, 6 * NB);
        a61.intoArray(tile, 6 * NB + L);
        a70.intoArray(tile, 7 * NB);
        a71.intoArray(tile, 7 * NB + L);
    }

    /** tile[r*NB + v] = sum over taps t of packed[wOff + t*MR + r] * xp[xBase + offsets[t] + v]. */
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
            FloatVector x0 = FloatVector.fromArray(S, xp, o);
            FloatVector x1 = FloatVector.fromArray(S, xp, o + 1 * L);
            FloatVector x2 = FloatVector.fromArray(S, xp, o + 2 * L);
            int wi = wOff + t * MR;
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
        a10.intoArray(tile, NB);
        a11.intoArray(tile, NB + L);
        a12.intoArray(tile, NB + 2 * L);
        a20.intoArray(tile, 2 * NB);
        a21.intoArray(tile, 2 * NB + L);
        a22.intoArray(tile, 2 * NB + 2 * L);
        a30.intoArray(tile, 3 * NB);
        a31.intoArray(tile, 3 * NB + L);
        a32.intoArray(tile, 3 * NB + 2 * L);
        a40.intoArray(tile, 4 * NB);
        a41.intoArray(tile, 4 * NB + L);
        a42.intoArray(tile, 4 * NB + 2 * L);
        a50.intoArray(tile, 5 * NB);
        a51.intoArray(tile, 5 * NB + L);
        a52.intoArray(tile, 5 * NB + 2 * L);
        a60.intoArray(tile, 6 * NB);
        a61.intoArray(tile, 6 * NB + L);
        a62.intoArray(tile, 6 * NB + 2 * L);
        a70.intoArray(tile, 7 * NB);
        a71.intoArray(tile, 7 * NB + L);
        a72.intoArray(tile, 7 * NB + 2 * L);
    }
}
