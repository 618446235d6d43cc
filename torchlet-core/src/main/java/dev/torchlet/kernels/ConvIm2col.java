package dev.torchlet.kernels;

import java.util.Arrays;

/**
 * im2col and its adjoint col2im for one image and one group: the lowering that turns a convolution
 * into a GEMM.
 *
 * <pre>
 * col[(c*kh + i)*kw + j][y*ow + x] = in[c0 + c][y*sh - ph + i*dh][x*sw - pw + j*dw]   (0 outside)
 * </pre>
 * col is (cinG*kh*kw, oh*ow), row-major with leading dimension oh*ow.
 */
public final class ConvIm2col {
    private ConvIm2col() {}

    /** Fills col from the cinG channels starting at channel c0 of the image at inOff. */
    public static void im2col(ConvGeometry g, float[] in, int inOff, int c0, float[] col) {
        int h = g.h();
        int w = g.w();
        int ow = g.ow();
        int p = g.outPixels();
        int row = 0;
        for (int c = 0; c < g.cinG(); c++) {
            int plane = inOff + (c0 + c) * h * w;
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, row++) {
                    int shift = j * g.dw() - g.pw();
                    int x0 = firstValid(shift, g.sw());
                    int x1 = Math.min(ow, lastValid(shift, g.sw(), w) + 1);
                    for (int y = 0; y < g.oh(); y++) {
                        int dst = row * p + y * ow;
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
        int h = g.h();
        int w = g.w();
        int ow = g.ow();
        int p = g.outPixels();
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
                        int src = row * p + y * ow;
                        int dst = plane + iy * w + shift;
                        for (int x = x0; x < x1; x++) {
                            gradIn[dst + x * g.sw()] += col[src + x];
                        }
                    }
                }
            }
        }
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
