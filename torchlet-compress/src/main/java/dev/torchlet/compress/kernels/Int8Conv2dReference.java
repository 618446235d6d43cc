package dev.torchlet.compress.kernels;

import dev.torchlet.kernels.ConvGeometry;

/** Plain-loop int8 convolution: the oracle {@link Int8Conv2d} is tested against. */
public final class Int8Conv2dReference {
    private Int8Conv2dReference() {}

    /**
     * {@code acc[n][co][y][x] = sum_{c, i, j} in'[n][g*cinG + c][y*sh - ph + i*dh][x*sw - pw + j*dw] *
     * w[co][c][i][j]} with g = co / coutG, in' = the uint8 input or inZeroPoint outside it (a real zero).
     * in (N, Cin, H, W) uint8 at inOff; w (Cout, Cin/groups, kh, kw) int8; acc (N, Cout, OH, OW) at accOff.
     */
    public static void conv2d(ConvGeometry g, byte[] in, int inOff, int inZeroPoint, byte[] w, int[] acc, int accOff) {
        int cinG = g.cinG();
        int coutG = g.coutG();
        for (int n = 0; n < g.n(); n++) {
            for (int co = 0; co < g.cout(); co++) {
                int c0 = (co / coutG) * cinG;
                for (int y = 0; y < g.oh(); y++) {
                    for (int x = 0; x < g.ow(); x++) {
                        int s = 0;
                        for (int c = 0; c < cinG; c++) {
                            for (int i = 0; i < g.kh(); i++) {
                                for (int j = 0; j < g.kw(); j++) {
                                    int iy = y * g.sh() - g.ph() + i * g.dh();
                                    int ix = x * g.sw() - g.pw() + j * g.dw();
                                    int v = iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()
                                            ? inZeroPoint
                                            : in[inOff + ((n * g.cin() + c0 + c) * g.h() + iy) * g.w() + ix] & 0xFF;
                                    s += v * w[((co * cinG + c) * g.kh() + i) * g.kw() + j];
                                }
                            }
                        }
                        acc[accOff + ((n * g.cout() + co) * g.oh() + y) * g.ow() + x] = s;
                    }
                }
            }
        }
    }
}
