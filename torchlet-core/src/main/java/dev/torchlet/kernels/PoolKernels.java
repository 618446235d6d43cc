package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast 2-D pooling kernels over contiguous float32 planes {@code (planes, inH, inW)}, planes =
 * N*C. Work is split over planes on the shared pool once a call has enough work (about
 * {@link #GRAIN} element visits); small calls run on the calling thread. Window bounds are
 * clipped once per output row/column, so the inner loops have no bounds tests. Max pooling with
 * column stride 1 or 2 computes L output columns at once with the Vector API (branch-free
 * compare-and-blend, which also avoids the mispredicted branches of a scalar max). Semantics match
 * PyTorch's CPU kernels, including NaN propagation in max pooling and the flat {@code h*W + w}
 * indices per plane. {@link PoolReference} is the plain-loop twin used as the test oracle.
 */
public final class PoolKernels {
    private static final VectorSpecies<Float> F = Simd.FLOAT;

    @SuppressWarnings("unchecked")
    private static final VectorSpecies<Integer> I = (VectorSpecies<Integer>) F.withLanes(int.class);

    private static final int L = F.length();
    /** Float lane indices 0, 2, 4, ...: selectFrom(a, b) keeps the even lanes of the 2L values a ++ b. */
    private static final FloatVector EVEN = FloatVector.fromArray(F, evenIndices(), 0);
    /** LANE_STRIDES[s][j] = j * s. */
    private static final int[][] LANE_STRIDES = {new int[L], laneStrides(1), laneStrides(2)};
    /** Element visits below which a call stays on the calling thread. */
    static final int GRAIN = 1 << 15;

    private PoolKernels() {}

    /**
     * The geometry of one windowed pooling: input and output plane sizes, kernel, stride,
     * padding and dilation (1 for average pooling).
     */
    public record Geometry(
            int inH, int inW, int outH, int outW, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW) {
        public int inPlane() {
            return inH * inW;
        }

        public int outPlane() {
            return outH * outW;
        }

        /** Element visits per plane, for the parallel grain. */
        int work() {
            return inPlane() + outPlane() * kH * kW;
        }
    }

    private static float[] evenIndices() {
        float[] e = new float[L];
        for (int j = 0; j < L; j++) {
            e[j] = 2 * j;
        }
        return e;
    }

    private static int[] laneStrides(int s) {
        int[] a = new int[L];
        for (int j = 0; j < L; j++) {
            a[j] = j * s;
        }
        return a;
    }

    static int grain(int workPerItem) {
        return Math.max(1, GRAIN / Math.max(1, workPerItem));
    }

    // ---------------------------------------------------------------- max pooling

    /**
     * out[p, oh, ow] = max over the (dilated, clipped) window; idx (nullable) gets the flat
     * {@code ih*inW + iw} of the first maximum, or of a NaN, which wins like in PyTorch.
     */
    public static void maxForward(float[] x, int planes, Geometry g, float[] out, long[] idx) {
        int inPlane = g.inPlane();
        int outPlane = g.outPlane();
        Parallel.forRange(planes, grain(g.work()), (p0, p1) -> {
            int[] hs = new int[g.outH()];
            int[] he = new int[g.outH()];
            int[] ws = new int[g.outW()];
            int[] we = new int[g.outW()];
            int[] scratch = new int[L];
            float[] fscratch = new float[L];
            clipWindows(g.outH(), g.inH(), g.kH(), g.sH(), g.pH(), g.dH(), hs, he);
            clipWindows(g.outW(), g.inW(), g.kW(), g.sW(), g.pW(), g.dW(), ws, we);
            for (int p = p0; p < p1; p++) {
                maxPlane(x, p * inPlane, g, hs, he, ws, we, out, idx, p * outPlane, scratch, fscratch);
            }
        });
    }

    /**
     * Max pooling of a channels-last batch: out (n, outH, outW, c) from x (n, inH, inW, c) at xOff, each output
     * pixel's c channels the lanewise max of its window's pixels (a NaN in the window gives NaN, as in PyTorch).
     * No indices: for inference.
     */
    public static void maxForwardChannelsLast(float[] x, int xOff, int n, int c, Geometry g, float[] out) {
        Windows windows = Windows.of(g);
        int rows = n * g.outH();
        int rowWork = g.outW() * c * g.kH() * g.kW();
        Parallel.forRange(rows, Math.max(1, (1 << 15) / Math.max(1, rowWork)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / g.outH();
                int oy = r % g.outH();
                int image = xOff + b * g.inH() * g.inW() * c;
                maxRowsChannelsLast(x, image, 0, c, g, windows, oy, oy + 1, out, b * g.outH() * g.outW() * c);
            }
        });
    }

    /** Every output position's clipped window of g, as {@link #clipWindows} gives them: rows, then columns. */
    public record Windows(int[] rowStart, int[] rowEnd, int[] colStart, int[] colEnd) {
        public static Windows of(Geometry g) {
            Windows w = new Windows(new int[g.outH()], new int[g.outH()], new int[g.outW()], new int[g.outW()]);
            clipWindows(g.outH(), g.inH(), g.kH(), g.sH(), g.pH(), g.dH(), w.rowStart, w.rowEnd);
            clipWindows(g.outW(), g.inW(), g.kW(), g.sW(), g.pW(), g.dW(), w.colStart, w.colEnd);
            return w;
        }
    }

    /**
     * Output rows [oy0, oy1) of one channels-last image's max pooling, on the calling thread: out[outOff + (oy *
     * outW + ox) * c + ch] = the max over the window of input pixels (y, x) at x[xOff + ((y - firstRow) * inW + x)
     * * c + ch]; only input rows from firstRow on need be there (a strip of rows, as the fused convolution and
     * pooling has them).
     */
    public static void maxRowsChannelsLast(
            float[] x,
            int xOff,
            int firstRow,
            int c,
            Geometry g,
            Windows windows,
            int oy0,
            int oy1,
            float[] out,
            int outOff) {
        int[] hs = windows.rowStart();
        int[] he = windows.rowEnd();
        int[] ws = windows.colStart();
        int[] we = windows.colEnd();
        int rowFloats = g.inW() * c;
        for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = 0; ox < g.outW(); ox++) {
                int dst = outOff + (oy * g.outW() + ox) * c;
                int ch = 0;
                for (; ch + 4 * L <= c; ch += 4 * L) { // 4 vectors a tap: a quarter of the index arithmetic
                    FloatVector m0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
                    FloatVector m1 = m0;
                    FloatVector m2 = m0;
                    FloatVector m3 = m0;
                    for (int y = hs[oy]; y < he[oy]; y += g.dH()) {
                        int row = xOff + (y - firstRow) * rowFloats + ch;
                        for (int xx = ws[ox]; xx < we[ox]; xx += g.dW()) {
                            int src = row + xx * c;
                            m0 = m0.max(FloatVector.fromArray(F, x, src));
                            m1 = m1.max(FloatVector.fromArray(F, x, src + L));
                            m2 = m2.max(FloatVector.fromArray(F, x, src + 2 * L));
                            m3 = m3.max(FloatVector.fromArray(F, x, src + 3 * L));
                        }
                    }
                    m0.intoArray(out, dst + ch);
                    m1.intoArray(out, dst + ch + L);
                    m2.intoArray(out, dst + ch + 2 * L);
                    m3.intoArray(out, dst + ch + 3 * L);
                }
                for (; ch + L <= c; ch += L) {
                    FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
                    for (int y = hs[oy]; y < he[oy]; y += g.dH()) {
                        for (int xx = ws[ox]; xx < we[ox]; xx += g.dW()) {
                            int src = xOff + (y - firstRow) * rowFloats + xx * c + ch;
                            m = m.lanewise(VectorOperators.MAX, FloatVector.fromArray(F, x, src));
                        }
                    }
                    m.intoArray(out, dst + ch);
                }
                for (; ch < c; ch++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int y = hs[oy]; y < he[oy]; y += g.dH()) {
                        for (int xx = ws[ox]; xx < we[ox]; xx += g.dW()) {
                            m = Math.max(m, x[xOff + (y - firstRow) * rowFloats + xx * c + ch]);
                        }
                    }
                    out[dst + ch] = m;
                }
            }
        }
    }

    /** First in-bounds tap and exclusive end of each output position's window, like PyTorch. */
    private static void clipWindows(int out, int in, int k, int s, int pad, int d, int[] start, int[] end) {
        for (int o = 0; o < out; o++) {
            int st = o * s - pad;
            int en = Math.min(st + (k - 1) * d + 1, in);
            while (st < 0) {
                st += d;
            }
            start[o] = st;
            end[o] = en;
        }
    }

    private static void maxPlane(
            float[] x,
            int xb,
            Geometry g,
            int[] hs,
            int[] he,
            int[] ws,
            int[] we,
            float[] out,
            long[] idx,
            int ob,
            int[] scratch,
            float[] fscratch) {
        int inW = g.inW();
        int outW = g.outW();
        int sW = g.sW();
        // vector blocks: columns whose horizontal taps (plus one extra element for the stride-2
        // deinterleave) are all inside the row; the rest are done one cell at a time
        boolean vec = g.dW() == 1 && (sW == 1 || sW == 2) && outW >= 2;
        int kW = g.kW();
        for (int oh = 0; oh < g.outH(); oh++) {
            int h0 = hs[oh];
            int h1 = he[oh];
            int o = ob + oh * outW;
            int ow = 0;
            if (vec) {
                // full-vector loads touch [first tap of row h0, last tap of row h1 - 1 + load length)
                int loadStart = xb + h0 * inW;
                int loadEnd = xb + (h1 - 1) * inW + kW - 1 + (sW == 2 ? 2 * L : L);
                while (ow < outW) {
                    int n = Math.min(L, outW - ow);
                    int col0 = ow * sW - g.pW();
                    if (loadStart + col0 < 0 || loadEnd + col0 > x.length) {
                        break; // the very start or end of the array: scalar cells instead
                    }
                    boolean edge = col0 < 0 || col0 + (n - 1) * sW + kW > inW;
                    maxBlock(x, xb, inW, h0, h1, g.dH(), col0, kW, sW, n, edge, out, idx, o + ow, scratch, fscratch);
                    ow += n;
                }
            }
            for (; ow < outW; ow++) {
                maxCell(x, xb, inW, h0, h1, g.dH(), ws[ow], we[ow], g.dW(), out, idx, o + ow);
            }
        }
    }

    private static void maxCell(
            float[] x,
            int xb,
            int inW,
            int h0,
            int h1,
            int dH,
            int w0,
            int w1,
            int dW,
            float[] out,
            long[] idx,
            int o) {
        float best = Float.NEGATIVE_INFINITY;
        int bi = h0 * inW + w0;
        for (int ih = h0; ih < h1; ih += dH) {
            int row = ih * inW;
            for (int iw = w0; iw < w1; iw += dW) {
                float v = x[xb + row + iw];
                if (v > best || v != v) {
                    best = v;
                    bi = row + iw;
                }
            }
        }
        out[o] = best;
        if (idx != null) {
            idx[o] = bi;
        }
    }

    /**
     * n &lt;= L adjacent output columns at once: lane j covers input columns col0 + j*sW + kw. Stride
     * 2 loads 2L contiguous values and keeps the even lanes. Loads are always full vectors (masked
     * loads measured 5x slower here); lanes past n read values beyond the window, which only feed
     * lanes that are never stored. The caller guarantees those reads stay inside the array. At the
     * left/right edges (edge = true) taps outside [0, inW) are masked out per lane, and each lane's
     * index starts at its first in-row column, like {@link #maxCell}. Same tap order and update rule
     * (greater, or NaN) as {@link #maxCell}, so values and indices are identical.
     *
     * <p>Vector and mask locals here are never null on purpose: a version with a nullable
     * IntVector/VectorMask local crashed C2 (SIGSEGV in compiled code) on JDK 25.0.3.
     */
    private static void maxBlock(
            float[] x,
            int xb,
            int inW,
            int h0,
            int h1,
            int dH,
            int col0,
            int kW,
            int sW,
            int n,
            boolean edge,
            float[] out,
            long[] idx,
            int o,
            int[] scratch,
            float[] fscratch) {
        FloatVector best = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        IntVector laneCols = IntVector.fromArray(I, LANE_STRIDES[sW], 0).add(col0);
        if (idx == null && !edge) {
            for (int ih = h0; ih < h1; ih += dH) {
                int base = xb + ih * inW + col0;
                for (int kw = 0; kw < kW; kw++) {
                    best = best.max(load(x, base + kw, sW)); // lanewise MAX propagates NaN
                }
            }
            storeOut(best, out, o, n, fscratch);
            return;
        }
        // lane j's first in-row column: max(col0 + j*sW, 0) (padding never exceeds half the kernel)
        IntVector bi = laneCols.max(0).add(h0 * inW);
        for (int ih = h0; ih < h1; ih += dH) {
            int rowStart = ih * inW;
            int base = xb + rowStart + col0;
            for (int kw = 0; kw < kW; kw++) {
                FloatVector v = load(x, base + kw, sW);
                VectorMask<Float> take = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
                if (edge) {
                    IntVector cols = laneCols.add(kw);
                    take = take.and(cols.compare(VectorOperators.GE, 0)
                            .and(cols.compare(VectorOperators.LT, inW))
                            .cast(F));
                }
                best = best.blend(v, take);
                bi = bi.blend(laneCols.add(rowStart + kw), take.cast(I));
            }
        }
        storeOut(best, out, o, n, fscratch);
        if (idx != null) {
            bi.intoArray(scratch, 0);
            for (int j = 0; j < n; j++) {
                idx[o + j] = scratch[j];
            }
        }
    }

    private static void storeOut(FloatVector v, float[] out, int o, int n, float[] fscratch) {
        if (n == L) {
            v.intoArray(out, o);
        } else {
            v.intoArray(fscratch, 0);
            System.arraycopy(fscratch, 0, out, o, n);
        }
    }

    private static FloatVector load(float[] x, int p, int sW) {
        FloatVector a = FloatVector.fromArray(F, x, p);
        return sW == 1 ? a : EVEN.selectFrom(a, FloatVector.fromArray(F, x, p + L));
    }

    /** gx[p, idx[p, o]] += gOut[p, o]; gx must start zeroed. Planes are independent, so no races. */
    public static void maxBackward(float[] gOut, long[] idx, int planes, int inPlane, int outPlane, float[] gx) {
        Parallel.forRange(planes, grain(inPlane + outPlane), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ib = p * inPlane;
                int ob = p * outPlane;
                for (int o = 0; o < outPlane; o++) {
                    gx[ib + (int) idx[ob + o]] += gOut[ob + o];
                }
            }
        });
    }

    // ---------------------------------------------------------------- average pooling

    /**
     * out = window sum / divisor, where the divisor is the window clipped to the padded input
     * (countIncludePad) or to the input itself, exactly like PyTorch's avg_pool2d.
     */
    public static void avgForward(float[] x, int planes, Geometry g, boolean countIncludePad, float[] out) {
        int inPlane = g.inPlane();
        int outPlane = g.outPlane();
        int inW = g.inW();
        Parallel.forRange(planes, grain(g.work()), (p0, p1) -> {
            AvgWindows win = new AvgWindows(g, countIncludePad);
            for (int p = p0; p < p1; p++) {
                int xb = p * inPlane;
                int o = p * outPlane;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++, o++) {
                        float sum = 0f;
                        for (int ih = win.h0[oh]; ih < win.h1[oh]; ih++) {
                            int row = xb + ih * inW;
                            for (int iw = win.w0[ow]; iw < win.w1[ow]; iw++) {
                                sum += x[row + iw];
                            }
                        }
                        int div = win.divisor(oh, ow);
                        out[o] = div == 0 ? 0f : sum / div;
                    }
                }
            }
        });
    }

    /** gx[window] += gOut / divisor; gx must start zeroed. */
    public static void avgBackward(float[] gOut, int planes, Geometry g, boolean countIncludePad, float[] gx) {
        int inPlane = g.inPlane();
        int outPlane = g.outPlane();
        int inW = g.inW();
        Parallel.forRange(planes, grain(g.work()), (p0, p1) -> {
            AvgWindows win = new AvgWindows(g, countIncludePad);
            for (int p = p0; p < p1; p++) {
                int xb = p * inPlane;
                int o = p * outPlane;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++, o++) {
                        int div = win.divisor(oh, ow);
                        if (div == 0) {
                            continue;
                        }
                        float v = gOut[o] / div;
                        for (int ih = win.h0[oh]; ih < win.h1[oh]; ih++) {
                            int row = xb + ih * inW;
                            for (int iw = win.w0[ow]; iw < win.w1[ow]; iw++) {
                                gx[row + iw] += v;
                            }
                        }
                    }
                }
            }
        });
    }

    /** Clipped windows and padded sizes of average pooling, per output row and column. */
    private static final class AvgWindows {
        final int[] h0;
        final int[] h1;
        final int[] w0;
        final int[] w1;
        final int[] padH;
        final int[] padW;
        final boolean countIncludePad;

        AvgWindows(Geometry g, boolean countIncludePad) {
            this.countIncludePad = countIncludePad;
            h0 = new int[g.outH()];
            h1 = new int[g.outH()];
            padH = new int[g.outH()];
            w0 = new int[g.outW()];
            w1 = new int[g.outW()];
            padW = new int[g.outW()];
            fill(g.outH(), g.inH(), g.kH(), g.sH(), g.pH(), h0, h1, padH);
            fill(g.outW(), g.inW(), g.kW(), g.sW(), g.pW(), w0, w1, padW);
        }

        private static void fill(int out, int in, int k, int s, int pad, int[] start, int[] end, int[] padded) {
            for (int o = 0; o < out; o++) {
                int st = o * s - pad;
                int en = Math.min(st + k, in + pad);
                padded[o] = en - st;
                start[o] = Math.max(st, 0);
                end[o] = Math.min(en, in);
            }
        }

        /** 0 for a window entirely in the padding (PyTorch writes 0 there). */
        int divisor(int oh, int ow) {
            int hh = h1[oh] - h0[oh];
            int ww = w1[ow] - w0[ow];
            if (hh <= 0 || ww <= 0) {
                return 0;
            }
            return countIncludePad ? padH[oh] * padW[ow] : hh * ww;
        }
    }

    // ---------------------------------------------------------------- adaptive pooling

    /** Bin start: floor(i * in / out). */
    public static int binStart(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    /** Bin end (exclusive): ceil((i + 1) * in / out). */
    public static int binEnd(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }

    /** out[p, oh, ow] = mean of bin (oh, ow); a 1x1 output is a vectorized plane mean. */
    public static void adaptiveAvgForward(float[] x, int planes, int inH, int inW, int outH, int outW, float[] out) {
        int inPlane = inH * inW;
        int outPlane = outH * outW;
        Parallel.forRange(planes, grain(2 * inPlane), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xb = p * inPlane;
                if (outPlane == 1) {
                    out[p] = (float) (NormKernels.sum(x, xb, inPlane) / inPlane);
                    continue;
                }
                int o = p * outPlane;
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = binStart(oh, inH, outH);
                    int h1 = binEnd(oh, inH, outH);
                    for (int ow = 0; ow < outW; ow++, o++) {
                        int w0 = binStart(ow, inW, outW);
                        int w1 = binEnd(ow, inW, outW);
                        float sum = 0f;
                        for (int ih = h0; ih < h1; ih++) {
                            int row = xb + ih * inW;
                            for (int iw = w0; iw < w1; iw++) {
                                sum += x[row + iw];
                            }
                        }
                        out[o] = sum / ((h1 - h0) * (w1 - w0));
                    }
                }
            }
        });
    }

    /**
     * Global average pooling of a channels-last batch: out[b * c + ch] = mean over the pixels of x (n, pixels, c)
     * at off, the channels across the vector lanes (summed pixel by pixel, then divided by the count). The
     * NCHW-to-NCHW copy it replaces cost MobileNetV2 and ResNet about 0.2 ms per image at 7 x 7 x 1280.
     */
    public static void globalAvgChannelsLast(float[] x, int off, int n, int pixels, int c, float[] out) {
        Parallel.forRange(n, grain(2 * pixels * c), (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int base = off + b * pixels * c;
                int ch = 0;
                for (int upper = F.loopBound(c); ch < upper; ch += L) {
                    FloatVector sum = FloatVector.zero(F);
                    for (int p = 0, i = base + ch; p < pixels; p++, i += c) {
                        sum = sum.add(FloatVector.fromArray(F, x, i));
                    }
                    sum.div(pixels).intoArray(out, b * c + ch);
                }
                for (; ch < c; ch++) {
                    float sum = 0f;
                    for (int p = 0, i = base + ch; p < pixels; p++, i += c) {
                        sum += x[i];
                    }
                    out[b * c + ch] = sum / pixels;
                }
            }
        });
    }

    /** gx[bin] += gOut / bin size; gx must start zeroed. */
    public static void adaptiveAvgBackward(float[] gOut, int planes, int inH, int inW, int outH, int outW, float[] gx) {
        int inPlane = inH * inW;
        int outPlane = outH * outW;
        Parallel.forRange(planes, grain(2 * inPlane), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xb = p * inPlane;
                if (outPlane == 1) {
                    java.util.Arrays.fill(gx, xb, xb + inPlane, gOut[p] / inPlane);
                    continue;
                }
                int o = p * outPlane;
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = binStart(oh, inH, outH);
                    int h1 = binEnd(oh, inH, outH);
                    for (int ow = 0; ow < outW; ow++, o++) {
                        int w0 = binStart(ow, inW, outW);
                        int w1 = binEnd(ow, inW, outW);
                        float v = gOut[o] / ((h1 - h0) * (w1 - w0));
                        for (int ih = h0; ih < h1; ih++) {
                            int row = xb + ih * inW;
                            for (int iw = w0; iw < w1; iw++) {
                                gx[row + iw] += v;
                            }
                        }
                    }
                }
            }
        });
    }

    /** out = max of each bin, idx (nullable) its flat ih*inW + iw; NaN wins. Backward is {@link #maxBackward}. */
    public static void adaptiveMaxForward(
            float[] x, int planes, int inH, int inW, int outH, int outW, float[] out, long[] idx) {
        int inPlane = inH * inW;
        int outPlane = outH * outW;
        Parallel.forRange(planes, grain(2 * inPlane), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xb = p * inPlane;
                int o = p * outPlane;
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = binStart(oh, inH, outH);
                    int h1 = binEnd(oh, inH, outH);
                    for (int ow = 0; ow < outW; ow++, o++) {
                        int w0 = binStart(ow, inW, outW);
                        int w1 = binEnd(ow, inW, outW);
                        float best = Float.NEGATIVE_INFINITY;
                        int bi = h0 * inW + w0;
                        for (int ih = h0; ih < h1; ih++) {
                            int row = ih * inW;
                            for (int iw = w0; iw < w1; iw++) {
                                float v = x[xb + row + iw];
                                if (v > best || v != v) {
                                    best = v;
                                    bi = row + iw;
                                }
                            }
                        }
                        out[o] = best;
                        if (idx != null) {
                            idx[o] = bi;
                        }
                    }
                }
            }
        });
    }
}
