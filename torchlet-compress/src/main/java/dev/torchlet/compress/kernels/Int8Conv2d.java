package dev.torchlet.compress.kernels;

import dev.torchlet.kernels.ConvGeometry;
import dev.torchlet.kernels.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * int8 convolution as im2col + {@link Int8Gemm}, NCHW throughout (PyTorch's layout; ConvGeometry from core gives the
 * shapes, stride, padding, dilation and groups).
 *
 * <ul>
 *   <li>in: (N, Cin, H, W) uint8 at inOff; outside the image the input zero point is used (a real 0).
 *   <li>weights: (Cout, Cin/groups, kh, kw) int8, packed once by {@link #packWeights} into one
 *       {@link PackedInt8Weights} per group, (Cout/groups) x (Cin/groups * kh * kw).
 *   <li>acc: (N, Cout, OH, OW) int32 at accOff, for {@link Requantize#toUint8Planar} / {@link
 *       Requantize#toFloatPlanar} with batch N, channels Cout, plane OH*OW and {@link #rowSums}.
 * </ul>
 *
 * Per image and group: the (K, OH*OW) uint8 patch matrix (K = Cin/groups*kh*kw; a 1x1 stride-1 unpadded convolution
 * reads the input planes in place), then rows 2p and 2p+1 interleaved into activation pairs (strips of 2*VL
 * pixels, each strip contiguous), then {@link Int8ConvKernel}: pixels in the vector lanes, weight pairs broadcast,
 * results stored straight into the channel planes. Batches of at least two images run one image per thread; a
 * single image splits the patch matrix, the pairing and the kernel's tiles over the threads.
 * Depthwise convolutions (one output channel per group) run a one-channel tile (pixels still in the lanes).
 */
public final class Int8Conv2d {
    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(VL * 8));
    /** Bytes of the short-row copy in im2col. */
    private static final int ROW = 16;

    private Int8Conv2d() {}

    /** Packs w (Cout, Cin/groups, kh, kw) int8 into one PackedInt8Weights per group. */
    public static PackedInt8Weights[] packWeights(ConvGeometry g, byte[] w) {
        if (w.length < g.weightSize()) {
            throw new IllegalArgumentException("Int8Conv2d.packWeights: weight (" + g.cout() + ", " + g.cinG() + ", "
                    + g.kh() + ", " + g.kw() + ") needs " + g.weightSize() + " values, got " + w.length);
        }
        int coutG = g.coutG();
        int k = g.colRows();
        PackedInt8Weights[] out = new PackedInt8Weights[g.groups()];
        for (int grp = 0; grp < g.groups(); grp++) {
            out[grp] = PackedInt8Weights.pack(Arrays.copyOfRange(w, grp * coutG * k, (grp + 1) * coutG * k), coutG, k);
        }
        return out;
    }

    /** sum over (c, i, j) of w[co] for every output channel co: the groups' row sums one after the other. */
    public static int[] rowSums(PackedInt8Weights[] w) {
        int total = 0;
        for (PackedInt8Weights p : w) {
            total += p.n();
        }
        int[] s = new int[total];
        int at = 0;
        for (PackedInt8Weights p : w) {
            System.arraycopy(p.rowSums(), 0, s, at, p.n());
            at += p.n();
        }
        return s;
    }

    /** The convolution; see the class notes for the layouts. */
    public static void conv2d(
            ConvGeometry g, byte[] in, int inOff, int inZeroPoint, PackedInt8Weights[] w, int[] acc, int accOff) {
        if (g.groups() < 1
                || g.cin() % g.groups() != 0
                || g.cout() % g.groups() != 0
                || g.kh() < 1
                || g.kw() < 1
                || g.sh() < 1
                || g.sw() < 1
                || g.dh() < 1
                || g.dw() < 1
                || g.ph() < 0
                || g.pw() < 0
                || g.oh() < 0
                || g.ow() < 0) {
            throw new IllegalArgumentException("Int8Conv2d.conv2d: bad geometry " + g);
        }
        if (w.length != g.groups() || w[0].n() != g.coutG() || w[0].k() != g.colRows()) {
            throw new IllegalArgumentException(
                    "Int8Conv2d.conv2d: expected " + g.groups() + " packed group(s) of (" + g.coutG() + ", "
                            + g.colRows() + "), got " + w.length + " of (" + w[0].n() + ", " + w[0].k() + ")");
        }
        if (inOff < 0 || inOff + (long) g.inputSize() > in.length) {
            throw new IllegalArgumentException("Int8Conv2d.conv2d: input of " + g.inputSize() + " values at offset "
                    + inOff + " does not fit in an array of " + in.length);
        }
        if (accOff < 0 || accOff + (long) g.outputSize() > acc.length) {
            throw new IllegalArgumentException("Int8Conv2d.conv2d: output of " + g.outputSize() + " values at offset "
                    + accOff + " does not fit in an array of " + acc.length);
        }
        if (inZeroPoint < 0 || inZeroPoint > 255) {
            throw new IllegalArgumentException(
                    "Int8Conv2d.conv2d: input zero point must be in 0..255, got " + inZeroPoint);
        }
        if (g.n() == 0 || g.outPixels() == 0 || g.cout() == 0) {
            return;
        }
        int threads = Parallel.numThreads();
        if (g.n() >= 2 && threads > 1 && g.flops() >= (2L << 20)) {
            Parallel.forRange(g.n(), 1, (s, e) -> {
                Buffers buf = new Buffers(g);
                for (int b = s; b < e; b++) {
                    image(g, in, inOff, inZeroPoint, w, acc, accOff, b, buf, false);
                }
            });
        } else {
            Buffers buf = new Buffers(g);
            for (int b = 0; b < g.n(); b++) {
                image(g, in, inOff, inZeroPoint, w, acc, accOff, b, buf, g.flops() >= (2L << 20));
            }
        }
    }

    /** Per-thread scratch: the patch matrix, its pairs and row sums. */
    private static final class Buffers {
        final byte[] col;
        final int[] pairs;
        final int[] asum;

        Buffers(ConvGeometry g) {
            int p = g.outPixels();
            col = new byte[g.isPointwise() ? 0 : Math.multiplyExact(g.colRows(), p)];
            int pp = Int8ConvKernel.paddedPixels(p);
            pairs = new int[Math.multiplyExact(PackedInt8Weights.pairs(g.colRows()), pp)];
            asum = new int[pp];
        }
    }

    private static void image(
            ConvGeometry g,
            byte[] in,
            int inOff,
            int zp,
            PackedInt8Weights[] w,
            int[] acc,
            int accOff,
            int b,
            Buffers buf,
            boolean parallel) {
        int p = g.outPixels();
        int k = g.colRows();
        int coutG = g.coutG();
        int imageOff = inOff + b * g.cin() * g.h() * g.w();
        for (int grp = 0; grp < g.groups(); grp++) {
            int c0 = grp * g.cinG();
            byte[] src;
            int srcOff;
            if (buf.col.length == 0) { // 1x1, stride 1, no padding: the input planes are the patch matrix
                src = in;
                srcOff = imageOff + c0 * g.h() * g.w();
            } else {
                byte[] col = buf.col;
                if (parallel && Parallel.numThreads() > 1 && g.cinG() > 1) {
                    Parallel.forRange(g.cinG(), 1, (cs, ce) -> im2col(g, in, imageOff, c0, zp, col, cs, ce));
                } else {
                    im2col(g, in, imageOff, c0, zp, col, 0, g.cinG());
                }
                src = buf.col;
                srcOff = 0;
            }
            int pp = Int8ConvKernel.paddedPixels(p);
            boolean wide = pairUp(src, srcOff, k, p, pp, buf.pairs, buf.asum, parallel);
            int dst = accOff + (b * g.cout() + grp * coutG) * p;
            Int8ConvKernel.run(buf.pairs, pp, buf.asum, wide, p, w[grp], acc, dst, parallel);
        }
    }

    /**
     * The activation pairs of pixel x, {@code col[2q][x] | col[2q+1][x] << 16} (col rows of p bytes from off; a
     * missing row 2q+1 is 0), strip by strip: {@code pairs[((x / NR)*kp + q)*NR + x % NR]} with NR =
     * {@link Int8ConvKernel#NR}, so that a tile walks one contiguous run (pixel rows pp apart would land on a
     * handful of cache sets). asum[x] = sum over the rows (0 for the padding pixels p .. pp, whose pairs are 0
     * too); returns whether any value exceeds 127. Strips run in parallel when asked.
     */
    static boolean pairUp(byte[] col, int off, int k, int p, int pp, int[] pairs, int[] asum, boolean parallel) {
        int nr = Int8ConvKernel.NR;
        int strips = pp / nr;
        boolean[] wide = new boolean[strips];
        Parallel.RangeBody body = (s, e) -> {
            for (int st = s; st < e; st++) {
                wide[st] = pairStrip(col, off, k, p, st * nr, pairs, asum);
            }
        };
        if (parallel && Parallel.numThreads() > 1) {
            Parallel.forRange(strips, 8, body);
        } else {
            body.run(0, strips);
        }
        for (boolean x : wide) {
            if (x) {
                return true;
            }
        }
        return false;
    }

    /** One strip of NR pixels from x0 for {@link #pairUp}: two vectors of pixels per pair of rows. */
    private static boolean pairStrip(byte[] col, int off, int k, int p, int x0, int[] pairs, int[] asum) {
        int nr = Int8ConvKernel.NR;
        int kp = PackedInt8Weights.pairs(k);
        int dst = x0 * kp;
        int or = 0;
        if (x0 + nr > p) { // the last, partial strip
            for (int x = x0; x < x0 + nr; x++) {
                int s = 0;
                for (int q = 0; q < kp; q++) {
                    int a0 = x < p ? col[off + 2 * q * p + x] & 0xFF : 0;
                    int a1 = x < p && 2 * q + 1 < k ? col[off + (2 * q + 1) * p + x] & 0xFF : 0;
                    pairs[dst + q * nr + x - x0] = a0 | (a1 << 16);
                    s += a0 + a1;
                    or |= a0 | a1;
                }
                asum[x] = s;
            }
            return (or & 0x80) != 0;
        }
        IntVector s0 = IntVector.zero(S);
        IntVector s1 = s0;
        IntVector orv = s0;
        int full = k >>> 1;
        for (int q = 0; q < kp; q++) {
            int r0 = off + 2 * q * p + x0;
            IntVector e0 = bytes(col, r0);
            IntVector e1 = bytes(col, r0 + VL);
            s0 = s0.add(e0);
            s1 = s1.add(e1);
            if (q < full) {
                IntVector o0 = bytes(col, r0 + p);
                IntVector o1 = bytes(col, r0 + p + VL);
                s0 = s0.add(o0);
                s1 = s1.add(o1);
                e0 = e0.or(o0.lanewise(VectorOperators.LSHL, 16));
                e1 = e1.or(o1.lanewise(VectorOperators.LSHL, 16));
            }
            e0.intoArray(pairs, dst + q * nr);
            e1.intoArray(pairs, dst + q * nr + VL);
            orv = orv.or(e0).or(e1);
        }
        s0.intoArray(asum, x0);
        s1.intoArray(asum, x0 + VL);
        return (orv.reduceLanes(VectorOperators.OR) & 0x00800080) != 0;
    }

    private static IntVector bytes(byte[] a, int off) {
        return (IntVector) ByteVector.fromArray(B, a, off).convertShape(VectorOperators.ZERO_EXTEND_B2I, S, 0);
    }

    /**
     * The (cinG*kh*kw, OH*OW) patch matrix of the cinG channels from c0 of the image at imageOff:
     * {@code col[(c*kh + i)*kw + j][y*ow + x] = in[c0 + c][y*sh - ph + i*dh][x*sw - pw + j*dw]}, zp outside;
     * the rows of channels ca .. cb. Each channel is first copied into a plane with its zp border, and with a
     * column stride sw > 1 and kw > 1 split into sw column phases (phase f holds the columns u*sw + f), so that
     * every output row of a tap is one contiguous copy, without bounds tests.
     */
    static void im2col(ConvGeometry g, byte[] in, int imageOff, int c0, int zp, byte[] col, int ca, int cb) {
        int h = g.h();
        int w = g.w();
        int hp = h + 2 * g.ph();
        int wp = w + 2 * g.pw();
        int oh = g.oh();
        int ow = g.ow();
        int p = g.outPixels();
        int sh = g.sh();
        int sw = g.sw();
        byte[] padded = new byte[hp * wp + ROW]; // + ROW: a 16-byte copy may read past the last row
        Arrays.fill(padded, (byte) zp);
        int wq = (wp + sw - 1) / sw;
        boolean split = sw > 1 && g.kw() > 1; // phases pay off when several taps read them
        byte[] phases = new byte[split ? sw * hp * wq + ROW : 0];
        int row = ca * g.kh() * g.kw();
        for (int c = ca; c < cb; c++) {
            int plane = imageOff + (c0 + c) * h * w;
            for (int y = 0; y < h; y++) {
                System.arraycopy(in, plane + y * w, padded, (y + g.ph()) * wp + g.pw(), w);
            }
            if (split) {
                for (int f = 0; f < sw; f++) {
                    for (int y = 0; y < hp; y++) {
                        int d = (f * hp + y) * wq;
                        for (int u = f; u < wp; u += sw, d++) {
                            phases[d] = padded[y * wp + u];
                        }
                    }
                }
            }
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, row++) {
                    int sx = j * g.dw();
                    if (sw > 1 && !split) { // one tap per channel and row: gather from the padded plane
                        for (int y = 0; y < oh; y++) {
                            int src = (y * sh + i * g.dh()) * wp + sx;
                            int dst = row * p + y * ow;
                            for (int x = 0; x < ow; x++) {
                                col[dst + x] = padded[src + x * sw];
                            }
                        }
                        continue;
                    }
                    byte[] src = sw == 1 ? padded : phases;
                    int ld = sw == 1 ? wp : wq;
                    int tap = (sw == 1 ? 0 : (sx % sw) * hp * wq) + i * g.dh() * ld + sx / sw;
                    for (int y = 0; y < oh; y++) {
                        int from = tap + y * sh * ld;
                        int to = row * p + y * ow;
                        if (ow >= ROW / 2 && ow <= ROW && y < oh - 1) {
                            // one 16-byte copy; its spill (< ow bytes) lands in the next row of this tap, written next
                            ByteVector.fromArray(ByteVector.SPECIES_128, src, from)
                                    .intoArray(col, to);
                        } else if (ow > ROW && ow <= 2 * ROW && y < oh - 1) {
                            // two 16-byte copies (28-wide Fashion-MNIST rows: 8% faster whole model than arraycopy's
                            // call); the spill again lands in the next row, and the source has a further row to read
                            ByteVector.fromArray(ByteVector.SPECIES_128, src, from)
                                    .intoArray(col, to);
                            ByteVector.fromArray(ByteVector.SPECIES_128, src, from + ROW)
                                    .intoArray(col, to + ROW);
                        } else {
                            System.arraycopy(src, from, col, to, ow);
                        }
                    }
                }
            }
        }
    }
}
