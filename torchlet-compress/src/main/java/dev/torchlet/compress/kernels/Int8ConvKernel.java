package dev.torchlet.compress.kernels;

import dev.torchlet.kernels.Parallel;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The convolution's GEMM with pixels in the vector lanes: for one image and group, {@code acc[c][x] = sum_q
 * pairdot(pairs[q][x], w[c][q])} over output channels c and pixels x, written straight into the channel planes.
 *
 * <p>Same pair trick as {@link Int8Gemm} with the roles of the operands swapped: a vector holds the activation pairs
 * {@code a0 + a1*2^16} of 2*VL adjacent pixels (one row of the pair-major patch matrix), the weight pair {@code w1' +
 * w0'*2^16} of a channel is broadcast, and the upper half of the 32-bit product is the pair's dot product. A 4
 * channel x 2*VL pixel tile keeps 8 accumulators; the four weight pairs are adjacent ints of a
 * {@link PackedInt8Weights} panel, the pixel row is contiguous, and the results are contiguous runs of the output
 * planes: no packing of the activations and no transposed stores. Depthwise convolutions (one channel per group)
 * run the one-channel tile.
 */
final class Int8ConvKernel {
    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Pixels per tile (the weight panel width, so that 4 | NR keeps a channel block inside one panel). */
    static final int NR = Int8Gemm.NR;

    private static final int MC = 4;

    private Int8ConvKernel() {}

    /** Pixel rows of the pair matrix are padded to a multiple of NR. */
    static int paddedPixels(int p) {
        return (p + NR - 1) / NR * NR;
    }

    /**
     * acc[accOff + c*p + x] for c < w.n(), x < p, from the pairs of pixel x at pairs[((x / NR)*kp + q)*NR + x % NR]
     * (strips of NR pixels, pp = paddedPixels(p), kp = ceil(w.k()/2)) and the pixel sums asum[x] (length >= pp);
     * wide: some activation exceeds 127.
     */
    static void run(
            int[] pairs,
            int pp,
            int[] asum,
            boolean wide,
            int p,
            PackedInt8Weights w,
            int[] acc,
            int accOff,
            boolean parallel) {
        int coutG = w.n();
        int kp = PackedInt8Weights.pairs(w.k());
        int[] wp = w.panels();
        int strips = pp / NR;
        int cblocks = (coutG + MC - 1) / MC;
        Parallel.RangeBody body = (s, e) -> {
            int[] tile = new int[NR];
            for (int t = s; t < e; t++) {
                int x0 = (t / cblocks) * NR;
                int c0 = (t % cblocks) * MC;
                int chans = Math.min(MC, coutG - c0);
                int wBase = (c0 / NR) * kp * NR + c0 % NR;
                int valid = Math.min(NR, p - x0);
                if (chans == MC) {
                    tile4(pairs, pp, kp, x0, wp, wBase, wide, asum, acc, accOff + c0 * p + x0, p, valid, tile);
                } else {
                    for (int r = 0; r < chans; r++) {
                        tile1(
                                pairs,
                                pp,
                                kp,
                                x0,
                                wp,
                                wBase + r,
                                wide,
                                asum,
                                acc,
                                accOff + (c0 + r) * p + x0,
                                valid,
                                tile);
                    }
                }
            }
        };
        int tasks = strips * cblocks;
        if (parallel && Parallel.numThreads() > 1) {
            Parallel.forRange(tasks, 1, body);
        } else {
            body.run(0, tasks);
        }
    }

    private static IntVector hi(IntVector a, int w) {
        return a.mul(w).lanewise(VectorOperators.LSHR, 16);
    }

    /** (e*(w >>> 16) + o*(w & 0xFFFF)): the exact product for any uint8 pair, e/o = the pair's halves. */
    private static IntVector exact(IntVector e, IntVector o, int w) {
        return e.mul(w >>> 16).add(o.mul(w & 0xFFFF));
    }

    /** 4 channels x NR pixels; out = the first channel's run, the others p apart. */
    private static void tile4(
            int[] pairs,
            int pp,
            int kp,
            int x0,
            int[] wp,
            int wBase,
            boolean wide,
            int[] asum,
            int[] acc,
            int out,
            int p,
            int valid,
            int[] tile) {
        IntVector c00 = IntVector.zero(S);
        IntVector c01 = c00;
        IntVector c10 = c00;
        IntVector c11 = c00;
        IntVector c20 = c00;
        IntVector c21 = c00;
        IntVector c30 = c00;
        IntVector c31 = c00;
        if (!wide) {
            for (int q = 0; q < kp; q++) {
                int ao = (x0 * kp) + q * NR;
                IntVector a0 = IntVector.fromArray(S, pairs, ao);
                IntVector a1 = IntVector.fromArray(S, pairs, ao + VL);
                int wo = wBase + q * NR;
                int w0 = wp[wo];
                int w1 = wp[wo + 1];
                int w2 = wp[wo + 2];
                int w3 = wp[wo + 3];
                c00 = c00.add(hi(a0, w0));
                c01 = c01.add(hi(a1, w0));
                c10 = c10.add(hi(a0, w1));
                c11 = c11.add(hi(a1, w1));
                c20 = c20.add(hi(a0, w2));
                c21 = c21.add(hi(a1, w2));
                c30 = c30.add(hi(a0, w3));
                c31 = c31.add(hi(a1, w3));
            }
        } else {
            for (int q = 0; q < kp; q++) {
                int ao = (x0 * kp) + q * NR;
                IntVector a0 = IntVector.fromArray(S, pairs, ao);
                IntVector a1 = IntVector.fromArray(S, pairs, ao + VL);
                IntVector e0 = a0.and(0xFFFF);
                IntVector o0 = a0.lanewise(VectorOperators.LSHR, 16);
                IntVector e1 = a1.and(0xFFFF);
                IntVector o1 = a1.lanewise(VectorOperators.LSHR, 16);
                int wo = wBase + q * NR;
                int w0 = wp[wo];
                int w1 = wp[wo + 1];
                int w2 = wp[wo + 2];
                int w3 = wp[wo + 3];
                c00 = c00.add(exact(e0, o0, w0));
                c01 = c01.add(exact(e1, o1, w0));
                c10 = c10.add(exact(e0, o0, w1));
                c11 = c11.add(exact(e1, o1, w1));
                c20 = c20.add(exact(e0, o0, w2));
                c21 = c21.add(exact(e1, o1, w2));
                c30 = c30.add(exact(e0, o0, w3));
                c31 = c31.add(exact(e1, o1, w3));
            }
        }
        // minus the w' bias: 128 * (sum of the pixel's activations)
        IntVector k0 = IntVector.fromArray(S, asum, x0).lanewise(VectorOperators.LSHL, 7);
        IntVector k1 = IntVector.fromArray(S, asum, x0 + VL).lanewise(VectorOperators.LSHL, 7);
        c00 = c00.sub(k0);
        c01 = c01.sub(k1);
        c10 = c10.sub(k0);
        c11 = c11.sub(k1);
        c20 = c20.sub(k0);
        c21 = c21.sub(k1);
        c30 = c30.sub(k0);
        c31 = c31.sub(k1);
        if (valid == NR) {
            c00.intoArray(acc, out);
            c01.intoArray(acc, out + VL);
            c10.intoArray(acc, out + p);
            c11.intoArray(acc, out + p + VL);
            c20.intoArray(acc, out + 2 * p);
            c21.intoArray(acc, out + 2 * p + VL);
            c30.intoArray(acc, out + 3 * p);
            c31.intoArray(acc, out + 3 * p + VL);
            return;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, VL);
        System.arraycopy(tile, 0, acc, out, valid);
        c10.intoArray(tile, 0);
        c11.intoArray(tile, VL);
        System.arraycopy(tile, 0, acc, out + p, valid);
        c20.intoArray(tile, 0);
        c21.intoArray(tile, VL);
        System.arraycopy(tile, 0, acc, out + 2 * p, valid);
        c30.intoArray(tile, 0);
        c31.intoArray(tile, VL);
        System.arraycopy(tile, 0, acc, out + 3 * p, valid);
    }

    /** 1 channel x NR pixels (the channels left over by the 4-channel blocks; depthwise convolutions). */
    private static void tile1(
            int[] pairs,
            int pp,
            int kp,
            int x0,
            int[] wp,
            int wBase,
            boolean wide,
            int[] asum,
            int[] acc,
            int out,
            int valid,
            int[] tile) {
        IntVector c0 = IntVector.zero(S);
        IntVector c1 = c0;
        for (int q = 0; q < kp; q++) {
            int ao = (x0 * kp) + q * NR;
            IntVector a0 = IntVector.fromArray(S, pairs, ao);
            IntVector a1 = IntVector.fromArray(S, pairs, ao + VL);
            int w0 = wp[wBase + q * NR];
            if (wide) {
                c0 = c0.add(exact(a0.and(0xFFFF), a0.lanewise(VectorOperators.LSHR, 16), w0));
                c1 = c1.add(exact(a1.and(0xFFFF), a1.lanewise(VectorOperators.LSHR, 16), w0));
            } else {
                c0 = c0.add(hi(a0, w0));
                c1 = c1.add(hi(a1, w0));
            }
        }
        c0 = c0.sub(IntVector.fromArray(S, asum, x0).lanewise(VectorOperators.LSHL, 7));
        c1 = c1.sub(IntVector.fromArray(S, asum, x0 + VL).lanewise(VectorOperators.LSHL, 7));
        if (valid == NR) {
            c0.intoArray(acc, out);
            c1.intoArray(acc, out + VL);
            return;
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, VL);
        System.arraycopy(tile, 0, acc, out, valid);
    }
}
