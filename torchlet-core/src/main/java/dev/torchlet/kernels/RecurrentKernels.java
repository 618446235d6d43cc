package dev.torchlet.kernels;

import static dev.torchlet.kernels.Simd.load;
import static dev.torchlet.kernels.Simd.store;
import static dev.torchlet.kernels.Simd.tail;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whole-sequence recurrent layers (LSTM, GRU, tanh/relu RNN) on float arrays, forward and
 * backward through time, the way cuDNN runs them: per step one GEMM for the hidden projection
 * (written straight into the step's gate rows) and one fused pass for the gate nonlinearities;
 * the backward keeps the gate gradients of every step so the weight gradient is one GEMM
 * over all B*T rows at the end. W_hh is packed once per sequence ({@link GemmKernels.PackedB}), and the
 * batch rows, which are independent through the whole sequence, are split between threads: one parallel region
 * per sequence, in which each thread runs every step (GEMM and gate pass) of its rows (same bits for any split).
 *
 * <p>Layouts (all row-major, dense): xp (B, T, G*H) = x W_ih^T at xpOff; h0, c0 (B, H);
 * whh (G*H, H); bx = b_ih and bh = b_hh (G*H, zeros when the layer has no bias). Saved for the
 * backward: hs (B, T, H) = h_t (the output), gates (B, T, G*H) and aux (B, T, H): LSTM gates =
 * activated i, f, g, o and aux = c_t; GRU gates = activated r, z, n and aux = h_{t-1} W_hn^T + b_hn;
 * RNN gates and aux unused.
 * Formulas in {@link RecurrentReference}, the plain-loop oracle (in double).
 */
public final class RecurrentKernels {
    public static final int LSTM = 0;
    public static final int GRU = 1;
    public static final int RNN_TANH = 2;
    public static final int RNN_RELU = 3;

    private static final VectorSpecies<Float> S = Simd.FLOAT;

    private RecurrentKernels() {}

    /** Gates per mode: 4 (LSTM), 3 (GRU), 1 (RNN). */
    public static int gates(int mode) {
        return mode == LSTM ? 4 : mode == GRU ? 3 : 1;
    }

    public static void forward(
            int mode,
            int b,
            int t,
            int h,
            float[] xp,
            int xpOff,
            float[] h0,
            int h0Off,
            float[] c0,
            int c0Off,
            float[] whh,
            int whhOff,
            float[] bx,
            float[] bh,
            float[] hs,
            float[] gates,
            float[] aux) {
        int gh = gates(mode) * h;
        // GRU keeps the hidden projection apart from xp (r multiplies only its n part)
        float[] hp = mode == GRU ? new float[b * gh] : null;
        float[] bsum = new float[gh]; // LSTM, RNN: both biases go to the pre-activation
        addInto(bx, 0, bh, 0, bsum, 0, gh);
        // every step multiplies by W_hh^T (H, G*H): pack it once for the whole sequence
        GemmKernels.PackedB whhT = GemmKernels.packB(true, h, gh, whh, whhOff, h);
        // the batch rows are independent through the whole sequence: each thread runs all the steps of its rows
        // (one parallel region per sequence; with one per step the threads met at every step: lstm bench 1.02x)
        Parallel.forRange(b, rowGrain(gh, h), (r0, r1) -> {
            for (int s = 0; s < t; s++) {
                forwardRows(
                        mode, s, r0, r1, t, h, xp, xpOff, h0, h0Off, c0, c0Off, whhT, bx, bh, bsum, hp, hs, gates, aux);
            }
        });
    }

    /** Batch rows per thread at the least: 2^18 multiply-adds of a step's GEMM (small layers: one thread). */
    private static int rowGrain(int gh, int h) {
        return Math.max(1, (1 << 18) / Math.max(1, gh * h));
    }

    /** Step s of the forward for batch rows [r0, r1). */
    private static void forwardRows(
            int mode,
            int s,
            int r0,
            int r1,
            int t,
            int h,
            float[] xp,
            int xpOff,
            float[] h0,
            int h0Off,
            float[] c0,
            int c0Off,
            GemmKernels.PackedB whhT,
            float[] bx,
            float[] bh,
            float[] bsum,
            float[] hp,
            float[] hs,
            float[] gates,
            float[] aux) {
        int gh = gates(mode) * h;
        int th = t * h;
        int tgh = t * gh;
        float[] hPrev = s == 0 ? h0 : hs;
        int hPrevOff = s == 0 ? h0Off : (s - 1) * h;
        int hPrevLd = s == 0 ? h : th;
        int rows = r1 - r0;
        if (mode == GRU) {
            for (int r = r0; r < r1; r++) {
                System.arraycopy(bh, 0, hp, r * gh, gh);
            }
            GemmKernels.sgemm(false, rows, 1f, hPrev, hPrevOff + r0 * hPrevLd, hPrevLd, whhT, 1f, hp, r0 * gh, gh);
        } else {
            // pre-activations of step s: xp + b_ih + b_hh, then += h_{s-1} W_hh^T in place
            for (int r = r0; r < r1; r++) {
                int dst = r * tgh + s * gh;
                addInto(xp, xpOff + dst, bsum, 0, gates, dst, gh);
            }
            GemmKernels.sgemm(
                    false, rows, 1f, hPrev, hPrevOff + r0 * hPrevLd, hPrevLd, whhT, 1f, gates, r0 * tgh + s * gh, tgh);
        }
        float[] xrow = mode == GRU ? new float[gh] : null;
        for (int r = r0; r < r1; r++) {
            int g = r * tgh + s * gh; // this step's gate row
            int o = r * th + s * h; // this step's state row
            int hp0 = hPrevOff + r * hPrevLd;
            switch (mode) {
                case LSTM -> {
                    float[] cPrev = s == 0 ? c0 : aux;
                    int cp = s == 0 ? c0Off + r * h : o - h;
                    lstmStep(h, gates, g, cPrev, cp, aux, hs, o);
                }
                case GRU -> {
                    addInto(xp, xpOff + g, bx, 0, xrow, 0, gh); // x W_ih^T + b_ih
                    gruStep(h, xrow, 0, hp, r * gh, hPrev, hp0, gates, g, aux, hs, o);
                }
                default -> rnnStep(h, mode == RNN_RELU, gates, g, hs, o);
            }
        }
    }

    private static void addInto(float[] a, int aOff, float[] b, int bOff, float[] out, int oOff, int n) {
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> m = tail(j, n);
            store(load(a, aOff + j, m).add(load(b, bOff + j, m)), out, oOff + j, m);
        }
    }

    // The step kernels are split into small single-purpose loops: one big loop with five inlined
    // exp polynomials was too large for the JIT (C1 ran out of registers, C2 compiled it late),
    // and uncompiled Vector API code is orders of magnitude slower. Each loop runs its full vectors
    // through a body method with a literal null mask and only the last partial vector with a mask:
    // inlined, the null folds away, so C2 parses one unmasked copy of the exp polynomials instead
    // of masked and unmasked ones. With both (the mask chosen at run time per vector) lstmStep and
    // lstmStepBack reached C2's inlining node cutoff and left Simd.load/store as calls that boxed
    // every vector.

    /** Vectors of a row of n floats that are full: the main loops run to here, then one masked vector. */
    private static int fullBound(int n) {
        return n - n % S.length();
    }

    /** The mask of the partial vector at the end of a row of n floats (call only when n % VL != 0). */
    private static VectorMask<Float> lastMask(int n) {
        return S.indexInRange(fullBound(n), n);
    }

    /** a[off .. off+n) = sigmoid(a[...]) in place. */
    private static void sigmoidInPlace(float[] a, int off, int n) {
        int full = fullBound(n);
        for (int j = 0; j < full; j += S.length()) {
            sigmoidAt(a, off + j, null);
        }
        if (full < n) {
            sigmoidAt(a, off + full, lastMask(n));
        }
    }

    private static void sigmoidAt(float[] a, int at, VectorMask<Float> m) {
        store(Simd.sigmoid(load(a, at, m)), a, at, m);
    }

    /** a[off .. off+n) = tanh(a[...]) in place. */
    private static void tanhInPlace(float[] a, int off, int n) {
        int full = fullBound(n);
        for (int j = 0; j < full; j += S.length()) {
            tanhAt(a, off + j, null);
        }
        if (full < n) {
            tanhAt(a, off + full, lastMask(n));
        }
    }

    private static void tanhAt(float[] a, int at, VectorMask<Float> m) {
        store(Simd.tanh(load(a, at, m)), a, at, m);
    }

    /** i, f, g, o from pre-activations (replaced by their activations); c = f c' + i g; h = o tanh(c). */
    private static void lstmStep(int h, float[] gates, int g, float[] cPrev, int cp, float[] cs, float[] hs, int o) {
        sigmoidInPlace(gates, g, 2 * h);
        tanhInPlace(gates, g + 2 * h, h);
        sigmoidInPlace(gates, g + 3 * h, h);
        int full = fullBound(h);
        for (int j = 0; j < full; j += S.length()) {
            lstmCellAt(h, gates, g + j, cPrev, cp + j, cs, hs, o + j, null);
        }
        if (full < h) {
            lstmCellAt(h, gates, g + full, cPrev, cp + full, cs, hs, o + full, lastMask(h));
        }
    }

    /** One vector of c = f c' + i g and h = o tanh(c): gates at ga (i; f at +h, g at +2h, o at +3h). */
    private static void lstmCellAt(
            int h, float[] gates, int ga, float[] cPrev, int cp, float[] cs, float[] hs, int o, VectorMask<Float> m) {
        FloatVector c = load(gates, ga + h, m)
                .mul(load(cPrev, cp, m))
                .add(load(gates, ga, m).mul(load(gates, ga + 2 * h, m)));
        store(c, cs, o, m);
        store(load(gates, ga + 3 * h, m).mul(Simd.tanh(c)), hs, o, m);
    }

    /** r, z = sigmoid(x + h), n = tanh(x_n + r hp_n), h = (1 - z) n + z h'. */
    private static void gruStep(
            int h,
            float[] xp,
            int x,
            float[] hp,
            int p,
            float[] hPrev,
            int hp0,
            float[] gates,
            int g,
            float[] hpn,
            float[] hs,
            int o) {
        addInto(xp, x, hp, p, gates, g, 2 * h);
        sigmoidInPlace(gates, g, 2 * h);
        int n2 = 2 * h;
        for (int j = 0; j < h; j += S.length()) {
            VectorMask<Float> m = tail(j, h);
            FloatVector hn = load(hp, p + n2 + j, m);
            store(hn, hpn, o + j, m);
            store(load(gates, g + j, m).fma(hn, load(xp, x + n2 + j, m)), gates, g + n2 + j, m);
        }
        tanhInPlace(gates, g + n2, h);
        for (int j = 0; j < h; j += S.length()) {
            VectorMask<Float> m = tail(j, h);
            FloatVector n = load(gates, g + n2 + j, m);
            FloatVector z = load(gates, g + h + j, m);
            store(z.fma(load(hPrev, hp0 + j, m).sub(n), n), hs, o + j, m); // (1 - z) n + z h' = n + z (h' - n)
        }
    }

    private static void rnnStep(int h, boolean relu, float[] pre, int g, float[] hs, int o) {
        if (!relu) {
            System.arraycopy(pre, g, hs, o, h);
            tanhInPlace(hs, o, h);
            return;
        }
        for (int j = 0; j < h; j += S.length()) {
            VectorMask<Float> m = tail(j, h);
            store(load(pre, g + j, m).max(0f), hs, o + j, m);
        }
    }

    /**
     * Backward through time. dy (B, T, H) is the output gradient (the final hidden state is a view of
     * the output, so its gradient is in dy); dcn (B, H) the final cell-state gradient (LSTM) or null.
     * Writes dxp (B, T, G*H) (= the gradient of the pre-activations, also that of xp), dh0 (B, H),
     * dc0 (B, H) (LSTM), dwhh (G*H, H), dbx = db_ih and dbh = db_hh (G*H).
     */
    public static void backward(
            int mode,
            int b,
            int t,
            int h,
            float[] dy,
            int dyOff,
            float[] dcn,
            int dcnOff,
            float[] whh,
            int whhOff,
            float[] h0,
            int h0Off,
            float[] c0,
            int c0Off,
            float[] hs,
            float[] gates,
            float[] aux,
            float[] dxp,
            float[] dh0,
            float[] dc0,
            float[] dwhh,
            float[] dbx,
            float[] dbh) {
        int gh = gates(mode) * h;
        int th = t * h;
        int tgh = t * gh;
        // GRU: the hidden projection's gradient differs from xp's in the n part (times r)
        float[] dhp = mode == GRU ? new float[b * tgh] : dxp;
        float[] dh = new float[b * h];
        float[] dhNext = new float[b * h];
        float[] dc = new float[b * h];
        if (mode == LSTM && dcn != null) {
            for (int r = 0; r < b; r++) {
                System.arraycopy(dcn, dcnOff + r * h, dc, r * h, h);
            }
        }
        // dh_{s-1} = dhp_s W_hh: W_hh (G*H, H) packed once for all steps
        GemmKernels.PackedB whhP = GemmKernels.packB(false, gh, h, whh, whhOff, h);
        // as in the forward: each thread runs every step of its batch rows
        Parallel.forRange(b, rowGrain(gh, h), (r0, r1) -> {
            for (int s = t - 1; s >= 0; s--) {
                backwardRows(
                        mode, s, r0, r1, t, h, dy, dyOff, whhP, h0, h0Off, c0, c0Off, hs, gates, aux, dxp, dhp, dh,
                        dhNext, dc);
            }
        });
        for (int r = 0; r < b; r++) {
            System.arraycopy(dhNext, r * h, dh0, r * h, h);
            if (mode == LSTM && dc0 != null) {
                System.arraycopy(dc, r * h, dc0, r * h, h);
            }
        }
        // dW_hh = sum_t dhp_t^T h_{t-1}: one GEMM over all (b, t) rows of h shifted by one step
        float[] hPrevAll = new float[b * th];
        for (int r = 0; r < b; r++) {
            System.arraycopy(h0, h0Off + r * h, hPrevAll, r * th, h);
            System.arraycopy(hs, r * th, hPrevAll, r * th + h, th - h);
        }
        GemmKernels.sgemm(true, false, gh, h, b * t, 1f, dhp, 0, gh, hPrevAll, 0, h, 0f, dwhh, 0, h);
        columnSum(dhp, b * t, gh, dbh);
        if (mode == GRU) {
            columnSum(dxp, b * t, gh, dbx);
        } else {
            System.arraycopy(dbh, 0, dbx, 0, gh);
        }
    }

    /** Step s of the backward for batch rows [r0, r1): gate gradients, then dh_{s-1} of those rows. */
    private static void backwardRows(
            int mode,
            int s,
            int r0,
            int r1,
            int t,
            int h,
            float[] dy,
            int dyOff,
            GemmKernels.PackedB whhP,
            float[] h0,
            int h0Off,
            float[] c0,
            int c0Off,
            float[] hs,
            float[] gates,
            float[] aux,
            float[] dxp,
            float[] dhp,
            float[] dh,
            float[] dhNext,
            float[] dc) {
        int gh = gates(mode) * h;
        int th = t * h;
        int tgh = t * gh;
        float[] tc = new float[h];
        for (int r = r0; r < r1; r++) {
            int g = r * tgh + s * gh;
            int o = r * th + s * h;
            int d = r * h;
            addInto(dy, dyOff + o, dhNext, d, dh, d, h); // dh = dy_s + (gradient from step s+1)
            switch (mode) {
                case LSTM -> {
                    float[] cPrev = s == 0 ? c0 : aux;
                    int cp = s == 0 ? c0Off + d : o - h;
                    lstmStepBack(h, gates, g, aux, o, cPrev, cp, dh, dc, d, dxp, tc);
                }
                case GRU -> {
                    float[] hPrev = s == 0 ? h0 : hs;
                    int hp0 = s == 0 ? h0Off + d : o - h;
                    gruStepBack(h, gates, g, aux, o, hPrev, hp0, dh, d, dxp, dhp, dhNext);
                }
                default -> rnnStepBack(h, mode == RNN_RELU, hs, o, dh, d, dxp, g);
            }
        }
        // dh_{s-1} = dhp_s W_hh (+ z dh_s for GRU, already in dhNext)
        GemmKernels.sgemm(
                false, r1 - r0, 1f, dhp, r0 * tgh + s * gh, tgh, whhP, mode == GRU ? 1f : 0f, dhNext, r0 * h, h);
    }

    /** out[q] = sum over rows of a[row * n + q], rows added in order (deterministic). */
    private static void columnSum(float[] a, int rows, int n, float[] out) {
        java.util.Arrays.fill(out, 0, n, 0f);
        for (int row = 0; row < rows; row++) {
            addInto(out, 0, a, row * n, out, 0, n);
        }
    }

    private static void lstmStepBack(
            int h,
            float[] gates,
            int g,
            float[] cs,
            int o,
            float[] cPrev,
            int cp,
            float[] dhArr,
            float[] dcArr,
            int d,
            float[] dxp,
            float[] tc) {
        System.arraycopy(cs, o, tc, 0, h);
        tanhInPlace(tc, 0, h);
        int full = fullBound(h);
        for (int j = 0; j < full; j += S.length()) {
            lstmOutputBackAt(h, gates, g + j, tc, j, dhArr, dcArr, d + j, dxp, null);
        }
        if (full < h) {
            lstmOutputBackAt(h, gates, g + full, tc, full, dhArr, dcArr, d + full, dxp, lastMask(h));
        }
        for (int j = 0; j < full; j += S.length()) {
            lstmGatesBackAt(h, gates, g + j, cPrev, cp + j, dcArr, d + j, dxp, null);
        }
        if (full < h) {
            lstmGatesBackAt(h, gates, g + full, cPrev, cp + full, dcArr, d + full, dxp, lastMask(h));
        }
    }

    /** One vector of dc += dh o (1 - tanh(c)^2) and d(pre-o) = dh tanh(c) o (1 - o); gates at ga (gate i). */
    private static void lstmOutputBackAt(
            int h,
            float[] gates,
            int ga,
            float[] tc,
            int t0,
            float[] dhArr,
            float[] dcArr,
            int d,
            float[] dxp,
            VectorMask<Float> m) {
        FloatVector t = load(tc, t0, m);
        FloatVector og = load(gates, ga + 3 * h, m);
        FloatVector dh = load(dhArr, d, m);
        store(dh.mul(og).mul(t.mul(t).neg().add(1f)).add(load(dcArr, d, m)), dcArr, d, m);
        store(dh.mul(t).mul(og).mul(og.neg().add(1f)), dxp, ga + 3 * h, m);
    }

    /** One vector of the i, f, g pre-activation gradients from dc, and dc_{t-1} = dc f. */
    private static void lstmGatesBackAt(
            int h,
            float[] gates,
            int ga,
            float[] cPrev,
            int cp,
            float[] dcArr,
            int d,
            float[] dxp,
            VectorMask<Float> m) {
        FloatVector i = load(gates, ga, m);
        FloatVector f = load(gates, ga + h, m);
        FloatVector gg = load(gates, ga + 2 * h, m);
        FloatVector dc = load(dcArr, d, m);
        store(dc.mul(gg).mul(i).mul(i.neg().add(1f)), dxp, ga, m); // di i (1 - i)
        store(dc.mul(load(cPrev, cp, m)).mul(f).mul(f.neg().add(1f)), dxp, ga + h, m); // df f (1 - f)
        store(dc.mul(i).mul(gg.mul(gg).neg().add(1f)), dxp, ga + 2 * h, m); // dg (1 - g^2)
        store(dc.mul(f), dcArr, d, m); // dc_{t-1}
    }

    private static void gruStepBack(
            int h,
            float[] gates,
            int g,
            float[] hpn,
            int o,
            float[] hPrev,
            int hp0,
            float[] dhArr,
            int d,
            float[] dxp,
            float[] dhp,
            float[] dhNext) {
        for (int j = 0; j < h; j += S.length()) {
            VectorMask<Float> m = tail(j, h);
            FloatVector r = load(gates, g + j, m);
            FloatVector z = load(gates, g + h + j, m);
            FloatVector n = load(gates, g + 2 * h + j, m);
            FloatVector dh = load(dhArr, d + j, m);
            FloatVector dan = dh.mul(z.neg().add(1f)).mul(n.mul(n).neg().add(1f)); // dn (1 - n^2)
            FloatVector daz =
                    dh.mul(load(hPrev, hp0 + j, m).sub(n)).mul(z).mul(z.neg().add(1f));
            FloatVector dar = dan.mul(load(hpn, o + j, m)).mul(r).mul(r.neg().add(1f));
            store(dar, dxp, g + j, m);
            store(daz, dxp, g + h + j, m);
            store(dan, dxp, g + 2 * h + j, m);
            store(dar, dhp, g + j, m);
            store(daz, dhp, g + h + j, m);
            store(dan.mul(r), dhp, g + 2 * h + j, m);
            store(dh.mul(z), dhNext, d + j, m); // the direct path z h'; the GEMM adds dhp W_hh
        }
    }

    private static void rnnStepBack(int h, boolean relu, float[] hs, int o, float[] dhArr, int d, float[] dxp, int g) {
        if (relu) {
            // scalar on purpose: with the relu blend and the tanh product in one vector loop, C2 of JDK 25.0.3
            // compiled code that stopped the JVM ("fatal error: DEBUG MESSAGE") once the method got hot
            // (RecurrentJitStressTest); this is O(H) per row next to the step's O(G*H*H) GEMM
            for (int j = 0; j < h; j++) {
                dxp[g + j] = hs[o + j] > 0f ? dhArr[d + j] : 0f; // relu'(a) = [y > 0]
            }
            return;
        }
        for (int j = 0; j < h; j += S.length()) { // tanh'(a) = 1 - y^2
            VectorMask<Float> m = tail(j, h);
            FloatVector y = load(hs, o + j, m);
            store(load(dhArr, d + j, m).mul(y.mul(y).neg().add(1f)), dxp, g + j, m);
        }
    }
}
