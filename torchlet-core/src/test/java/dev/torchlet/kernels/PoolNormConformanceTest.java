package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.ops.Losses;
import dev.torchlet.ops.Normalization;
import dev.torchlet.ops.Pooling;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fast kernels (float32, Vector API, parallel) against their plain-loop float64 reference twins on
 * awkward sizes: 1, 7, 17, 33, 257 (vector tails, 1-wide rows, sizes above the parallel grain), odd
 * channel counts, and, through the ops, non-contiguous inputs. Max-pool values and indices must
 * match exactly (same comparisons on the same values); sums are compared with atol 1e-5 and
 * rtol 1e-4, the first scaled by the magnitude of the summed terms where noted.
 */
class PoolNormConformanceTest {
    static final int[] SIZES = {1, 7, 17, 33, 257};
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-4;

    private static float[] randn(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    private static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static void close(double[] expected, float[] actual, double atol, double rtol, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + " vs " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a) : e == a || Math.abs(a - e) <= atol + rtol * Math.abs(e);
            if (!ok) {
                fail(what + ": element " + i + " is " + a + ", reference " + e);
            }
        }
    }

    private static void close(double[] expected, double[] actual, double atol, double rtol, String what) {
        float[] f = new float[actual.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) actual[i];
        }
        close(expected, f, atol, rtol, what);
    }

    /** PyTorch's pooling output size (floor or ceil mode). */
    private static int outSize(int in, int k, int pad, int stride, int dil, boolean ceil) {
        long num = (long) in + 2L * pad - (long) dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
        long out = Math.floorDiv(num, stride) + 1;
        if (ceil && (out - 1) * stride >= (long) in + pad) {
            out--;
        }
        return (int) out;
    }

    // ---------------------------------------------------------------- pooling

    @Test
    void windowedPooling() {
        Random r = new Random(1);
        // {kH, kW, sH, sW, pH, pW, dH, dW}
        int[][] configs = {
            {2, 2, 2, 2, 0, 0, 1, 1},
            {3, 3, 2, 2, 1, 1, 1, 1},
            {3, 2, 1, 2, 1, 0, 2, 1},
            {1, 1, 1, 1, 0, 0, 1, 1},
            {5, 3, 3, 1, 2, 1, 1, 3}
        };
        int cases = 0;
        for (int h : SIZES) {
            for (int w : SIZES) {
                for (int[] k : configs) {
                    for (boolean ceil : new boolean[] {false, true}) {
                        int planes = h * w > 5000 ? 7 : 3;
                        int oh = outSize(h, k[0], k[4], k[2], k[6], ceil);
                        int ow = outSize(w, k[1], k[5], k[3], k[7], ceil);
                        if (oh < 1 || ow < 1) {
                            continue;
                        }
                        cases++;
                        String what = "pool " + h + "x" + w + " " + java.util.Arrays.toString(k) + " ceil " + ceil;
                        PoolKernels.Geometry g =
                                new PoolKernels.Geometry(h, w, oh, ow, k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]);
                        float[] x = randn(r, planes * h * w);
                        for (int i = 13; i < x.length; i += 97) {
                            x[i] = Float.NaN; // NaN wins in max pooling, in both the vector and scalar paths
                        }
                        double[] xd = widen(x);
                        int outN = planes * oh * ow;
                        // max: values and indices exact, backward exact (sums of the same few floats)
                        float[] out = new float[outN];
                        long[] idx = new long[outN];
                        double[] outRef = new double[outN];
                        long[] idxRef = new long[outN];
                        PoolKernels.maxForward(x, planes, g, out, idx);
                        PoolReference.maxForward(xd, planes, g, outRef, idxRef);
                        close(outRef, out, 0, 0, what + " max values");
                        assertArrayEquals(idxRef, idx, what + " max indices");
                        float[] gOut = randn(r, outN);
                        float[] gx = new float[planes * h * w];
                        double[] gxRef = new double[planes * h * w];
                        PoolKernels.maxBackward(gOut, idx, planes, h * w, oh * ow, gx);
                        PoolReference.maxBackward(widen(gOut), idxRef, planes, h * w, oh * ow, gxRef);
                        close(gxRef, gx, ATOL, RTOL, what + " max backward");
                        // average (no dilation)
                        PoolKernels.Geometry ga = new PoolKernels.Geometry(
                                h,
                                w,
                                outSize(h, k[0], k[4], k[2], 1, ceil),
                                outSize(w, k[1], k[5], k[3], 1, ceil),
                                k[0],
                                k[1],
                                k[2],
                                k[3],
                                k[4],
                                k[5],
                                1,
                                1);
                        for (boolean incl : new boolean[] {false, true}) {
                            int an = planes * ga.outPlane();
                            float[] avg = new float[an];
                            double[] avgRef = new double[an];
                            PoolKernels.avgForward(x, planes, ga, incl, avg);
                            PoolReference.avgForward(xd, planes, ga, incl, avgRef);
                            close(avgRef, avg, ATOL, RTOL, what + " avg incl " + incl);
                            float[] ga2 = randn(r, an);
                            float[] gxa = new float[planes * h * w];
                            double[] gxaRef = new double[planes * h * w];
                            PoolKernels.avgBackward(ga2, planes, ga, incl, gxa);
                            PoolReference.avgBackward(widen(ga2), planes, ga, incl, gxaRef);
                            close(gxaRef, gxa, ATOL, RTOL, what + " avg backward incl " + incl);
                        }
                    }
                }
            }
        }
        if (cases < 100) {
            fail("too few pooling cases ran: " + cases);
        }
    }

    @Test
    void adaptivePooling() {
        Random r = new Random(2);
        int[] outs = {1, 3, 7, 33};
        for (int h : SIZES) {
            for (int w : SIZES) {
                for (int oh : outs) {
                    int ow = outs[(oh + h) % outs.length];
                    int planes = 5;
                    String what = "adaptive " + h + "x" + w + " -> " + oh + "x" + ow;
                    float[] x = randn(r, planes * h * w);
                    double[] xd = widen(x);
                    int on = planes * oh * ow;
                    float[] avg = new float[on];
                    double[] avgRef = new double[on];
                    PoolKernels.adaptiveAvgForward(x, planes, h, w, oh, ow, avg);
                    PoolReference.adaptiveAvgForward(xd, planes, h, w, oh, ow, avgRef);
                    close(avgRef, avg, ATOL, RTOL, what + " avg");
                    float[] go = randn(r, on);
                    float[] gx = new float[planes * h * w];
                    double[] gxRef = new double[planes * h * w];
                    PoolKernels.adaptiveAvgBackward(go, planes, h, w, oh, ow, gx);
                    PoolReference.adaptiveAvgBackward(widen(go), planes, h, w, oh, ow, gxRef);
                    close(gxRef, gx, ATOL, RTOL, what + " avg backward");
                    float[] mx = new float[on];
                    long[] idx = new long[on];
                    double[] mxRef = new double[on];
                    long[] idxRef = new long[on];
                    PoolKernels.adaptiveMaxForward(x, planes, h, w, oh, ow, mx, idx);
                    PoolReference.adaptiveMaxForward(xd, planes, h, w, oh, ow, mxRef, idxRef);
                    close(mxRef, mx, 0, 0, what + " max");
                    assertArrayEquals(idxRef, idx, what + " max indices");
                }
            }
        }
    }

    // ---------------------------------------------------------------- normalization

    @Test
    void batchAndGroupNorm() {
        Random r = new Random(3);
        int[] ns = {1, 2, 7};
        int[] cs = {1, 3, 17};
        for (int n : ns) {
            for (int c : cs) {
                for (int s : SIZES) {
                    if (n * s == 1) {
                        continue; // batch norm needs more than one value per channel
                    }
                    String what = "batch norm (" + n + ", " + c + ", " + s + ")";
                    int len = n * c * s;
                    float[] x = randn(r, len);
                    for (int i = 0; i < len; i++) {
                        x[i] = x[i] * 3 + 2; // a non-zero mean exercises the centered sums
                    }
                    float[] w = randn(r, c);
                    float[] b = randn(r, c);
                    double[] xd = widen(x);
                    double[] mean = new double[c];
                    double[] var = new double[c];
                    double[] meanRef = new double[c];
                    double[] varRef = new double[c];
                    NormKernels.batchStats(x, n, c, s, mean, var);
                    NormReference.batchStats(xd, n, c, s, meanRef, varRef);
                    close(meanRef, mean, ATOL, RTOL, what + " mean");
                    close(varRef, var, ATOL, RTOL, what + " var");
                    double[] invstd = new double[c];
                    for (int ch = 0; ch < c; ch++) {
                        invstd[ch] = 1 / Math.sqrt(varRef[ch] + 1e-5);
                    }
                    float[] out = new float[len];
                    double[] outRef = new double[len];
                    NormKernels.batchNormApply(x, n, c, s, meanRef, invstd, w, b, out);
                    NormReference.batchNormApply(xd, n, c, s, meanRef, invstd, widen(w), widen(b), outRef);
                    close(outRef, out, ATOL, RTOL, what + " out");
                    float[] g = randn(r, len);
                    for (boolean training : new boolean[] {true, false}) {
                        float[] gx = new float[len];
                        float[] gw = new float[c];
                        float[] gb = new float[c];
                        double[] gxRef = new double[len];
                        double[] gwRef = new double[c];
                        double[] gbRef = new double[c];
                        NormKernels.batchNormBackward(g, x, n, c, s, meanRef, invstd, w, training, gx, gw, gb);
                        NormReference.batchNormBackward(
                                widen(g), xd, n, c, s, meanRef, invstd, widen(w), training, gxRef, gwRef, gbRef);
                        close(gxRef, gx, ATOL, RTOL, what + " gx training " + training);
                        // gw, gb are sums of n*s terms of size ~1: absolute error grows like sqrt(n*s)
                        double sumTol = ATOL * Math.sqrt(n * s);
                        close(gwRef, gw, sumTol, RTOL, what + " gw");
                        close(gbRef, gb, sumTol, RTOL, what + " gb");
                    }
                }
            }
        }
        // group norm: channels divisible by the group count
        int[][] shapes = {{2, 6, 7, 3}, {1, 9, 33, 3}, {3, 17, 17, 17}, {2, 4, 257, 2}, {1, 1, 1, 1}, {7, 3, 1, 1}};
        for (int[] sh : shapes) {
            int n = sh[0];
            int c = sh[1];
            int s = sh[2];
            int groups = sh[3] == 17 ? 17 : c / (c % 3 == 0 && sh[3] == 3 ? 3 : (c % 2 == 0 ? 2 : 1));
            String what = "group norm (" + n + ", " + c + ", " + s + ") groups " + groups;
            int len = n * c * s;
            float[] x = randn(r, len);
            float[] w = randn(r, c);
            float[] b = randn(r, c);
            float[] out = new float[len];
            double[] outRef = new double[len];
            double[] mean = new double[n * groups];
            double[] rstd = new double[n * groups];
            double[] meanRef = new double[n * groups];
            double[] rstdRef = new double[n * groups];
            NormKernels.groupNormForward(x, n, c, s, groups, w, b, 1e-5, out, mean, rstd);
            NormReference.groupNormForward(
                    widen(x), n, c, s, groups, widen(w), widen(b), 1e-5, outRef, meanRef, rstdRef);
            // with a single element per group var = 0 and rstd = 1/sqrt(eps) ~ 316 amplifies rounding
            // (out = x * alpha + beta, alpha = rstd * w, as in PyTorch)
            double scale = Math.max(1, rstdRef[0] / 10);
            close(outRef, out, ATOL * scale, RTOL, what + " out");
            close(meanRef, mean, ATOL, RTOL, what + " mean");
            float[] g = randn(r, len);
            float[] gx = new float[len];
            float[] gw = new float[c];
            float[] gb = new float[c];
            double[] gxRef = new double[len];
            double[] gwRef = new double[c];
            double[] gbRef = new double[c];
            NormKernels.groupNormBackward(g, x, n, c, s, groups, meanRef, rstdRef, w, gx, gw, gb);
            NormReference.groupNormBackward(
                    widen(g), widen(x), n, c, s, groups, meanRef, rstdRef, widen(w), gxRef, gwRef, gbRef);
            close(gxRef, gx, ATOL * scale, RTOL, what + " gx");
            close(gwRef, gw, ATOL * Math.sqrt(n * s), RTOL, what + " gw");
            close(gbRef, gb, ATOL * Math.sqrt(n * s), RTOL, what + " gb");
        }
    }

    @Test
    void layerNorm() {
        Random r = new Random(4);
        for (int rows : new int[] {1, 7, 33, 257}) {
            for (int d : SIZES) {
                for (boolean affine : new boolean[] {true, false}) {
                    String what = "layer norm (" + rows + ", " + d + ") affine " + affine;
                    int len = rows * d;
                    float[] x = randn(r, len);
                    float[] w = affine ? randn(r, d) : null;
                    float[] b = affine ? randn(r, d) : null;
                    float[] out = new float[len];
                    double[] outRef = new double[len];
                    double[] mean = new double[rows];
                    double[] rstd = new double[rows];
                    double[] meanRef = new double[rows];
                    double[] rstdRef = new double[rows];
                    NormKernels.layerNormForward(x, rows, d, w, b, 1e-5, out, mean, rstd);
                    NormReference.layerNormForward(
                            widen(x),
                            rows,
                            d,
                            affine ? widen(w) : null,
                            affine ? widen(b) : null,
                            1e-5,
                            outRef,
                            meanRef,
                            rstdRef);
                    double scale = d == 1 ? 316 : 1; // one element per row: rstd = 1/sqrt(eps)
                    close(outRef, out, ATOL * scale, RTOL, what + " out");
                    float[] g = randn(r, len);
                    float[] gx = new float[len];
                    float[] gw = affine ? new float[d] : null;
                    float[] gb = affine ? new float[d] : null;
                    double[] gxRef = new double[len];
                    double[] gwRef = affine ? new double[d] : null;
                    double[] gbRef = affine ? new double[d] : null;
                    NormKernels.layerNormBackward(g, x, rows, d, meanRef, rstdRef, w, gx, gw, gb);
                    NormReference.layerNormBackward(
                            widen(g),
                            widen(x),
                            rows,
                            d,
                            meanRef,
                            rstdRef,
                            affine ? widen(w) : null,
                            gxRef,
                            gwRef,
                            gbRef);
                    close(gxRef, gx, ATOL * scale, RTOL, what + " gx");
                    if (affine) {
                        close(gwRef, gw, ATOL * Math.sqrt(rows) * scale, RTOL, what + " gw");
                        close(gbRef, gb, ATOL * Math.sqrt(rows), RTOL, what + " gb");
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- cross-entropy

    @Test
    void crossEntropy() {
        Random r = new Random(5);
        for (int m : new int[] {1, 7, 33, 257}) {
            for (int c : SIZES) {
                for (int variant = 0; variant < 4; variant++) {
                    boolean weighted = (variant & 1) != 0;
                    double smoothing = (variant & 2) != 0 ? 0.1 : 0;
                    long ignore = c > 1 ? 0 : -100;
                    String what = "cross entropy (" + m + ", " + c + ") weighted " + weighted + " eps " + smoothing;
                    float[] x = randn(r, m * c);
                    for (int i = 0; i < x.length; i++) {
                        x[i] *= 4;
                    }
                    long[] t = new long[m];
                    for (int i = 0; i < m; i++) {
                        t[i] = r.nextInt(c);
                    }
                    float[] w = weighted ? new float[c] : null;
                    if (weighted) {
                        for (int i = 0; i < c; i++) {
                            w[i] = 0.2f + r.nextFloat();
                        }
                    }
                    double[] xd = widen(x);
                    double[] lse = new double[m];
                    double[] nll = new double[m];
                    double[] smooth = smoothing > 0 ? new double[m] : null;
                    double[] lseRef = new double[m];
                    double[] nllRef = new double[m];
                    double[] smoothRef = smoothing > 0 ? new double[m] : null;
                    CrossEntropyKernels.forward(x, m, c, t, w, ignore, lse, nll, smooth);
                    CrossEntropyReference.forward(
                            xd, m, c, t, weighted ? widen(w) : null, ignore, lseRef, nllRef, smoothRef);
                    close(lseRef, lse, ATOL, RTOL, what + " lse");
                    close(nllRef, nll, ATOL, RTOL, what + " nll");
                    if (smooth != null) {
                        close(smoothRef, smooth, ATOL * c, RTOL, what + " smooth");
                    }
                    double[] a = new double[m];
                    double[] bb = smoothing > 0 ? new double[m] : null;
                    for (int i = 0; i < m; i++) {
                        a[i] = r.nextGaussian();
                        if (bb != null) {
                            bb[i] = r.nextGaussian() * 0.1;
                        }
                    }
                    float[] gx = new float[m * c];
                    double[] gxRef = new double[m * c];
                    CrossEntropyKernels.backward(x, m, c, t, w, ignore, lseRef, a, bb, gx);
                    CrossEntropyReference.backward(
                            xd, m, c, t, weighted ? widen(w) : null, ignore, lseRef, a, bb, gxRef);
                    close(gxRef, gx, ATOL, RTOL, what + " backward");
                    // probability targets
                    float[] y = new float[m * c];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = r.nextFloat();
                    }
                    double[] loss = new double[m];
                    double[] lossRef = new double[m];
                    CrossEntropyKernels.softForward(x, m, c, y, w, smoothing, lse, loss);
                    CrossEntropyReference.softForward(
                            xd, m, c, widen(y), weighted ? widen(w) : null, smoothing, lseRef, lossRef);
                    close(lossRef, loss, ATOL * c, RTOL, what + " soft loss");
                    float[] gy = new float[m * c];
                    double[] gyRef = new double[m * c];
                    CrossEntropyKernels.softBackward(x, m, c, y, w, smoothing, lseRef, a, gx, gy);
                    CrossEntropyReference.softBackward(
                            xd, m, c, widen(y), weighted ? widen(w) : null, smoothing, lseRef, a, gxRef, gyRef);
                    close(gxRef, gx, ATOL * c, RTOL, what + " soft gx");
                    close(gyRef, gy, ATOL, RTOL, what + " soft gy");
                }
            }
        }
    }

    // ---------------------------------------------------------------- through the ops, strided inputs

    /** float32 ops (fast kernels) on strided views against float64 ops (reference kernels) on the same views. */
    @Test
    void opsOnNonContiguousInputs() {
        Torch.manualSeed(9);
        Tensor base = Torch.randn(5, 4, 33, 17); // (N, W, H, C) -> permuted to (N, C, H, W)
        Tensor x = base.permute(0, 3, 2, 1);
        Tensor x64 = x.to(DType.FLOAT64);
        compare(
                Pooling.maxPool2d(x64, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, true),
                Pooling.maxPool2d(x, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, true),
                "max pool");
        compare(
                Pooling.avgPool2d(x64, new int[] {3, 2}, null, new int[] {1}, true, false),
                Pooling.avgPool2d(x, new int[] {3, 2}, null, new int[] {1}, true, false),
                "avg pool");
        compare(Pooling.adaptiveAvgPool2d(x64, 1, 1), Pooling.adaptiveAvgPool2d(x, 1, 1), "global avg pool");
        Tensor w = Torch.randn(17);
        Tensor b = Torch.randn(17);
        compare(
                Normalization.batchNorm(x64, null, null, w, b, true, 0.1, 1e-5),
                Normalization.batchNorm(x, null, null, w, b, true, 0.1, 1e-5),
                "batch norm");
        compare(
                Normalization.groupNorm(x64.narrow(1, 0, 15), 5, null, null, 1e-5),
                Normalization.groupNorm(x.narrow(1, 0, 15), 5, null, null, 1e-5),
                "group norm");
        Tensor lw = Torch.randn(33, 4);
        compare(
                Normalization.layerNorm(x64, new int[] {33, 4}, lw, null, 1e-5),
                Normalization.layerNorm(x, new int[] {33, 4}, lw, null, 1e-5),
                "layer norm");
        Tensor logits = Torch.randn(17, 40).t(); // (40, 17) transposed view
        Tensor target = Torch.randint(0, 17, 40);
        compare(
                Losses.crossEntropy(logits.to(DType.FLOAT64), target, null, 3, 0.05, "none"),
                Losses.crossEntropy(logits, target, null, 3, 0.05, "none"),
                "cross entropy");
    }

    private static void compare(Tensor reference, Tensor fast, String what) {
        assertArrayEquals(reference.shape(), fast.shape(), what + " shape");
        close(reference.toDoubleArray(), fast.toFloatArray(), ATOL, RTOL, what);
    }
}
