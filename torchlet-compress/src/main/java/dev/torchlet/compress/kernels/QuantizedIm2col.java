package dev.torchlet.compress.kernels;

/**
 * Patches of a uint8 image for the int8 convolution GEMM: for one image and one group, row r = oh * OW + ow holds
 * the group's input channels x kH x kW taps (column (c * kH + kh) * kW + kw); taps in the padding read
 * {@code padValue} (the input zero point, i.e. real 0).
 */
public final class QuantizedIm2col {
    private QuantizedIm2col() {}

    /**
     * @param x     uint8 input (C, H, W) of one image starting at xOff
     * @param c0    first channel of the group, {@code cg} channels
     * @param cols  output (OH * OW, cg * kH * kW)
     */
    public static void im2col(
            byte[] x,
            int xOff,
            int h,
            int w,
            int c0,
            int cg,
            int kH,
            int kW,
            int sH,
            int sW,
            int pH,
            int pW,
            int dH,
            int dW,
            int oh,
            int ow,
            byte padValue,
            byte[] cols) {
        int k = cg * kH * kW;
        for (int y = 0; y < oh; y++) {
            for (int xo = 0; xo < ow; xo++) {
                int row = (y * ow + xo) * k;
                int col = 0;
                for (int c = 0; c < cg; c++) {
                    int plane = xOff + (c0 + c) * h * w;
                    for (int ky = 0; ky < kH; ky++) {
                        int iy = y * sH - pH + ky * dH;
                        boolean rowInside = iy >= 0 && iy < h;
                        for (int kx = 0; kx < kW; kx++) {
                            int ix = xo * sW - pW + kx * dW;
                            cols[row + col++] = rowInside && ix >= 0 && ix < w ? x[plane + iy * w + ix] : padValue;
                        }
                    }
                }
            }
        }
    }
}
