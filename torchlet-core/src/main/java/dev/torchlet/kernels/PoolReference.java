package dev.torchlet.kernels;

/**
 * Plain-loop reference pooling on contiguous float64 planes {@code (planes, inH, inW)}: the test
 * oracle for {@link PoolKernels} and the float64 path (used by gradient checks). Each window
 * tap is bounds-checked directly, written for readability rather than speed.
 */
public final class PoolReference {
    private PoolReference() {}

    /** Max over each dilated window; idx (nullable) gets the flat ih*inW + iw of the winner. NaN wins. */
    public static void maxForward(double[] x, int planes, PoolKernels.Geometry g, double[] out, long[] idx) {
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int bestIndex = -1;
                    int firstValid = -1;
                    for (int kh = 0; kh < g.kH(); kh++) {
                        for (int kw = 0; kw < g.kW(); kw++) {
                            int ih = oh * g.sH() - g.pH() + kh * g.dH();
                            int iw = ow * g.sW() - g.pW() + kw * g.dW();
                            if (ih < 0 || ih >= g.inH() || iw < 0 || iw >= g.inW()) {
                                continue;
                            }
                            int flat = ih * g.inW() + iw;
                            if (firstValid < 0) {
                                firstValid = flat;
                            }
                            double v = x[p * g.inPlane() + flat];
                            if (v > best || Double.isNaN(v)) {
                                best = v;
                                bestIndex = flat;
                            }
                        }
                    }
                    int o = p * g.outPlane() + oh * g.outW() + ow;
                    out[o] = best;
                    if (idx != null) {
                        idx[o] = bestIndex >= 0 ? bestIndex : firstValid;
                    }
                }
            }
        }
    }

    /** gx[p, idx] += gOut[p, o]; gx must start zeroed. */
    public static void maxBackward(double[] gOut, long[] idx, int planes, int inPlane, int outPlane, double[] gx) {
        for (int p = 0; p < planes; p++) {
            for (int o = 0; o < outPlane; o++) {
                gx[p * inPlane + (int) idx[p * outPlane + o]] += gOut[p * outPlane + o];
            }
        }
    }

    /** PyTorch's avg_pool2d divisor: the window within the padded input, or within the input. */
    private static int divisor(PoolKernels.Geometry g, int oh, int ow, boolean countIncludePad) {
        int h0 = oh * g.sH() - g.pH();
        int w0 = ow * g.sW() - g.pW();
        int h1 = Math.min(h0 + g.kH(), g.inH() + g.pH());
        int w1 = Math.min(w0 + g.kW(), g.inW() + g.pW());
        int padded = (h1 - h0) * (w1 - w0);
        int inside = (Math.min(h1, g.inH()) - Math.max(h0, 0)) * (Math.min(w1, g.inW()) - Math.max(w0, 0));
        if (Math.min(h1, g.inH()) <= Math.max(h0, 0) || Math.min(w1, g.inW()) <= Math.max(w0, 0)) {
            return 0;
        }
        return countIncludePad ? padded : inside;
    }

    public static void avgForward(
            double[] x, int planes, PoolKernels.Geometry g, boolean countIncludePad, double[] out) {
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    double sum = 0;
                    for (int kh = 0; kh < g.kH(); kh++) {
                        for (int kw = 0; kw < g.kW(); kw++) {
                            int ih = oh * g.sH() - g.pH() + kh;
                            int iw = ow * g.sW() - g.pW() + kw;
                            if (ih >= 0 && ih < g.inH() && iw >= 0 && iw < g.inW()) {
                                sum += x[p * g.inPlane() + ih * g.inW() + iw];
                            }
                        }
                    }
                    int div = divisor(g, oh, ow, countIncludePad);
                    out[p * g.outPlane() + oh * g.outW() + ow] = div == 0 ? 0 : sum / div;
                }
            }
        }
    }

    public static void avgBackward(
            double[] gOut, int planes, PoolKernels.Geometry g, boolean countIncludePad, double[] gx) {
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++) {
                    int div = divisor(g, oh, ow, countIncludePad);
                    if (div == 0) {
                        continue;
                    }
                    double v = gOut[p * g.outPlane() + oh * g.outW() + ow] / div;
                    for (int kh = 0; kh < g.kH(); kh++) {
                        for (int kw = 0; kw < g.kW(); kw++) {
                            int ih = oh * g.sH() - g.pH() + kh;
                            int iw = ow * g.sW() - g.pW() + kw;
                            if (ih >= 0 && ih < g.inH() && iw >= 0 && iw < g.inW()) {
                                gx[p * g.inPlane() + ih * g.inW() + iw] += v;
                            }
                        }
                    }
                }
            }
        }
    }

    public static void adaptiveAvgForward(double[] x, int planes, int inH, int inW, int outH, int outW, double[] out) {
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < outH; oh++) {
                int h0 = (int) Math.floor((double) oh * inH / outH);
                int h1 = (int) Math.ceil((double) (oh + 1) * inH / outH);
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = (int) Math.floor((double) ow * inW / outW);
                    int w1 = (int) Math.ceil((double) (ow + 1) * inW / outW);
                    double sum = 0;
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) {
                            sum += x[p * inH * inW + ih * inW + iw];
                        }
                    }
                    out[p * outH * outW + oh * outW + ow] = sum / ((h1 - h0) * (w1 - w0));
                }
            }
        }
    }

    public static void adaptiveAvgBackward(
            double[] gOut, int planes, int inH, int inW, int outH, int outW, double[] gx) {
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < outH; oh++) {
                int h0 = (int) Math.floor((double) oh * inH / outH);
                int h1 = (int) Math.ceil((double) (oh + 1) * inH / outH);
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = (int) Math.floor((double) ow * inW / outW);
                    int w1 = (int) Math.ceil((double) (ow + 1) * inW / outW);
                    double v = gOut[p * outH * outW + oh * outW + ow] / ((h1 - h0) * (w1 - w0));
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) {
                            gx[p * inH * inW + ih * inW + iw] += v;
                        }
                    }
                }
            }
        }
    }

    public static void adaptiveMaxForward(
            double[] x, int planes, int inH, int inW, int outH, int outW, double[] out, long[] idx) {
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < outH; oh++) {
                int h0 = (int) Math.floor((double) oh * inH / outH);
                int h1 = (int) Math.ceil((double) (oh + 1) * inH / outH);
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = (int) Math.floor((double) ow * inW / outW);
                    int w1 = (int) Math.ceil((double) (ow + 1) * inW / outW);
                    double best = Double.NEGATIVE_INFINITY;
                    int bestIndex = h0 * inW + w0;
                    for (int ih = h0; ih < h1; ih++) {
                        for (int iw = w0; iw < w1; iw++) {
                            double v = x[p * inH * inW + ih * inW + iw];
                            if (v > best || Double.isNaN(v)) {
                                best = v;
                                bestIndex = ih * inW + iw;
                            }
                        }
                    }
                    int o = p * outH * outW + oh * outW + ow;
                    out[o] = best;
                    if (idx != null) {
                        idx[o] = bestIndex;
                    }
                }
            }
        }
    }
}
