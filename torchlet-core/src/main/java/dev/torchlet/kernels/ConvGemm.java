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
 * A 1x1 stride-1 unpadded conv skips the lowering: the image itself is col. Batches of small maps lower
 * several images into one GEMM instead ({@link ConvGemmBatch}).
 */
public final class ConvGemm {
    private static final VectorSpecies<Float> S = Simd.FLOAT;

    private ConvGemm() {}

    /** out (n, cout, oh, ow) = conv(in, w) + bias (bias may be null). in starts at inOff. */
    public static void forward(ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out) {
        forward(g, in, inOff, w, bias, out, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /**
     * out = clamp(conv(in, w) + bias, lo, hi). With a bias or a clamp and a large output, each image's GEMM runs
     * on column blocks of about {@link #EPILOGUE_BLOCK_BYTES} of output (over the threads), and the block's bias
     * and clamp follow at once, while it is still in cache: one pass over a 96 x 12544 output (MobileNetV2's
     * first expansion, 4.8 MB) after the whole GEMM read and wrote it again from memory.
     */
    public static void forward(
            ConvGeometry g, float[] in, int inOff, float[] w, float[] bias, float[] out, float lo, float hi) {
        forward(g, in, inOff, w, bias, null, out, lo, hi);
    }

    /** out = clamp(conv(in, w) + bias + residual, lo, hi); residual (n, cout, oh, ow) is added in the epilogue. */
    public static void forward(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] residual,
            float[] out,
            float lo,
            float hi) {
        if (ConvGemmBatch.imagesPerGemm(g) > 1) {
            ConvGemmBatch.forward(g, in, inOff, w, bias, residual, out, lo, hi);
            return;
        }
        boolean epilogue =
                bias != null || residual != null || lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        int k = g.colRows();
        int p = g.outPixels();
        int coutG = g.coutG();
        int block = epilogue ? roundUp(ceilDiv(p, blockCount(p, coutG)), S.length()) : p;
        int blocks = ceilDiv(p, block); // the rounding may leave fewer blocks than asked for, never an empty one
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
                int wOff = grp * coutG * k;
                int outOff = (b * g.cout() + grp * coutG) * p;
                int biasOff = grp * coutG;
                if (blocks < 2) {
                    GemmKernels.sgemm(false, false, coutG, p, k, 1f, w, wOff, k, src, srcOff, p, 0f, out, outOff, p);
                    if (epilogue) {
                        biasClamp(out, outOff, p, 0, p, coutG, bias, biasOff, residual, lo, hi);
                    }
                    continue;
                }
                float[] cols = src; // the GEMM's B, (k, p): the image itself (1x1) or its im2col
                int colsOff = srcOff;
                Parallel.forRange(blocks, 1, (s, e) -> {
                    for (int blk = s; blk < e; blk++) {
                        int x0 = blk * block;
                        int x1 = Math.min(p, x0 + block);
                        GemmKernels.sgemm(
                                false,
                                false,
                                coutG,
                                x1 - x0,
                                k,
                                1f,
                                w,
                                wOff,
                                k,
                                cols,
                                colsOff + x0,
                                p,
                                0f,
                                out,
                                outOff + x0,
                                p);
                        biasClamp(out, outOff, p, x0, x1, coutG, bias, biasOff, residual, lo, hi);
                    }
                });
            }
        });
    }

    /** Output bytes per GEMM column block when an epilogue follows (a block and its GEMM operands fit in L2). */
    private static final int EPILOGUE_BLOCK_BYTES = 256 * 1024;
    /** Narrowest column block: below it the GEMM's per-call packing and tile overheads dominate. */
    private static final int MIN_BLOCK_PIXELS = 256;

    /** Column blocks for an output of coutG x p: about EPILOGUE_BLOCK_BYTES each, a multiple of the threads. */
    private static int blockCount(int p, int coutG) {
        int widest = Math.max(MIN_BLOCK_PIXELS, EPILOGUE_BLOCK_BYTES / Float.BYTES / coutG);
        int blocks = (p + widest - 1) / widest;
        if (blocks < 2) {
            return 1;
        }
        int threads = Parallel.numThreads();
        return (blocks + threads - 1) / threads * threads;
    }

    private static int roundUp(int v, int m) {
        return ceilDiv(v, m) * m;
    }

    private static int ceilDiv(int v, int m) {
        return (v + m - 1) / m;
    }

    /**
     * Columns [x0, x1) of coutG output rows of length p at o: out = clamp(out + bias[biasOff + row] + residual,
     * lo, hi), the residual (or null) at out's own indices.
     */
    private static void biasClamp(
            float[] out,
            int o,
            int p,
            int x0,
            int x1,
            int coutG,
            float[] bias,
            int biasOff,
            float[] residual,
            float lo,
            float hi) {
        for (int co = 0; co < coutG; co++) {
            float b = bias == null ? 0f : bias[biasOff + co];
            int at = o + co * p + x0;
            if (residual == null) {
                biasClamp(out, at, x1 - x0, b, lo, hi);
            } else {
                biasResidualClamp(out, at, x1 - x0, b, residual, lo, hi);
            }
        }
    }

    /** out[o, o + p) = min(max(out + bias, lo), hi) (Math.max/min: NaN stays NaN). */
    static void biasClamp(float[] out, int o, int p, float bias, float lo, float hi) {
        int q = 0;
        for (int end = S.loopBound(p); q < end; q += S.length()) {
            FloatVector.fromArray(S, out, o + q).add(bias).max(lo).min(hi).intoArray(out, o + q);
        }
        for (; q < p; q++) {
            out[o + q] = Math.min(Math.max(out[o + q] + bias, lo), hi);
        }
    }

    /** out[o, o + p) = min(max(out + bias + residual, lo), hi), residual at the same indices. */
    static void biasResidualClamp(float[] out, int o, int p, float bias, float[] residual, float lo, float hi) {
        int q = 0;
        for (int end = S.loopBound(p); q < end; q += S.length()) {
            FloatVector.fromArray(S, out, o + q)
                    .add(bias)
                    .add(FloatVector.fromArray(S, residual, o + q))
                    .max(lo)
                    .min(hi)
                    .intoArray(out, o + q);
        }
        for (; q < p; q++) {
            out[o + q] = Math.min(Math.max(out[o + q] + bias + residual[o + q], lo), hi);
        }
    }

    /** gradIn (n, cin, h, w) = conv input gradient of gradOut; overwritten. */
    public static void backwardInput(ConvGeometry g, float[] gradOut, float[] w, float[] gradIn) {
        if (ConvGemmBatch.imagesPerGemm(g) > 1) {
            ConvGemmBatch.backwardInput(g, gradOut, w, gradIn);
            return;
        }
        int k = g.colRows();
        int p = g.outPixels();
        int coutG = g.coutG();
        forEachImage(g, first -> g.isPointwise() ? null : new float[k * p], (b, col) -> {
            int imgIn = b * g.cin() * g.inPixels();
            if (!g.isPointwise()) { // col2im adds into it; a pointwise product writes every element itself
                java.util.Arrays.fill(gradIn, imgIn, imgIn + g.cin() * g.inPixels(), 0f);
            }
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
        if (ConvGemmBatch.imagesPerGemm(g, ConvGemmBatch.WEIGHT_TARGET_COLUMNS) > 1) {
            ConvGemmBatch.backwardWeight(g, gradOut, in, inOff, gradW);
            return;
        }
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
