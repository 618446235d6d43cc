package dev.torchlet.kernels;

import static dev.torchlet.kernels.RecurrentKernels.GRU;
import static dev.torchlet.kernels.RecurrentKernels.LSTM;
import static dev.torchlet.kernels.RecurrentKernels.RNN_RELU;

/**
 * Plain-loop oracle for {@link RecurrentKernels}, in double (also the float64 path of the op).
 * Same layouts and saved buffers. Per step, with a = xp + b_ih (xp = x W_ih^T given) and p = h' W_hh^T + b_hh:
 * <pre>
 *   LSTM: i, f, o = sigmoid(a + p)_{i,f,o}, g = tanh(a + p)_g, c = f c' + i g, h = o tanh(c)
 *   GRU:  r = sigmoid(a_r + p_r), z = sigmoid(a_z + p_z), n = tanh(a_n + r p_n), h = (1 - z) n + z h'
 *   RNN:  h = act(a + p), act = tanh or relu
 * </pre>
 * Backward: chain rule through these, step by step from the last; dW_hh = sum_t dp_t^T h_{t-1},
 * db_hh = sum_t dp_t, db_ih = sum_t da_t, dh_{t-1} = dp_t W_hh (+ z dh_t for GRU), dc_{t-1} = f dc_t (LSTM).
 */
public final class RecurrentReference {
    private RecurrentReference() {}

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    public static void forward(
            int mode,
            int b,
            int t,
            int h,
            double[] xp,
            int xpOff,
            double[] h0,
            int h0Off,
            double[] c0,
            int c0Off,
            double[] whh,
            int whhOff,
            double[] bx,
            double[] bh,
            double[] hs,
            double[] gates,
            double[] aux) {
        int gh = RecurrentKernels.gates(mode) * h;
        double[] p = new double[gh];
        for (int s = 0; s < t; s++) {
            for (int r = 0; r < b; r++) {
                int o = (r * t + s) * h;
                int g = (r * t + s) * gh;
                int x = xpOff + g;
                double[] a = new double[gh]; // x W_ih^T + b_ih
                for (int q = 0; q < gh; q++) {
                    a[q] = xp[x + q] + bx[q];
                }
                for (int q = 0; q < gh; q++) { // p = h' W_hh^T + b_hh
                    double acc = bh[q];
                    for (int k = 0; k < h; k++) {
                        double hk = s == 0 ? h0[h0Off + r * h + k] : hs[o - h + k];
                        acc += hk * whh[whhOff + q * h + k];
                    }
                    p[q] = acc;
                }
                for (int j = 0; j < h; j++) {
                    double hPrev = s == 0 ? h0[h0Off + r * h + j] : hs[o - h + j];
                    if (mode == LSTM) {
                        double cPrev = s == 0 ? c0[c0Off + r * h + j] : aux[o - h + j];
                        double i = sigmoid(a[j] + p[j]);
                        double f = sigmoid(a[h + j] + p[h + j]);
                        double gg = Math.tanh(a[2 * h + j] + p[2 * h + j]);
                        double og = sigmoid(a[3 * h + j] + p[3 * h + j]);
                        double c = f * cPrev + i * gg;
                        gates[g + j] = i;
                        gates[g + h + j] = f;
                        gates[g + 2 * h + j] = gg;
                        gates[g + 3 * h + j] = og;
                        aux[o + j] = c;
                        hs[o + j] = og * Math.tanh(c);
                    } else if (mode == GRU) {
                        double rr = sigmoid(a[j] + p[j]);
                        double z = sigmoid(a[h + j] + p[h + j]);
                        double n = Math.tanh(a[2 * h + j] + rr * p[2 * h + j]);
                        gates[g + j] = rr;
                        gates[g + h + j] = z;
                        gates[g + 2 * h + j] = n;
                        aux[o + j] = p[2 * h + j];
                        hs[o + j] = (1 - z) * n + z * hPrev;
                    } else {
                        double pre = a[j] + p[j];
                        gates[g + j] = pre;
                        hs[o + j] = mode == RNN_RELU ? Math.max(pre, 0) : Math.tanh(pre);
                    }
                }
            }
        }
    }

    public static void backward(
            int mode,
            int b,
            int t,
            int h,
            double[] dy,
            int dyOff,
            double[] dcn,
            int dcnOff,
            double[] whh,
            int whhOff,
            double[] h0,
            int h0Off,
            double[] c0,
            int c0Off,
            double[] hs,
            double[] gates,
            double[] aux,
            double[] dxp,
            double[] dh0,
            double[] dc0,
            double[] dwhh,
            double[] dbx,
            double[] dbh) {
        int gh = RecurrentKernels.gates(mode) * h;
        double[] dhp = new double[b * t * gh]; // gradient of p
        double[] dhNext = new double[b * h]; // dL/dh_{s} from step s+1
        double[] dc = new double[b * h];
        if (mode == LSTM && dcn != null) {
            for (int i = 0; i < b * h; i++) {
                dc[i] = dcn[dcnOff + (i / h) * h + i % h];
            }
        }
        for (int s = t - 1; s >= 0; s--) {
            double[] dhPrev = new double[b * h];
            for (int r = 0; r < b; r++) {
                int o = (r * t + s) * h;
                int g = (r * t + s) * gh;
                for (int j = 0; j < h; j++) {
                    double dh = dy[dyOff + o + j] + dhNext[r * h + j];
                    double hPrev = s == 0 ? h0[h0Off + r * h + j] : hs[o - h + j];
                    if (mode == LSTM) {
                        double cPrev = s == 0 ? c0[c0Off + r * h + j] : aux[o - h + j];
                        double i = gates[g + j];
                        double f = gates[g + h + j];
                        double gg = gates[g + 2 * h + j];
                        double og = gates[g + 3 * h + j];
                        double tc = Math.tanh(aux[o + j]);
                        double dcv = dc[r * h + j] + dh * og * (1 - tc * tc);
                        dxp[g + j] = dcv * gg * i * (1 - i);
                        dxp[g + h + j] = dcv * cPrev * f * (1 - f);
                        dxp[g + 2 * h + j] = dcv * i * (1 - gg * gg);
                        dxp[g + 3 * h + j] = dh * tc * og * (1 - og);
                        dc[r * h + j] = dcv * f;
                        for (int q = 0; q < 4; q++) {
                            dhp[g + q * h + j] = dxp[g + q * h + j];
                        }
                    } else if (mode == GRU) {
                        double rr = gates[g + j];
                        double z = gates[g + h + j];
                        double n = gates[g + 2 * h + j];
                        double dan = dh * (1 - z) * (1 - n * n);
                        double daz = dh * (hPrev - n) * z * (1 - z);
                        double dar = dan * aux[o + j] * rr * (1 - rr);
                        dxp[g + j] = dar;
                        dxp[g + h + j] = daz;
                        dxp[g + 2 * h + j] = dan;
                        dhp[g + j] = dar;
                        dhp[g + h + j] = daz;
                        dhp[g + 2 * h + j] = dan * rr;
                        dhPrev[r * h + j] += dh * z;
                    } else {
                        double y = hs[o + j];
                        double da = mode == RNN_RELU ? (y > 0 ? dh : 0) : dh * (1 - y * y);
                        dxp[g + j] = da;
                        dhp[g + j] = da;
                    }
                }
                for (int k = 0; k < h; k++) { // dh_{s-1} += dp_s W_hh
                    double acc = 0;
                    for (int q = 0; q < gh; q++) {
                        acc += dhp[g + q] * whh[whhOff + q * h + k];
                    }
                    dhPrev[r * h + k] += acc;
                }
            }
            dhNext = dhPrev;
        }
        System.arraycopy(dhNext, 0, dh0, 0, b * h);
        if (mode == LSTM && dc0 != null) {
            System.arraycopy(dc, 0, dc0, 0, b * h);
        }
        java.util.Arrays.fill(dwhh, 0, gh * h, 0);
        java.util.Arrays.fill(dbx, 0, gh, 0);
        java.util.Arrays.fill(dbh, 0, gh, 0);
        for (int r = 0; r < b; r++) {
            for (int s = 0; s < t; s++) {
                int g = (r * t + s) * gh;
                for (int q = 0; q < gh; q++) {
                    for (int k = 0; k < h; k++) {
                        double hk = s == 0 ? h0[h0Off + r * h + k] : hs[(r * t + s - 1) * h + k];
                        dwhh[q * h + k] += dhp[g + q] * hk;
                    }
                    dbh[q] += dhp[g + q];
                    dbx[q] += dxp[g + q];
                }
            }
        }
    }
}
