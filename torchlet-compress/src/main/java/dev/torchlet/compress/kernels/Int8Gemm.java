package dev.torchlet.compress.kernels;

import dev.torchlet.kernels.Parallel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast uint8 x int8 -> int32 GEMM: {@code acc (m, n) = a (m, k) @ W^T}, W (n, k) prepacked
 * ({@link PackedInt8Weights}); bit-exact with {@link Int8GemmReference}.
 *
 * <p><b>The pair trick.</b> C2 on AVX2 has no Vector API operation that reaches {@code vpmaddwd} (see the package
 * notes), so two multiply-adds are folded into one 32-bit lane multiply instead. With {@code X = 2^16}, the
 * activation pair as {@code A = a0 + a1*X} and the packed weight pair as {@code W = w1' + w0'*X}
 * (w' = w + 128, unsigned), {@code A*W mod 2^32 = a0*w1' + (a0*w0' + a1*w1')*X}: the pair's dot product sits in
 * the upper half exactly when {@code a0*w1' < X} and the dot product is {@code < X}, i.e. for activations in
 * 0..127. One {@code vpmulld} + {@code vpsrld} + {@code vpaddd} so do 16 multiply-adds (float32: one FMA does 8).
 * The bias of w' comes out at the end: {@code sum a*w = sum a*w' - 128 * sum a}.
 *
 * <p>Activations 0..127 are what PyTorch's fbgemm engine feeds its AVX2 kernels (observers with
 * {@code reduce_range=True}) for the same kind of reason (its {@code vpmaddubsw} saturates in int16). A block of 4
 * rows holding a value above 127 takes an exact slower path on the same packed weights (two 32-bit multiplies per
 * 8 multiply-adds): results are bit-exact for all uint8 input, only the speed depends on the range.
 *
 * <p>Blocking (Goto-style, simplified): k in slices of {@link #KC} pairs (a panel slice of W, 16 KB, stays in L1
 * while the tile walks the rows), rows in blocks of {@link #MC} (the block's packed activations stay in L2), a 4 x
 * 16 register tile (8 int accumulators: 4 rows x 2 vectors). Work over {@link #PARALLEL_MACS} is split over
 * {@link Parallel} by row blocks, and by column panels when there are few rows (LSTM / Linear at small batch).
 */
public final class Int8Gemm {
    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Columns per register tile and weight panel: two vectors. */
    static final int NR = 2 * VL;
    /** Rows per register tile. */
    static final int MR = 4;
    /** Pairs of k per slice: a W panel slice is KC * NR * 4 bytes (16 KB with AVX2). */
    static final int KC = 256;
    /** Rows per block (a multiple of MR): MC * KC * 4 bytes of packed activations (64 KB). */
    static final int MC = 64;
    /** Products with fewer multiply-adds stay on the calling thread. */
    static final long PARALLEL_MACS = 1L << 20;

    private Int8Gemm() {}

    /**
     * {@code acc[i*n + j] = sum_kk (a[aOff + i*k + kk] & 0xFF) * w[j][kk]} for the packed w (n, k); acc is (m, n)
     * row-major and only written.
     */
    public static void gemm(int m, byte[] a, int aOff, PackedInt8Weights w, int[] acc) {
        int n = w.n();
        int k = w.k();
        if (m < 0) {
            throw new IllegalArgumentException("Int8Gemm.gemm: negative m=" + m);
        }
        if (aOff < 0 || aOff + (long) m * k > a.length) {
            throw new IllegalArgumentException("Int8Gemm.gemm: activations (" + m + ", " + k + ") at offset " + aOff
                    + " do not fit in an array of " + a.length);
        }
        if ((long) m * n > acc.length) {
            throw new IllegalArgumentException(
                    "Int8Gemm.gemm: output (" + m + ", " + n + ") needs " + (long) m * n + " ints, got " + acc.length);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            java.util.Arrays.fill(acc, 0, m * n, 0);
            return;
        }
        int kp = PackedInt8Weights.pairs(k);
        int[] ap = new int[Math.multiplyExact(m, kp)];
        int[] asum = new int[m];
        boolean[] wide = new boolean[m];
        boolean par = Parallel.numThreads() > 1 && (long) m * n * k >= PARALLEL_MACS;
        Parallel.RangeBody pack = (s, e) -> {
            for (int i = s; i < e; i++) {
                wide[i] = packRow(a, aOff + i * k, k, ap, i * kp, asum, i);
            }
        };
        if (par) {
            Parallel.forRange(m, 64, pack);
        } else {
            pack.run(0, m);
        }
        gemmPacked(m, ap, kp, 1, asum, wide, w, acc, 0);
    }

    /**
     * The product from activations already in pair form: pair p of row i is {@code ap[i*rs + p*ps] = a[2p] |
     * a[2p+1] << 16} (a missing a[k] = 0; row-major: rs = ceil(k/2), ps = 1; pair-major:
     * rs = 1, ps = m), asum[i] = sum of row i and wide[i] = whether row i holds a value above 127.
     * Writes acc[accOff + i*n + j].
     */
    static void gemmPacked(
            int m, int[] ap, int rs, int ps, int[] asum, boolean[] wide, PackedInt8Weights w, int[] acc, int accOff) {
        int n = w.n();
        int k = w.k();
        int kp = PackedInt8Weights.pairs(k);
        boolean par = Parallel.numThreads() > 1 && (long) m * n * k >= PARALLEL_MACS;
        int mBlocks = (m + MR - 1) / MR;
        int nPanels = (n + NR - 1) / NR;
        int threads = par ? Parallel.numThreads() : 1;
        // few rows: smaller row blocks before splitting the columns (each column group re-packs its rows)
        int blocksPerRow = (mBlocks + MC / MR - 1) / (MC / MR) >= 2 * threads
                ? MC / MR
                : Math.max(1, (mBlocks + 2 * threads - 1) / (2 * threads));
        int rowBlocks = (mBlocks + blocksPerRow - 1) / blocksPerRow;
        int colGroups = rowBlocks >= 2 * threads ? 1 : Math.min(nPanels, (2 * threads + rowBlocks - 1) / rowBlocks);
        int[] wp = w.panels();
        Parallel.RangeBody compute = (s, e) -> {
            int[] scratch = new int[MR * NR];
            int[] blk = new int[MC * Math.min(KC, kp)];
            for (int t = s; t < e; t++) {
                int rb = t / colGroups;
                int cg = t % colGroups;
                int b0 = rb * blocksPerRow;
                int b1 = Math.min(mBlocks, b0 + blocksPerRow);
                int q0 = (int) ((long) nPanels * cg / colGroups);
                int q1 = (int) ((long) nPanels * (cg + 1) / colGroups);
                for (int pc = 0; pc < kp; pc += KC) {
                    int kc = Math.min(KC, kp - pc);
                    packBlock(m, ap, rs, ps, b0, b1, pc, kc, blk);
                    for (int q = q0; q < q1; q++) {
                        for (int b = b0; b < b1; b++) {
                            int aRow = (b - b0) * kc * MR;
                            tile(m, n, kp, b, q, pc, kc, blk, aRow, asum, wide, wp, acc, accOff, scratch);
                        }
                    }
                }
            }
        };
        if (par) {
            Parallel.forRange(rowBlocks * colGroups, 1, compute);
        } else {
            compute.run(0, rowBlocks * colGroups);
        }
    }

    /**
     * Copies pairs pc .. pc+kc of the rows of blocks b0 .. b1 into blk, MR rows interleaved: {@code blk[((b - b0)*kc
     * + p)*MR + r] = pair (pc + p) of row b*MR + r} (0 past m), so that the tile reads its four activations from one
     * 16-byte run at constant offsets (Goto's packed A; also lets C2 drop the bounds checks from the inner loop).
     */
    private static void packBlock(int m, int[] ap, int rs, int ps, int b0, int b1, int pc, int kc, int[] blk) {
        for (int b = b0; b < b1; b++) {
            int base = (b - b0) * kc * MR;
            for (int r = 0; r < MR; r++) {
                int i = b * MR + r;
                int dst = base + r;
                if (i >= m) {
                    for (int p = 0; p < kc; p++) {
                        blk[dst + p * MR] = 0;
                    }
                    continue;
                }
                int src = i * rs + pc * ps;
                for (int p = 0; p < kc; p++) {
                    blk[dst + p * MR] = ap[src + p * ps];
                }
            }
        }
    }

    private static final VectorSpecies<Byte> PAIR_BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(VL * 16));
    private static final VectorSpecies<Short> PAIR_SHORTS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(VL * 32));

    /**
     * Packs k uint8 values from a[src] as ceil(k/2) activation pairs {@code a[2p] | a[2p+1] << 16} into ap[dst..]:
     * zero-extending 2*VL bytes to shorts and reading them as VL ints does exactly that (little-endian lanes).
     * Stores the row sum in asum[i]; returns whether a value exceeds 127.
     */
    static boolean packRow(byte[] a, int src, int k, int[] ap, int dst, int[] asum, int i) {
        int full = k >>> 1;
        int p = 0;
        IntVector orv = IntVector.zero(S);
        IntVector sumv = orv;
        for (; p <= full - VL; p += VL) {
            IntVector x = ((ShortVector) ByteVector.fromArray(PAIR_BYTES, a, src + 2 * p)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, PAIR_SHORTS, 0))
                    .reinterpretAsInts();
            x.intoArray(ap, dst + p);
            orv = orv.or(x);
            sumv = sumv.add(x.and(0xFFFF)).add(x.lanewise(VectorOperators.LSHR, 16));
        }
        int or = orv.reduceLanes(VectorOperators.OR);
        int s = sumv.reduceLanes(VectorOperators.ADD);
        for (; p < full; p++) {
            int a0 = a[src + 2 * p] & 0xFF;
            int a1 = a[src + 2 * p + 1] & 0xFF;
            s += a0 + a1;
            or |= a0 | a1;
            ap[dst + p] = a0 | (a1 << 16);
        }
        if ((k & 1) != 0) {
            int a0 = a[src + k - 1] & 0xFF;
            s += a0;
            or |= a0;
            ap[dst + full] = a0;
        }
        asum[i] = s;
        return (or & 0x00800080) != 0;
    }

    /** One register tile: rows of block b x columns of panel q, pairs pc .. pc+kc. */
    private static void tile(
            int m,
            int n,
            int kp,
            int b,
            int q,
            int pc,
            int kc,
            int[] blk,
            int aRow,
            int[] asum,
            boolean[] wide,
            int[] wp,
            int[] acc,
            int accOff,
            int[] tile) {
        int i0 = b * MR;
        int j0 = q * NR;
        int nr = Math.min(NR, n - j0);
        int wBase = (q * kp + pc) * NR;
        boolean first = pc == 0;
        int rows = Math.min(MR, m - i0);
        int cOff = accOff + i0 * n + j0;
        if (rows == MR) {
            // the first k slice of a full-width tile is stored straight from the registers
            boolean direct = first && nr == NR;
            if (wide[i0] || wide[i0 + 1] || wide[i0 + 2] || wide[i0 + 3]) {
                kernel4Wide(blk, aRow, wp, wBase, kc, tile, direct, acc, cOff, n, asum, i0);
            } else {
                kernel4(blk, aRow, wp, wBase, kc, tile, direct, acc, cOff, n, asum, i0);
            }
            if (!direct) {
                for (int r = 0; r < MR; r++) {
                    merge(tile, r * NR, acc, cOff + r * n, nr, first, asum[i0 + r]);
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                kernel1(blk, aRow + r, wp, wBase, kc, wide[i0 + r], tile);
                merge(tile, 0, acc, cOff + r * n, nr, first, asum[i0 + r]);
            }
        }
    }

    private static IntVector hi(IntVector w, int x) {
        return w.mul(x).lanewise(VectorOperators.LSHR, 16);
    }

    /** The fast 4 x NR tile (activations 0..127): direct stores the first slice of a full tile into c. */
    private static void kernel4(
            int[] ap,
            int aRow,
            int[] wp,
            int wBase,
            int kc,
            int[] tile,
            boolean direct,
            int[] c,
            int cOff,
            int ldc,
            int[] asum,
            int i0) {
        IntVector c00 = IntVector.zero(S);
        IntVector c01 = c00;
        IntVector c10 = c00;
        IntVector c11 = c00;
        IntVector c20 = c00;
        IntVector c21 = c00;
        IntVector c30 = c00;
        IntVector c31 = c00;
        for (int p = 0; p < kc; p++) {
            int wo = wBase + p * NR;
            int ao = aRow + p * MR;
            IntVector w0 = IntVector.fromArray(S, wp, wo);
            IntVector w1 = IntVector.fromArray(S, wp, wo + VL);
            int x0 = ap[ao];
            int x1 = ap[ao + 1];
            int x2 = ap[ao + 2];
            int x3 = ap[ao + 3];
            c00 = c00.add(hi(w0, x0));
            c01 = c01.add(hi(w1, x0));
            c10 = c10.add(hi(w0, x1));
            c11 = c11.add(hi(w1, x1));
            c20 = c20.add(hi(w0, x2));
            c21 = c21.add(hi(w1, x2));
            c30 = c30.add(hi(w0, x3));
            c31 = c31.add(hi(w1, x3));
        }
        if (direct) {
            int k0 = asum[i0] << 7;
            int k1 = asum[i0 + 1] << 7;
            int k2 = asum[i0 + 2] << 7;
            int k3 = asum[i0 + 3] << 7;
            c00.sub(k0).intoArray(c, cOff);
            c01.sub(k0).intoArray(c, cOff + VL);
            c10.sub(k1).intoArray(c, cOff + ldc);
            c11.sub(k1).intoArray(c, cOff + ldc + VL);
            c20.sub(k2).intoArray(c, cOff + 2 * ldc);
            c21.sub(k2).intoArray(c, cOff + 2 * ldc + VL);
            c30.sub(k3).intoArray(c, cOff + 3 * ldc);
            c31.sub(k3).intoArray(c, cOff + 3 * ldc + VL);
            return;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, VL);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + VL);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + VL);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + VL);
    }

    /**
     * The exact 4 x NR tile for any uint8 activations: the weight pair is split back into w0' (upper half) and w1'
     * (lower half) and each is multiplied by its own activation (a*w' <= 65025, sums wrap like int arithmetic).
     */
    private static void kernel4Wide(
            int[] ap,
            int aRow,
            int[] wp,
            int wBase,
            int kc,
            int[] tile,
            boolean direct,
            int[] c,
            int cOff,
            int ldc,
            int[] asum,
            int i0) {
        IntVector c00 = IntVector.zero(S);
        IntVector c01 = c00;
        IntVector c10 = c00;
        IntVector c11 = c00;
        IntVector c20 = c00;
        IntVector c21 = c00;
        IntVector c30 = c00;
        IntVector c31 = c00;
        for (int p = 0; p < kc; p++) {
            int wo = wBase + p * NR;
            int ao = aRow + p * MR;
            IntVector v0 = IntVector.fromArray(S, wp, wo);
            IntVector v1 = IntVector.fromArray(S, wp, wo + VL);
            IntVector e0 = v0.lanewise(VectorOperators.LSHR, 16);
            IntVector o0 = v0.and(0xFFFF);
            IntVector e1 = v1.lanewise(VectorOperators.LSHR, 16);
            IntVector o1 = v1.and(0xFFFF);
            int x = ap[ao];
            c00 = c00.add(e0.mul(x & 0xFFFF)).add(o0.mul(x >>> 16));
            c01 = c01.add(e1.mul(x & 0xFFFF)).add(o1.mul(x >>> 16));
            x = ap[ao + 1];
            c10 = c10.add(e0.mul(x & 0xFFFF)).add(o0.mul(x >>> 16));
            c11 = c11.add(e1.mul(x & 0xFFFF)).add(o1.mul(x >>> 16));
            x = ap[ao + 2];
            c20 = c20.add(e0.mul(x & 0xFFFF)).add(o0.mul(x >>> 16));
            c21 = c21.add(e1.mul(x & 0xFFFF)).add(o1.mul(x >>> 16));
            x = ap[ao + 3];
            c30 = c30.add(e0.mul(x & 0xFFFF)).add(o0.mul(x >>> 16));
            c31 = c31.add(e1.mul(x & 0xFFFF)).add(o1.mul(x >>> 16));
        }
        if (direct) {
            int k0 = asum[i0] << 7;
            int k1 = asum[i0 + 1] << 7;
            int k2 = asum[i0 + 2] << 7;
            int k3 = asum[i0 + 3] << 7;
            c00.sub(k0).intoArray(c, cOff);
            c01.sub(k0).intoArray(c, cOff + VL);
            c10.sub(k1).intoArray(c, cOff + ldc);
            c11.sub(k1).intoArray(c, cOff + ldc + VL);
            c20.sub(k2).intoArray(c, cOff + 2 * ldc);
            c21.sub(k2).intoArray(c, cOff + 2 * ldc + VL);
            c30.sub(k3).intoArray(c, cOff + 3 * ldc);
            c31.sub(k3).intoArray(c, cOff + 3 * ldc + VL);
            return;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, VL);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + VL);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + VL);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + VL);
    }

    /** One row x NR (the last rows of a block, GEMV-like products), into tile[0 .. NR). */
    private static void kernel1(int[] ap, int aBase, int[] wp, int wBase, int kc, boolean wide, int[] tile) {
        IntVector c0 = IntVector.zero(S);
        IntVector c1 = c0;
        if (wide) {
            for (int p = 0; p < kc; p++) {
                int wo = wBase + p * NR;
                IntVector v0 = IntVector.fromArray(S, wp, wo);
                IntVector v1 = IntVector.fromArray(S, wp, wo + VL);
                int x = ap[aBase + p * MR];
                int e = x & 0xFFFF;
                int o = x >>> 16;
                c0 = c0.add(v0.lanewise(VectorOperators.LSHR, 16).mul(e))
                        .add(v0.and(0xFFFF).mul(o));
                c1 = c1.add(v1.lanewise(VectorOperators.LSHR, 16).mul(e))
                        .add(v1.and(0xFFFF).mul(o));
            }
        } else {
            for (int p = 0; p < kc; p++) {
                int wo = wBase + p * NR;
                int x = ap[aBase + p * MR];
                c0 = c0.add(hi(IntVector.fromArray(S, wp, wo), x));
                c1 = c1.add(hi(IntVector.fromArray(S, wp, wo + VL), x));
            }
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, VL);
    }

    /**
     * Writes (first k slice: minus the w' bias correction {@code 128 * sum a}) or adds one row of the tile (from
     * tile[t .. t+NR)) to c at off; nr < NR columns at the right edge. The accumulators reach here through the
     * scratch tile, not as arguments: a vector passed to a method C2 does not inline is boxed on the heap.
     */
    private static void merge(int[] tile, int t, int[] c, int off, int nr, boolean first, int asum) {
        int corr = asum << 7;
        if (nr == NR) {
            for (int v = 0; v < NR; v += VL) {
                IntVector x = IntVector.fromArray(S, tile, t + v);
                x = first ? x.sub(corr) : x.add(IntVector.fromArray(S, c, off + v));
                x.intoArray(c, off + v);
            }
            return;
        }
        for (int j = 0; j < nr; j++) {
            c[off + j] = first ? tile[t + j] - corr : c[off + j] + tile[t + j];
        }
    }
}
