package dev.torchlet.kernels;

/**
 * Plain-loop oracle for {@link AttentionKernels}, in double (also the float64 path of the op).
 * Same formulas and layouts; operands as (array, offset, ld).
 */
public final class AttentionReference {
    private AttentionReference() {}

    public record Operand(double[] a, int off, int ld) {
        double get(int batch, int rows, int r, int c) {
            return a[off + (batch * rows + r) * ld + c];
        }

        void set(int batch, int rows, int r, int c, double x) {
            a[off + (batch * rows + r) * ld + c] = x;
        }
    }

    public static void forward(
            int b,
            int heads,
            int tq,
            int tk,
            int hd,
            double scale,
            Operand q,
            Operand k,
            Operand v,
            double[] mask,
            int maskOff,
            int maskBatchStride,
            double[] rand,
            double p,
            double[] probs,
            double[] dropped,
            Operand out) {
        double keepScale = p >= 1 ? 0 : 1 / (1 - p);
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                int pOff = (bi * heads + h) * tq * tk;
                for (int i = 0; i < tq; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tk; j++) {
                        double sc = 0;
                        for (int c = 0; c < hd; c++) {
                            sc += q.get(bi, tq, i, h * hd + c) * k.get(bi, tk, j, h * hd + c);
                        }
                        sc *= scale;
                        if (mask != null) {
                            sc += mask[maskOff + bi * maskBatchStride + i * tk + j];
                        }
                        probs[pOff + i * tk + j] = sc;
                        max = Math.max(max, sc);
                    }
                    double sum = 0;
                    for (int j = 0; j < tk; j++) {
                        double e = Math.exp(probs[pOff + i * tk + j] - max);
                        probs[pOff + i * tk + j] = e;
                        sum += e;
                    }
                    for (int j = 0; j < tk; j++) {
                        int at = pOff + i * tk + j;
                        probs[at] /= sum;
                        if (rand != null) {
                            dropped[at] = probs[at] * (rand[at] >= p ? keepScale : 0);
                        }
                    }
                }
                double[] pd = rand != null ? dropped : probs;
                for (int i = 0; i < tq; i++) {
                    for (int c = 0; c < hd; c++) {
                        double acc = 0;
                        for (int j = 0; j < tk; j++) {
                            acc += pd[pOff + i * tk + j] * v.get(bi, tk, j, h * hd + c);
                        }
                        out.set(bi, tq, i, h * hd + c, acc);
                    }
                }
            }
        }
    }

    public static void backward(
            int b,
            int heads,
            int tq,
            int tk,
            int hd,
            double scale,
            Operand q,
            Operand k,
            Operand v,
            double[] probs,
            double[] dropped,
            Operand dOut,
            Operand dq,
            Operand dk,
            Operand dv) {
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                int pOff = (bi * heads + h) * tq * tk;
                double[] ds = new double[tq * tk];
                for (int i = 0; i < tq; i++) {
                    double dot = 0;
                    for (int j = 0; j < tk; j++) {
                        double g = 0; // dPd = dO V^T
                        for (int c = 0; c < hd; c++) {
                            g += dOut.get(bi, tq, i, h * hd + c) * v.get(bi, tk, j, h * hd + c);
                        }
                        ds[i * tk + j] = g;
                        dot += dropped[pOff + i * tk + j] * g;
                    }
                    for (int j = 0; j < tk; j++) {
                        ds[i * tk + j] = dropped[pOff + i * tk + j] * ds[i * tk + j] - probs[pOff + i * tk + j] * dot;
                    }
                }
                for (int c = 0; c < hd; c++) {
                    for (int j = 0; j < tk; j++) { // dV = Pd^T dO ; dK = scale dS^T Q
                        double accV = 0;
                        double accK = 0;
                        for (int i = 0; i < tq; i++) {
                            accV += dropped[pOff + i * tk + j] * dOut.get(bi, tq, i, h * hd + c);
                            accK += ds[i * tk + j] * q.get(bi, tq, i, h * hd + c);
                        }
                        dv.set(bi, tk, j, h * hd + c, accV);
                        dk.set(bi, tk, j, h * hd + c, scale * accK);
                    }
                    for (int i = 0; i < tq; i++) { // dQ = scale dS K
                        double acc = 0;
                        for (int j = 0; j < tk; j++) {
                            acc += ds[i * tk + j] * k.get(bi, tk, j, h * hd + c);
                        }
                        dq.set(bi, tq, i, h * hd + c, scale * acc);
                    }
                }
            }
        }
    }
}
