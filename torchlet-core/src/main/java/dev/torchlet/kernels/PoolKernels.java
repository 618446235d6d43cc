package dev.torchlet.kernels;

/**
 * Fast 2-D pooling kernels over contiguous float32 planes {@code (planes, inH, inW)}, planes =
 * N*C. Work is split over planes on the shared pool once a call has enough work (about
 * {@link #GRAIN} element visits); small calls run on the calling thread. Window bounds are
 * clipped once per output row/column, so the inner loops have no bounds tests. Semantics match
 * PyTorch's CPU kernels, including NaN propagation in max pooling and the flat {@code h*W + w}
 * indices per plane. {@link PoolReference} is the plain-loop twin used as the test oracle.
 */
public final class PoolKernels {
    /** Element visits below which a call stays on the calling thread. */
    static final int GRAIN = 1 << 15;

    private PoolKernels() {}

    /**
     * The geometry of one windowed pooling: input and output plane sizes, kernel, stride,
     * padding and dilation (1 for average pooling).
     */
    public record Geometry(int inH, int inW, int outH, int outW, int kH, int kW, int sH, int sW,
                           int pH, int pW, int dH, int dW) {
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
        boolean twoByTwo = g.kH() == 2 && g.kW() == 2 && g.sH() == 2 && g.sW() == 2 && g.pH() == 0 && g.pW() == 0
                && g.dH() == 1 && g.dW() == 1 && 2 * g.outH() <= g.inH() && 2 * g.outW() <= g.inW();
        Parallel.forRange(planes, grain(g.work()), (p0, p1) -> {
            if (twoByTwo) {
                for (int p = p0; p < p1; p++) {
                    max2x2(x, p * inPlane, g.inW(), g.outH(), g.outW(), out, idx, p * outPlane);
                }
                return;
            }
            int[] hs = new int[g.outH()];
            int[] he = new int[g.outH()];
            int[] ws = new int[g.outW()];
            int[] we = new int[g.outW()];
            clipWindows(g.outH(), g.inH(), g.kH(), g.sH(), g.pH(), g.dH(), hs, he);
            clipWindows(g.outW(), g.inW(), g.kW(), g.sW(), g.pW(), g.dW(), ws, we);
            for (int p = p0; p < p1; p++) {
                maxPlane(x, p * inPlane, g, hs, he, ws, we, out, idx, p * outPlane);
            }
        });
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

    private static void maxPlane(float[] x, int xb, Geometry g, int[] hs, int[] he, int[] ws, int[] we,
                                 float[] out, long[] idx, int ob) {
        int inW = g.inW();
        int dH = g.dH();
        int dW = g.dW();
        int o = ob;
        for (int oh = 0; oh < g.outH(); oh++) {
            int h0 = hs[oh];
            int h1 = he[oh];
            for (int ow = 0; ow < g.outW(); ow++) {
                int w0 = ws[ow];
                int w1 = we[ow];
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
                o++;
            }
        }
    }

    /** The small-CNN case MaxPool2d(2): kernel 2, stride 2, no padding, unrolled. */
    private static void max2x2(float[] x, int xb, int inW, int outH, int outW, float[] out, long[] idx, int ob) {
        int o = ob;
        for (int oh = 0; oh < outH; oh++) {
            int r0 = 2 * oh * inW;
            int r1 = r0 + inW;
            for (int ow = 0; ow < outW; ow++) {
                int c = 2 * ow;
                float best = x[xb + r0 + c];
                int bi = r0 + c;
                float v = x[xb + r0 + c + 1];
                if (v > best || v != v) {
                    best = v;
                    bi = r0 + c + 1;
                }
                v = x[xb + r1 + c];
                if (v > best || v != v) {
                    best = v;
                    bi = r1 + c;
                }
                v = x[xb + r1 + c + 1];
                if (v > best || v != v) {
                    best = v;
                    bi = r1 + c + 1;
                }
                out[o] = best;
                if (idx != null) {
                    idx[o] = bi;
                }
                o++;
            }
        }
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
    public static void adaptiveMaxForward(float[] x, int planes, int inH, int inW, int outH, int outW, float[] out,
                                          long[] idx) {
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
