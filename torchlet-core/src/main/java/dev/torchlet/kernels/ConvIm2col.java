package dev.torchlet.kernels;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * im2col and its adjoint col2im for one image and one group: the lowering that turns a convolution
 * into a GEMM.
 *
 * <pre>
 * col[(c*kh + i)*kw + j][y*ow + x] = in[c0 + c][y*sh - ph + i*dh][x*sw - pw + j*dw]   (0 outside)
 * </pre>
 * col is (cinG*kh*kw, oh*ow), row-major with leading dimension oh*ow; or, for several images lowered side by
 * side (see {@link ConvGemmBatch}), the columns [colOff, colOff + oh*ow) of a wider matrix with leading
 * dimension ld.
 */
public final class ConvIm2col {
    private ConvIm2col() {}

    /** Fills col from the cinG channels starting at channel c0 of the image at inOff. */
    public static void im2col(ConvGeometry g, float[] in, int inOff, int c0, float[] col) {
        im2col(g, in, inOff, c0, col, 0, g.outPixels());
    }

    /** Fills columns [colOff, colOff + oh*ow) of col, leading dimension ld. */
    static void im2col(ConvGeometry g, float[] in, int inOff, int c0, float[] col, int colOff, int ld) {
        if (usesTapTable(g)) {
            int[][] taps = tapTable(g);
            int p = g.outPixels();
            int row = 0;
            for (int c = 0; c < g.cinG(); c++) {
                int plane = inOff + (c0 + c) * g.h() * g.w();
                for (int[] tap : taps) {
                    int dst = colOff + row++ * ld;
                    for (int q = 0; q < p; q++) {
                        int at = tap[q];
                        col[dst + q] = at < 0 ? 0f : in[plane + at];
                    }
                }
            }
            return;
        }
        int h = g.h();
        int w = g.w();
        int ow = g.ow();
        int row = 0;
        for (int c = 0; c < g.cinG(); c++) {
            int plane = inOff + (c0 + c) * h * w;
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, row++) {
                    int shift = j * g.dw() - g.pw();
                    int x0 = firstValid(shift, g.sw());
                    int x1 = Math.min(ow, lastValid(shift, g.sw(), w) + 1);
                    for (int y = 0; y < g.oh(); y++) {
                        int dst = colOff + row * ld + y * ow;
                        int iy = y * g.sh() - g.ph() + i * g.dh();
                        if (iy < 0 || iy >= h || x0 >= x1) {
                            Arrays.fill(col, dst, dst + ow, 0f);
                            continue;
                        }
                        int src = plane + iy * w + shift;
                        Arrays.fill(col, dst, dst + x0, 0f);
                        if (g.sw() == 1) {
                            System.arraycopy(in, src + x0, col, dst + x0, x1 - x0);
                        } else {
                            for (int x = x0; x < x1; x++) {
                                col[dst + x] = in[src + x * g.sw()];
                            }
                        }
                        Arrays.fill(col, dst + x1, dst + ow, 0f);
                    }
                }
            }
        }
    }

    /** Adds col back into the cinG channels starting at c0 of gradIn at inOff (gradIn += col2im(col)). */
    public static void col2im(ConvGeometry g, float[] col, float[] gradIn, int inOff, int c0) {
        col2im(g, col, 0, g.outPixels(), gradIn, inOff, c0);
    }

    /** col2im from columns [colOff, colOff + oh*ow) of col, leading dimension ld. */
    static void col2im(ConvGeometry g, float[] col, int colOff, int ld, float[] gradIn, int inOff, int c0) {
        if (usesTapTable(g)) {
            int[][] taps = tapTable(g);
            int p = g.outPixels();
            int row = 0;
            for (int c = 0; c < g.cinG(); c++) {
                int plane = inOff + (c0 + c) * g.h() * g.w();
                for (int[] tap : taps) {
                    int src = colOff + row++ * ld;
                    for (int q = 0; q < p; q++) {
                        int at = tap[q];
                        if (at >= 0) {
                            gradIn[plane + at] += col[src + q];
                        }
                    }
                }
            }
            return;
        }
        int h = g.h();
        int w = g.w();
        int ow = g.ow();
        int row = 0;
        for (int c = 0; c < g.cinG(); c++) {
            int plane = inOff + (c0 + c) * h * w;
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, row++) {
                    int shift = j * g.dw() - g.pw();
                    int x0 = firstValid(shift, g.sw());
                    int x1 = Math.min(ow, lastValid(shift, g.sw(), w) + 1);
                    for (int y = 0; y < g.oh(); y++) {
                        int iy = y * g.sh() - g.ph() + i * g.dh();
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int src = colOff + row * ld + y * ow;
                        int dst = plane + iy * w + shift;
                        for (int x = x0; x < x1; x++) {
                            gradIn[dst + x * g.sw()] += col[src + x];
                        }
                    }
                }
            }
        }
    }

    /** Output rows narrower than this are lowered through a {@link #tapTable}. */
    private static final int NARROW_ROW = 16;

    /**
     * Narrow output rows (DCGAN's 7 and 14 wide maps, ResNet's 7x7s): the row-by-row loop spends more on each
     * row's bounds, fills and copy call than on its few values (measured 3 ns a value at 7 wide, stride 2), so
     * the tap table's one flat loop per tap takes over, when the table stays small.
     */
    private static boolean usesTapTable(ConvGeometry g) {
        return g.ow() < NARROW_ROW && g.kh() * g.kw() * g.outPixels() <= 1 << 16;
    }

    /** Tap tables by geometry: building one costs about as much as lowering a one-channel image. */
    private static final Map<ConvGeometry, int[][]> TAP_TABLES = new ConcurrentHashMap<>();

    private static final int MAX_CACHED_TABLES = 256;

    private static int[][] tapTable(ConvGeometry g) {
        int[][] table = TAP_TABLES.get(g);
        if (table == null) {
            if (TAP_TABLES.size() >= MAX_CACHED_TABLES) {
                TAP_TABLES.clear();
            }
            table = buildTapTable(g);
            TAP_TABLES.put(g, table);
        }
        return table;
    }

    /**
     * table[i*kw + j][y*ow + x] = the offset in an input plane that tap (i, j) reads for output (y, x), or -1 in
     * the padding: (y*sh - ph + i*dh) * w + (x*sw - pw + j*dw).
     */
    private static int[][] buildTapTable(ConvGeometry g) {
        int[][] table = new int[g.kh() * g.kw()][g.outPixels()];
        for (int i = 0; i < g.kh(); i++) {
            for (int j = 0; j < g.kw(); j++) {
                int[] tap = table[i * g.kw() + j];
                for (int y = 0; y < g.oh(); y++) {
                    int iy = y * g.sh() - g.ph() + i * g.dh();
                    for (int x = 0; x < g.ow(); x++) {
                        int ix = x * g.sw() - g.pw() + j * g.dw();
                        boolean inside = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                        tap[y * g.ow() + x] = inside ? iy * g.w() + ix : -1;
                    }
                }
            }
        }
        return table;
    }

    /** Smallest x >= 0 with x*s + shift >= 0. */
    private static int firstValid(int shift, int s) {
        return shift >= 0 ? 0 : (-shift + s - 1) / s;
    }

    /** Largest x with x*s + shift <= w - 1 (may be negative: no valid x). */
    private static int lastValid(int shift, int s, int w) {
        return Math.floorDiv(w - 1 - shift, s);
    }
}
