package dev.torchlet.kernels;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * im2col + GEMM with several images side by side in one GEMM, for small output maps. One image of the DCGAN's
 * 64 -> 128 5x5 stride-2 convolution has a 7 x 7 output: its GEMM is 49 columns wide (one 32-column tile and a
 * masked remainder), and the weight gradient then adds a 128 x 1600 product of depth 49 into its accumulator
 * once per image. A chunk of nb images lowers them into one matrix col (K, nb*P), image j in columns
 * [j*P, (j+1)*P), so each GEMM is about {@link #TARGET_COLUMNS} wide and the weight gradient's depth is nb*P:
 *
 * <pre>
 * forward:      prod (coutG, nb*P) = W_g (coutG, K) @ col (K, nb*P);   out[b0 + j]_g = prod[:, jP..] + bias
 * input grad:   col (K, nb*P) = W_g^T (K, coutG) @ grads (coutG, nb*P);  gradIn[b0 + j]_g = col2im(col[:, jP..])
 * weight grad:  gradW_g (coutG, K) += grads (coutG, nb*P) @ col^T (nb*P, K)
 * </pre>
 *
 * where grads gathers the chunk's output gradients side by side. Chunks run in parallel, at least one per thread.
 */
final class ConvGemmBatch {
    private static final VectorSpecies<Float> S = Simd.FLOAT;

    /**
     * GEMM width a chunk aims for in the forward and input-gradient passes: 8 tiles of 32 columns (16 float lanes
     * x 2). The DCGAN's 64 -> 128 conv, 5 images of 49 pixels against 2 (tools/bench/ConvAB.java): forward 1.10x,
     * input gradient 1.34x, weight gradient 0.94x (its lowered chunk and the 800 KB accumulator then crowd L2).
     */
    static final int TARGET_COLUMNS = 256;

    /** The weight-gradient pass's target width (the GEMM's depth there). */
    static final int WEIGHT_TARGET_COLUMNS = 128;

    private ConvGemmBatch() {}

    /** Images per GEMM in g's forward and input-gradient passes, see {@link #imagesPerGemm(ConvGeometry, int)}. */
    static int imagesPerGemm(ConvGeometry g) {
        return imagesPerGemm(g, TARGET_COLUMNS);
    }

    /**
     * Images per GEMM for g: more than one when an image's output map is at most half of the target width and the
     * batch still gives every thread a chunk; 1 otherwise, and for pointwise convolutions, whose GEMM reads the
     * image in place.
     */
    static int imagesPerGemm(ConvGeometry g, int targetColumns) {
        int threads = Parallel.numThreads();
        int p = g.outPixels();
        if (g.isPointwise() || p * 2 > targetColumns || g.n() < 2 * threads) {
            return 1;
        }
        return Math.min(targetColumns / p, g.n() / threads);
    }

    /** out = clamp(conv(in, w) + bias + residual, lo, hi); bias and residual may be null. in starts at inOff. */
    static void forward(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] w,
            float[] bias,
            float[] residual,
            float[] out,
            float lo,
            float hi) {
        int nb = imagesPerGemm(g);
        int k = g.colRows();
        int p = g.outPixels();
        int coutG = g.coutG();
        Parallel.forRange(chunks(g, nb), 1, (s, e) -> {
            float[] col = new float[k * nb * p];
            float[] prod = new float[coutG * nb * p];
            for (int c = s; c < e; c++) {
                Chunk chunk = Chunk.of(g, nb, c);
                int ld = chunk.width(p);
                for (int grp = 0; grp < g.groups(); grp++) {
                    lower(g, in, inOff, chunk, grp, col);
                    GemmKernels.sgemm(
                            false, false, coutG, ld, k, 1f, w, grp * coutG * k, k, col, 0, ld, 0f, prod, 0, ld);
                    for (int j = 0; j < chunk.count(); j++) {
                        for (int co = 0; co < coutG; co++) {
                            int o = ((chunk.first() + j) * g.cout() + grp * coutG + co) * p;
                            float b = bias == null ? 0f : bias[grp * coutG + co];
                            store(prod, co * ld + j * p, out, o, p, b, residual, lo, hi);
                        }
                    }
                }
            }
        });
    }

    /** gradIn (n, cin, h, w) = conv input gradient of gradOut; overwritten. */
    static void backwardInput(ConvGeometry g, float[] gradOut, float[] w, float[] gradIn) {
        int nb = imagesPerGemm(g);
        int k = g.colRows();
        int p = g.outPixels();
        int coutG = g.coutG();
        int imageSize = g.cin() * g.inPixels();
        Parallel.forRange(chunks(g, nb), 1, (s, e) -> {
            float[] col = new float[k * nb * p];
            float[] grads = new float[coutG * nb * p];
            for (int c = s; c < e; c++) {
                Chunk chunk = Chunk.of(g, nb, c);
                int ld = chunk.width(p);
                Arrays.fill(gradIn, chunk.first() * imageSize, (chunk.first() + chunk.count()) * imageSize, 0f);
                for (int grp = 0; grp < g.groups(); grp++) {
                    gatherGrads(g, gradOut, chunk, grp, grads);
                    GemmKernels.sgemm(
                            true, false, k, ld, coutG, 1f, w, grp * coutG * k, k, grads, 0, ld, 0f, col, 0, ld);
                    for (int j = 0; j < chunk.count(); j++) {
                        int image = (chunk.first() + j) * imageSize;
                        ConvIm2col.col2im(g, col, j * p, ld, gradIn, image, grp * g.cinG());
                    }
                }
            }
        });
    }

    /** gradW (cout, cin/groups, kh, kw) = weight gradient; overwritten. in starts at inOff. */
    static void backwardWeight(ConvGeometry g, float[] gradOut, float[] in, int inOff, float[] gradW) {
        int nb = imagesPerGemm(g, WEIGHT_TARGET_COLUMNS);
        int k = g.colRows();
        int p = g.outPixels();
        int coutG = g.coutG();
        int size = g.weightSize();
        // one accumulator per task, keyed by its first chunk and summed in chunk order, so that the result does
        // not depend on which thread finished first
        Map<Integer, float[]> partials = new ConcurrentSkipListMap<>();
        Parallel.forRange(chunks(g, nb), 1, (s, e) -> {
            float[] acc = new float[size];
            partials.put(s, acc);
            float[] col = new float[k * nb * p];
            float[] grads = new float[coutG * nb * p];
            for (int c = s; c < e; c++) {
                Chunk chunk = Chunk.of(g, nb, c);
                int ld = chunk.width(p);
                for (int grp = 0; grp < g.groups(); grp++) {
                    lower(g, in, inOff, chunk, grp, col);
                    gatherGrads(g, gradOut, chunk, grp, grads);
                    GemmKernels.sgemm(
                            false, true, coutG, k, ld, 1f, grads, 0, ld, col, 0, ld, 1f, acc, grp * coutG * k, k);
                }
            }
        });
        Arrays.fill(gradW, 0, size, 0f);
        for (float[] acc : partials.values()) {
            for (int i = 0; i < size; i++) {
                gradW[i] += acc[i];
            }
        }
    }

    private static int chunks(ConvGeometry g, int nb) {
        return (g.n() + nb - 1) / nb;
    }

    /** Images [first, first + count) of a batch, lowered side by side. */
    private record Chunk(int first, int count) {
        /** Chunk c of nb images (the last may have fewer). */
        static Chunk of(ConvGeometry g, int nb, int c) {
            return new Chunk(c * nb, Math.min(nb, g.n() - c * nb));
        }

        /** The GEMM width for maps of p pixels. */
        int width(int p) {
            return count * p;
        }
    }

    /** col (K, count*P) = im2col of group grp of the chunk's images, side by side. */
    private static void lower(ConvGeometry g, float[] in, int inOff, Chunk chunk, int grp, float[] col) {
        int p = g.outPixels();
        for (int j = 0; j < chunk.count(); j++) {
            int image = inOff + (chunk.first() + j) * g.cin() * g.inPixels();
            ConvIm2col.im2col(g, in, image, grp * g.cinG(), col, j * p, chunk.width(p));
        }
    }

    /** grads (coutG, count*P) = group grp's output gradients of the chunk's images, side by side. */
    private static void gatherGrads(ConvGeometry g, float[] gradOut, Chunk chunk, int grp, float[] grads) {
        int p = g.outPixels();
        int ld = chunk.width(p);
        for (int j = 0; j < chunk.count(); j++) {
            for (int co = 0; co < g.coutG(); co++) {
                int src = ((chunk.first() + j) * g.cout() + grp * g.coutG() + co) * p;
                System.arraycopy(gradOut, src, grads, co * ld + j * p, p);
            }
        }
    }

    /** out[o, o + p) = clamp(prod[src, src + p) + bias + residual[o, o + p), lo, hi); residual may be null. */
    private static void store(
            float[] prod, int src, float[] out, int o, int p, float bias, float[] residual, float lo, float hi) {
        int q = 0;
        for (int end = S.loopBound(p); q < end; q += S.length()) {
            FloatVector v = FloatVector.fromArray(S, prod, src + q).add(bias);
            if (residual != null) {
                v = v.add(FloatVector.fromArray(S, residual, o + q));
            }
            v.max(lo).min(hi).intoArray(out, o + q);
        }
        for (; q < p; q++) {
            float v = prod[src + q] + bias + (residual == null ? 0f : residual[o + q]);
            out[o + q] = Math.min(Math.max(v, lo), hi);
        }
    }
}
