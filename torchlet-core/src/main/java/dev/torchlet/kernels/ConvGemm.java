package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 convolution as im2col + GEMM, one image per task (images in parallel when there are at
 * least as many as threads; otherwise images run in turn and the GEMM parallelizes inside). Per
 * image and group g, with col = im2col(in) of shape (K = cinG*kh*kw, P = oh*ow):
 *
 * <pre>
 * forward:        out_g (coutG, P) = W_g (coutG, K) @ col (K, P) + bias
 * input grad:     col (K, P) = W_g^T (K, coutG) @ gradOut_g (coutG, P);  gradIn_g += col2im(col)
 * weight grad:    gradW_g (coutG, K) += gradOut_g (coutG, P) @ col^T (P, K)
 * </pre>
 * A 1x1 stride-1 unpadded conv skips the lowering: the image itself is col.
 */
public final class ConvGemm {
    private static final VectorSpecies<Float> S = Simd.FLOAT;

    private ConvGemm() {}

    /** out (n, cout, oh, ow) = conv(in, w) + bias (bias may be null). in starts at inOff. */
    public static void forward(ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out) {
        forward(g, in, inOff, w, bias, out, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /** out = clamp(conv(in, w) + bias, lo, hi): bias and clamp in one pass over each image's output, in cache. */
    public static void forward(
            ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out, float lo, float hi) {
        boolean clamped = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        int k = g.colRows();
        int p = g.outPixels();
        int coutG = g.coutG();
        forEachImage(g, first -> g.isPointwise() ? null : new float[k * p], (b, col) -> {
            int imgIn = inOff + b * g.cin() * g.inPixels();
            for (int grp = 0; grp < g.groups(); grp++) {
                float[] src = col;
                int srcOff = 0;
                if (col == null) {
                    src = in;
                    srcOff = imgIn + grp * g.cinG() * g.inPixels();
                } else {
                    ConvIm2col.im2col(g, in, imgIn, grp * g.cinG(), col);
                }
                int outOff = (b * g.cout() + grp * coutG) * p;
                GemmKernels.sgemm(
                        false, false, coutG, p, k, 1f, w, grp * coutG * k, k, src, srcOff, p, 0f, out, outOff, p);
                if (bias != null || clamped) {
                    for (int co = 0; co < coutG; co++) {
                        biasClamp(out, outOff + co * p, p, bias == null ? 0f : bias[grp * coutG + co], lo, hi);
                    }
                }
            }
        });
    }

    /** out[o, o + p) = min(max(out + bias, lo), hi) (Math.max/min: NaN stays NaN). */
    private static void biasClamp(float[] out, int o, int p, float bias, float lo, float hi) {
        int q = 0;
        for (int end = S.loopBound(p); q < end; q += S.length()) {
            FloatVector.fromArray(S, out, o + q).add(bias).max(lo).min(hi).intoArray(out, o + q);
        }
        for (; q < p; q++) {
            out[o + q] = Math.min(Math.max(out[o + q] + bias, lo), hi);
        }
    }

    /** gradIn (n, cin, h, w) = conv input gradient of gradOut; overwritten. */
    public static void backwardInput(ConvGeometry g, float[] gradOut, float[] w, float[] gradIn) {
        int k = g.colRows();
        int p = g.outPixels();
        int coutG = g.coutG();
        forEachImage(g, first -> new float[k * p], (b, col) -> {
            int imgIn = b * g.cin() * g.inPixels();
            java.util.Arrays.fill(gradIn, imgIn, imgIn + g.cin() * g.inPixels(), 0f);
            for (int grp = 0; grp < g.groups(); grp++) {
                int goOff = (b * g.cout() + grp * coutG) * p;
                if (g.isPointwise()) {
                    GemmKernels.sgemm(
                            true,
                            false,
                            k,
                            p,
                            coutG,
                            1f,
                            w,
                            grp * coutG * k,
                            k,
                            gradOut,
                            goOff,
                            p,
                            0f,
                            gradIn,
                            imgIn + grp * g.cinG() * g.inPixels(),
                            p);
                } else {
                    GemmKernels.sgemm(
                            true, false, k, p, coutG, 1f, w, grp * coutG * k, k, gradOut, goOff, p, 0f, col, 0, p);
                    ConvIm2col.col2im(g, col, gradIn, imgIn, grp * g.cinG());
                }
            }
        });
    }

    /** gradW (cout, cin/groups, kh, kw) = weight gradient; overwritten. in starts at inOff. */
    public static void backwardWeight(ConvGeometry g, float[] gradOut, float[] in, int inOff, float[] gradW) {
        int k = g.colRows();
        int p = g.outPixels();
        int coutG = g.coutG();
        int size = g.weightSize();
        // each task accumulates into its own buffer, keyed by its first image; the buffers are summed in
        // image order so the result does not depend on which thread finished first
        java.util.Map<Integer, float[]> partials = new java.util.concurrent.ConcurrentSkipListMap<>();
        forEachImage(
                g,
                first -> {
                    float[] acc = new float[size];
                    partials.put(first, acc);
                    return new Object[] {g.isPointwise() ? null : new float[k * p], acc};
                },
                (b, state) -> {
                    Object[] st = (Object[]) state;
                    float[] col = (float[]) st[0];
                    float[] acc = (float[]) st[1];
                    int imgIn = inOff + b * g.cin() * g.inPixels();
                    for (int grp = 0; grp < g.groups(); grp++) {
                        float[] src = col;
                        int srcOff = 0;
                        if (col == null) {
                            src = in;
                            srcOff = imgIn + grp * g.cinG() * g.inPixels();
                        } else {
                            ConvIm2col.im2col(g, in, imgIn, grp * g.cinG(), col);
                        }
                        int goOff = (b * g.cout() + grp * coutG) * p;
                        GemmKernels.sgemm(
                                false,
                                true,
                                coutG,
                                k,
                                p,
                                1f,
                                gradOut,
                                goOff,
                                p,
                                src,
                                srcOff,
                                p,
                                1f,
                                acc,
                                grp * coutG * k,
                                k);
                    }
                });
        java.util.Arrays.fill(gradW, 0, size, 0f);
        for (float[] acc : partials.values()) {
            for (int i = 0; i < size; i++) {
                gradW[i] += acc[i];
            }
        }
    }

    interface ImageBody<S> {
        void run(int image, S scratch);
    }

    /** Runs body for every image; one scratch per task. */
    static <S> void forEachImage(ConvGeometry g, java.util.function.IntFunction<S> scratch, ImageBody<S> body) {
        if (g.n() >= Parallel.numThreads() || g.n() == 1) {
            Parallel.forRange(g.n(), 1, (s, e) -> {
                S st = scratch.apply(s);
                for (int b = s; b < e; b++) {
                    body.run(b, st);
                }
            });
        } else {
            S st = scratch.apply(0);
            for (int b = 0; b < g.n(); b++) {
                body.run(b, st);
            }
        }
    }
}
