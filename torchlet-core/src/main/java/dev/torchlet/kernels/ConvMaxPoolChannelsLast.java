package dev.torchlet.kernels;

/**
 * A convolution (with its clamp, the fused ReLU) and the max pooling after it in one pass over strips of rows, on
 * channels-last activations: ResNet's and DenseNet's stem, a 7x7 stride-2 convolution to 64 channels followed by a
 * 3x3 stride-2 max pooling. Unfused, the convolution writes its whole output (3.2 MB for a 224 x 224 image) and the
 * pooling reads it back, both from memory inside a model whose weights have pushed them out of the caches; here
 * each thread computes a strip of the convolution's rows into a buffer that stays in L2 ({@link
 * ConvChannelsLast#forwardOnCallingThread}, the direct kernel) and pools it at once ({@link
 * PoolKernels#maxRowsChannelsLast}), so only the pooled output (a quarter of it) is written.
 *
 * <pre>
 *   in     (n, h, w, cin)                         channels last
 *   conv   (n, oh, ow, cout) = clamp(conv(in, w) + bias, lo, hi)   never stored whole
 *   out    (n, ph, pw, cout) = maxpool(conv)      windows of the pooling geometry, clipped like PyTorch's
 * </pre>
 *
 * The work: each image's pooled rows split into blocks (as many per image as keep every thread busy), a block's
 * strips in order; a strip keeps the convolution rows the next strip's windows share with it (one row for a 3x3
 * stride-2 pooling) and computes only the new ones. Every output value is the unfused pair's, bit for bit: the
 * same kernel sums each pixel in the same order.
 */
public final class ConvMaxPoolChannelsLast {
    /** Floats of convolution rows per strip buffer: 256 KB, well inside L2 with the weights and the pooled rows. */
    private static final int STRIP_FLOATS = 64 * 1024;

    private ConvMaxPoolChannelsLast() {}

    /** True when this kernel runs conv g then pooling p: g ungrouped (the direct kernel), p reading its output. */
    public static boolean applies(ConvGeometry g, PoolKernels.Geometry p) {
        return ConvChannelsLast.applies(g) && p.inH() == g.oh() && p.inW() == g.ow();
    }

    /**
     * out (n, p.outH, p.outW, cout) = maxpool_p(clamp(conv_g(in) + bias, lo, hi)) for in (n, h, w, cin) at inOff, the
     * weights packed by {@link ConvChannelsLast#pack}; bias may be null.
     */
    public static void forward(
            ConvGeometry g,
            float[] in,
            int inOff,
            float[] packed,
            float[] bias,
            float lo,
            float hi,
            PoolKernels.Geometry p,
            float[] out) {
        if (!applies(g, p)) {
            throw new IllegalArgumentException("conv2d + max_pool2d (channels last): expected an ungrouped "
                    + "convolution whose " + g.oh() + "x" + g.ow() + " output the pooling reads, got groups "
                    + g.groups() + " and a " + p.inH() + "x" + p.inW() + " pooling input");
        }
        float[] xp = ConvChannelsLast.padded(g, in, inOff);
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        Layout layout = new Layout(g, p, xp == in ? inOff : 0, hp, wp, ConvChannelsLast.paddedBias(g, bias), lo, hi);
        int threads = Parallel.numThreads();
        int blocksPerImage = Math.min(p.outH(), Math.max(1, (2 * threads + g.n() - 1) / g.n()));
        int blocks = g.n() * blocksPerImage;
        Parallel.forRangeDynamic(blocks, 1, (s, e) -> {
            float[] strip = ScratchBuffers.take(layout.stripFloats());
            for (int block = s; block < e; block++) {
                int b = block / blocksPerImage;
                int part = block % blocksPerImage;
                int oy0 = (int) ((long) p.outH() * part / blocksPerImage);
                int oy1 = (int) ((long) p.outH() * (part + 1) / blocksPerImage);
                runBlock(layout, xp, packed, b, oy0, oy1, strip, out);
            }
            ScratchBuffers.give(strip);
        });
        ConvChannelsLast.releasePadded(xp, in);
    }

    /** A call's geometry and the sizes derived from it, shared by the threads. */
    private record Layout(
            ConvGeometry g,
            PoolKernels.Geometry p,
            PoolKernels.Windows windows,
            int xOff,
            int hp,
            int wp,
            float[] biasPadded,
            float lo,
            float hi,
            int rowFloats,
            int stripPooledRows) {
        Layout(
                ConvGeometry g,
                PoolKernels.Geometry p,
                int xOff,
                int hp,
                int wp,
                float[] biasPadded,
                float lo,
                float hi) {
            this(
                    g,
                    p,
                    PoolKernels.Windows.of(p),
                    xOff,
                    hp,
                    wp,
                    biasPadded,
                    lo,
                    hi,
                    g.ow() * g.cout(),
                    pooledRowsPerStrip(g, p));
        }

        /** Convolution rows the windows of pooled rows [oy0, oy1) read: [first, end). */
        int firstRow(int oy0) {
            return windows.rowStart()[oy0];
        }

        int endRow(int oy1) {
            return windows.rowEnd()[oy1 - 1];
        }

        /** Floats of the strip buffer: the most convolution rows a strip reads. */
        int stripFloats() {
            return convRows(stripPooledRows) * rowFloats;
        }

        /** The most convolution rows that pooled rows of this count read. */
        int convRows(int pooledRows) {
            return Math.min(g.oh(), (pooledRows - 1) * p.sH() + (p.kH() - 1) * p.dH() + 1);
        }
    }

    /** Pooled rows per strip: as many as keep the strip's convolution rows within STRIP_FLOATS (at least one). */
    private static int pooledRowsPerStrip(ConvGeometry g, PoolKernels.Geometry p) {
        int rowFloats = g.ow() * g.cout();
        int window = (p.kH() - 1) * p.dH() + 1;
        int rows = Math.max(window, STRIP_FLOATS / Math.max(1, rowFloats));
        return Math.max(1, Math.min(p.outH(), (rows - window) / p.sH() + 1));
    }

    /**
     * Pooled rows [oy0, oy1) of image b, a strip at a time: the strip's convolution rows [first, end) in the buffer
     * (row r at (r - first) * rowFloats), those the previous strip already has moved to the front, the rest computed.
     */
    private static void runBlock(
            Layout l, float[] xp, float[] packed, int b, int oy0, int oy1, float[] strip, float[] out) {
        ConvGeometry g = l.g();
        int haveFirst = 0; // the buffer holds convolution rows [haveFirst, haveEnd)
        int haveEnd = 0;
        int outImage = b * l.p().outH() * l.p().outW() * g.cout();
        for (int sy0 = oy0; sy0 < oy1; sy0 += l.stripPooledRows()) {
            int sy1 = Math.min(oy1, sy0 + l.stripPooledRows());
            int first = l.firstRow(sy0);
            int end = l.endRow(sy1);
            int kept = Math.max(0, haveEnd - Math.max(first, haveFirst));
            if (kept > 0) {
                System.arraycopy(strip, (haveEnd - kept - haveFirst) * l.rowFloats(), strip, 0, kept * l.rowFloats());
            }
            int from = first + kept;
            if (from < end) {
                convRows(l, xp, packed, b, from, end, strip, kept * l.rowFloats());
            }
            haveFirst = first;
            haveEnd = end;
            PoolKernels.maxRowsChannelsLast(strip, 0, first, g.cout(), l.p(), l.windows(), sy0, sy1, out, outImage);
        }
    }

    /**
     * Convolution rows [r0, r1) of image b into strip at stripOff, row-major (ow, cout) per row: the direct kernel on
     * the padded input rows those output rows read, as an unpadded convolution of their own.
     */
    private static void convRows(
            Layout l, float[] xp, float[] packed, int b, int r0, int r1, float[] strip, int stripOff) {
        ConvGeometry g = l.g();
        int rows = r1 - r0;
        int inRows = (rows - 1) * g.sh() + (g.kh() - 1) * g.dh() + 1;
        ConvGeometry part = new ConvGeometry(
                1, g.cin(), inRows, l.wp(), g.cout(), g.kh(), g.kw(), g.sh(), g.sw(), 0, 0, g.dh(), g.dw(), 1, rows,
                g.ow());
        int inOff = l.xOff() + (b * l.hp() + r0 * g.sh()) * l.wp() * g.cin();
        ConvChannelsLast.forwardOnCallingThread(
                part, xp, inOff, packed, l.biasPadded(), null, 0, strip, stripOff, l.lo(), l.hi());
    }
}
