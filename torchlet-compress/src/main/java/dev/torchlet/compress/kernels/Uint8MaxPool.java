package dev.torchlet.compress.kernels;

import dev.torchlet.kernels.Parallel;

/**
 * Max pooling on quint8 planes. Max commutes with the monotone map q -> (q - zp) * scale, so pooling the
 * integers equals pooling the real values and quantizing again; padding never wins (it is -inf in PyTorch).
 */
public final class Uint8MaxPool {
    private Uint8MaxPool() {}

    /** x: planes of (h, w) unsigned bytes; out: planes of (oh, ow). */
    public static void maxPool2d(
            byte[] x, int planes, int h, int w, int k, int stride, int pad, int dil, int oh, int ow, byte[] out) {
        if (k == 2 && stride == 2 && pad == 0 && dil == 1 && oh == h / 2 && ow == w / 2) {
            maxPool2x2(x, planes, h, w, out);
            return;
        }
        for (int p = 0; p < planes; p++) {
            int xb = p * h * w;
            int ob = p * oh * ow;
            for (int y = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++) {
                    int best = -1;
                    for (int ky = 0; ky < k; ky++) {
                        int iy = y * stride - pad + ky * dil;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int row = xb + iy * w;
                        for (int kx = 0; kx < k; kx++) {
                            int ix = xo * stride - pad + kx * dil;
                            if (ix >= 0 && ix < w) {
                                best = Math.max(best, x[row + ix] & 0xFF);
                            }
                        }
                    }
                    out[ob + y * ow + xo] = (byte) Math.max(best, 0);
                }
            }
        }
    }

    /** The common 2x2, stride 2 window without padding: four loads per output, no bounds tests. */
    private static void maxPool2x2(byte[] x, int planes, int h, int w, byte[] out) {
        Parallel.forRange(
                planes, Math.max(1, (1 << 15) / Math.max(1, h * w)), (p0, p1) -> maxPool2x2(x, p0, p1, h, w, out));
    }

    private static void maxPool2x2(byte[] x, int p0, int p1, int h, int w, byte[] out) {
        int oh = h / 2;
        int ow = w / 2;
        int o = p0 * oh * ow;
        for (int p = p0; p < p1; p++) {
            for (int y = 0; y < oh; y++) {
                int r0 = p * h * w + 2 * y * w;
                int r1 = r0 + w;
                for (int xo = 0; xo < ow; xo++, o++) {
                    int a = Math.max(x[r0 + 2 * xo] & 0xFF, x[r0 + 2 * xo + 1] & 0xFF);
                    int b = Math.max(x[r1 + 2 * xo] & 0xFF, x[r1 + 2 * xo + 1] & 0xFF);
                    out[o] = (byte) Math.max(a, b);
                }
            }
        }
    }
}
