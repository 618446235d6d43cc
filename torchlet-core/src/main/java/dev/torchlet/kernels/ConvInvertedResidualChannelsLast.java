package dev.torchlet.kernels;

/**
 * MobileNetV2's inverted residual block on channels-last (NHWC) activations as one pass over strips of output rows:
 *
 * <pre>
 *   e = clamp(x @ We^T + be, lo1, hi1)      x (n, h, w, cin), We (hidden, cin): the 1x1 expansion (absent when t = 1)
 *   d = clamp(dw3x3(e, Wd) + bd, lo2, hi2)  Wd (hidden, 1, 3, 3), stride s (1 or 2), padding 1: (n, oh, ow, hidden)
 *   y = d @ Wp^T + bp (+ x)                 Wp (cout, hidden): the linear 1x1 projection, plus x when it adds its input
 * </pre>
 *
 * Run layer by layer, e and d (six times the block's input and output) go through memory: MobileNetV2's second block
 * writes 4.8 MB of e and 1.2 MB of d per image, to arrays another layer last touched, and reads them back. Here each
 * thread takes contiguous output rows of an image and walks down them a strip at a time: the strip's expanded rows
 * go into a scratch of the thread's own (about {@link #STRIP_BYTES}), the depthwise rows into a second one, and
 * the projection writes the block's output rows; the scratch is the same memory for every strip and block, so it
 * stays in the core's L2. The expanded rows a strip shares with the next (two at stride 1, one at stride 2) move to
 * the top of the scratch instead of being computed again.
 *
 * <p>The 1x1 convolutions run on the GEMM's tile when their output channels fill it
 * ({@link ConvPointwiseChannelsLast#applies}), else on {@link ConvChannelsLast}'s tiles; the depthwise one on
 * {@link ConvDepthwiseChannelsLast}'s rows: every output element gets the same bits as the three layers run one by
 * one on the same kernels.
 */
public final class ConvInvertedResidualChannelsLast {
    /** Expanded rows per strip: about this many bytes, so that a strip's operands stay in a 1 MB L2. */
    static final int STRIP_BYTES = 256 * 1024;

    private static final ThreadLocal<float[]> EXPANDED = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> DEPTHWISE = ThreadLocal.withInitial(() -> new float[0]);

    private ConvInvertedResidualChannelsLast() {}

    /**
     * A 1x1 convolution's weights packed for the kernel that runs it: {@code gemm} (the GEMM's B = W^T, when
     * {@link ConvPointwiseChannelsLast#applies}) or {@code direct} ({@link ConvChannelsLast#pack}), the other null;
     * bias (cout) or null; the clamp [lo, hi] of its output (infinite bounds for none).
     */
    public record Pointwise(GemmKernels.PackedB gemm, float[] direct, float[] bias, float lo, float hi) {
        public Pointwise {
            if ((gemm == null) == (direct == null)) {
                throw new IllegalArgumentException("inverted residual: a 1x1 convolution needs exactly one of the "
                        + "GEMM's and the direct kernel's packed weights");
            }
            if (!(lo <= hi)) {
                throw new IllegalArgumentException(
                        "inverted residual: clamp bounds must satisfy lo <= hi, got " + lo + ", " + hi);
            }
        }
    }

    /**
     * One block: input channels, expanded (hidden) channels, output channels and the depthwise stride; the expansion
     * (null when the block has none: then hidden == cin), the depthwise weights ({@link ConvDepthwiseChannelsLast#pack}
     * layout) with bias (or null) and clamp, the projection, and whether x is added to the output.
     */
    public record Block(
            int cin,
            int hidden,
            int cout,
            int stride,
            Pointwise expansion,
            float[] depthwise,
            float[] depthwiseBias,
            float lo2,
            float hi2,
            Pointwise projection,
            boolean addsInput) {
        public Block {
            if (stride != 1 && stride != 2) {
                throw new IllegalArgumentException("inverted residual: stride must be 1 or 2, got " + stride);
            }
            if (expansion == null && hidden != cin) {
                throw new IllegalArgumentException(
                        "inverted residual: without an expansion hidden must equal cin, got " + hidden + " and " + cin);
            }
            if (addsInput && (stride != 1 || cin != cout)) {
                throw new IllegalArgumentException("inverted residual: the input is added only at stride 1 with cin == "
                        + "cout, got stride " + stride + ", " + cin + " -> " + cout);
            }
        }
    }

    /**
     * Whether the one pass pays for an (n, h, w) batch: every thread gets an image or a part of one, and a part has
     * at least {@link #MIN_PART_ROWS} output rows (a part computes the expanded rows above and below its own again:
     * at 14 x 14 in four parts half as many again as the layer alone).
     */
    public static boolean pays(int n, int h, int stride) {
        return (long) n * parts(n, ConvPointwiseDepthwise.outSize(h, stride)) >= Parallel.numThreads();
    }

    /**
     * Contiguous parts each image's output rows are cut into: at small batches two per thread (so that a thread
     * that starts late takes fewer), each at least MIN_PART_ROWS long, as many units in all as a multiple of the
     * thread count where that can be had; whole images at larger batches.
     */
    private static int parts(int n, int oh) {
        int threads = Parallel.numThreads();
        int wanted = (2 * threads + n - 1) / n;
        int parts = Math.max(1, Math.min(wanted, oh / MIN_PART_ROWS));
        // a whole number of units per thread: 3 parts on 2 threads left one thread idle a third of the block
        while (parts > 1 && (n * parts) % threads != 0 && n * parts > threads) {
            parts--;
        }
        return parts;
    }

    /** Output rows per part at least (see {@link #pays}). */
    private static final int MIN_PART_ROWS = 8;

    /** The geometry of the block's depthwise convolution on an (n, h, w) batch. */
    public static ConvGeometry depthwiseGeometry(int n, int hidden, int h, int w, int stride) {
        return new ConvGeometry(
                n,
                hidden,
                h,
                w,
                hidden,
                3,
                3,
                stride,
                stride,
                1,
                1,
                1,
                1,
                hidden,
                ConvPointwiseDepthwise.outSize(h, stride),
                ConvPointwiseDepthwise.outSize(w, stride));
    }

    /** The geometry of a 1x1 convolution cin -&gt; cout over rows x w pixels of one image. */
    public static ConvGeometry pointwiseGeometry(int cin, int cout, int rows, int w) {
        return new ConvGeometry(1, cin, rows, w, cout, 1, 1, 1, 1, 0, 0, 1, 1, 1, rows, w);
    }

    /**
     * out (n, oh, ow, cout) = the block applied to x (n, h, w, cin) at xOff; out is written whole (oh, ow as
     * {@link ConvPointwiseDepthwise#outSize}).
     */
    public static void forward(int n, int h, int w, Block blk, float[] x, int xOff, float[] out) {
        int stride = blk.stride();
        int oh = ConvPointwiseDepthwise.outSize(h, stride);
        int ow = ConvPointwiseDepthwise.outSize(w, stride);
        long inLength = (long) n * h * w * blk.cin();
        long outLength = (long) n * oh * ow * blk.cout();
        if (n < 1 || h < 1 || w < 1 || xOff < 0 || xOff + inLength > x.length || outLength > out.length) {
            throw new IllegalArgumentException("inverted residual: batch (" + n + ", " + h + ", " + w + ", "
                    + blk.cin() + ") at " + xOff + " needs " + inLength + " inputs and " + outLength + " outputs, got "
                    + "arrays of " + x.length + " and " + out.length);
        }
        int rowBytes = w * blk.hidden() * Float.BYTES;
        int expandedRows = Math.max(3, STRIP_BYTES / rowBytes);
        int stripRows = Math.max(1, (expandedRows - 3) / stride + 1);
        int parts = parts(n, oh);
        Block b = withBiases(blk);
        Parallel.forRangeDynamic(n * parts, n * parts, (u0, u1) -> {
            float[] expanded =
                    b.expansion() == null ? null : scratch(EXPANDED, expandedRows(stripRows, stride) * w * b.hidden());
            float[] depthwise = scratch(DEPTHWISE, stripRows * ow * b.hidden());
            for (int u = u0; u < u1; u++) {
                int image = u / parts;
                int part = u % parts;
                int oyA = (int) ((long) oh * part / parts);
                int oyB = (int) ((long) oh * (part + 1) / parts);
                rows(b, h, w, x, xOff, out, image, oyA, oyB, stripRows, expanded, depthwise);
            }
        });
    }

    /** Expanded rows a strip of this many output rows reads. */
    private static int expandedRows(int stripRows, int stride) {
        return (stripRows - 1) * stride + 3;
    }

    /** The thread's scratch array, grown to at least length floats (its contents are whatever it held). */
    private static float[] scratch(ThreadLocal<float[]> slot, int length) {
        float[] a = slot.get();
        if (a.length < length) {
            a = new float[length];
            slot.set(a);
        }
        return a;
    }

    /**
     * The block with the biases its kernels read: the depthwise bias as a full array (zeros when absent), a direct
     * 1x1 kernel's bias padded to whole channel groups.
     */
    private static Block withBiases(Block blk) {
        float[] dwBias = blk.depthwiseBias() != null ? blk.depthwiseBias() : new float[blk.hidden()];
        return new Block(
                blk.cin(),
                blk.hidden(),
                blk.cout(),
                blk.stride(),
                withBias(blk.expansion(), blk.cin(), blk.hidden()),
                blk.depthwise(),
                dwBias,
                blk.lo2(),
                blk.hi2(),
                withBias(blk.projection(), blk.hidden(), blk.cout()),
                blk.addsInput());
    }

    private static Pointwise withBias(Pointwise p, int cin, int cout) {
        if (p == null || p.direct() == null) {
            return p;
        }
        float[] padded = ConvChannelsLast.paddedBias(pointwiseGeometry(cin, cout, 1, 1), p.bias());
        return new Pointwise(null, p.direct(), padded, p.lo(), p.hi());
    }

    /** Output rows [oyA, oyB) of image b, strip by strip, through the thread's scratch arrays. */
    private static void rows(
            Block blk,
            int h,
            int w,
            float[] x,
            int xOff,
            float[] out,
            int b,
            int oyA,
            int oyB,
            int stripRows,
            float[] expanded,
            float[] depthwise) {
        int s = blk.stride();
        int hidden = blk.hidden();
        int ow = ConvPointwiseDepthwise.outSize(w, s);
        int oh = ConvPointwiseDepthwise.outSize(h, s);
        int expandedRow = w * hidden;
        ConvGeometry dw = depthwiseGeometry(1, hidden, h, w, s);
        int held0 = 0; // the scratch holds expanded rows [held0, held1) of the image
        int held1 = 0;
        for (int oy0 = oyA; oy0 < oyB; oy0 += stripRows) {
            int oy1 = Math.min(oyB, oy0 + stripRows);
            int need0 = Math.max(0, oy0 * s - 1); // the expanded rows [need0, need1) these outputs read
            int need1 = Math.min(h, (oy1 - 1) * s + 2);
            float[] dwIn;
            int dwInOff;
            if (blk.expansion() == null) {
                dwIn = x;
                dwInOff = xOff + b * h * expandedRow;
            } else {
                int from = need0;
                if (need0 >= held0 && need0 < held1) { // rows shared with the previous strip move to the top
                    System.arraycopy(
                            expanded, (need0 - held0) * expandedRow, expanded, 0, (held1 - need0) * expandedRow);
                    from = held1;
                }
                if (from < need1) {
                    pointwise(
                            blk.expansion(),
                            blk.cin(),
                            hidden,
                            need1 - from,
                            w,
                            x,
                            xOff + (b * h + from) * w * blk.cin(),
                            null,
                            0,
                            expanded,
                            (from - need0) * expandedRow);
                }
                held0 = need0;
                held1 = need1;
                dwIn = expanded;
                dwInOff = -need0 * expandedRow; // row need0 of the image is the scratch's first
            }
            ConvDepthwiseChannelsLast.rowsOnCallingThread(
                    dw,
                    dwIn,
                    dwInOff,
                    blk.depthwise(),
                    blk.depthwiseBias(),
                    depthwise,
                    0,
                    blk.lo2(),
                    blk.hi2(),
                    0,
                    oy0,
                    oy1);
            int outOff = (b * oh + oy0) * ow * blk.cout();
            pointwise(
                    blk.projection(),
                    hidden,
                    blk.cout(),
                    oy1 - oy0,
                    ow,
                    depthwise,
                    0,
                    blk.addsInput() ? x : null,
                    xOff,
                    out,
                    outOff);
        }
    }

    /**
     * c[cOff..] = clamp(a (rows * w, cin) at aOff @ W^T + bias (+ residual at residualOff + the same index), lo, hi)
     * on the calling thread, cout apart.
     */
    private static void pointwise(
            Pointwise p,
            int cin,
            int cout,
            int rows,
            int w,
            float[] a,
            int aOff,
            float[] residual,
            int residualOff,
            float[] c,
            int cOff) {
        if (p.gemm() != null) {
            GemmF32.sgemmPackedRows(
                    rows * w,
                    a,
                    aOff,
                    cin,
                    p.gemm(),
                    p.bias(),
                    0,
                    residual,
                    residualOff + cOff,
                    p.lo(),
                    p.hi(),
                    c,
                    cOff,
                    cout);
        } else {
            ConvChannelsLast.forwardOnCallingThread(
                    pointwiseGeometry(cin, cout, rows, w),
                    a,
                    aOff,
                    p.direct(),
                    p.bias(),
                    residual,
                    residualOff,
                    c,
                    cOff,
                    p.lo(),
                    p.hi());
        }
    }
}
