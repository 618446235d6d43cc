package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.RecurrentKernels;
import dev.torchlet.kernels.RecurrentReference;

/**
 * One recurrent layer over a whole sequence as a single differentiable op (like cuDNN's RNN):
 * given the input projection xp = x W_ih^T (B, T, G*H) of every step, runs the recurrence
 * h_t = cell(xp_t + b_ih + h_{t-1} W_hh^T + b_hh, ...) with a fused backward through time
 * (formulas in {@link RecurrentReference}). Modes: {@link #LSTM}, {@link #GRU}, {@link #RNN_TANH},
 * {@link #RNN_RELU}.
 *
 * <p>The autograd graph records one node with a single packed result [h_1..h_T (B, T, H) | c_T (B, H)];
 * the output, h_n and c_n are views of it, so gradients arriving at any of them reach the node.
 * float32 runs the SIMD kernels; float64 (for gradcheck) runs the reference loops.
 */
public final class Recurrent {
    /** Cell kinds (the kernels' mode numbers). */
    public static final int LSTM = RecurrentKernels.LSTM;

    public static final int GRU = RecurrentKernels.GRU;
    public static final int RNN_TANH = RecurrentKernels.RNN_TANH;
    public static final int RNN_RELU = RecurrentKernels.RNN_RELU;

    private Recurrent() {}

    /** Output (B, T, H), final hidden state (B, H) (a view of the output) and final cell state (B, H) or null. */
    public record Result(Tensor output, Tensor hn, Tensor cn) {}

    /**
     * @param xp  (B, T, G*H) input projection x W_ih^T (without bias)
     * @param h0  (B, H) initial hidden state
     * @param c0  (B, H) initial cell state (LSTM), else null
     * @param whh (G*H, H)
     * @param bih (G*H) or null
     * @param bhh (G*H) or null
     */
    public static Result sequence(
            String op, int mode, Tensor xp, Tensor h0, Tensor c0, Tensor whh, Tensor bih, Tensor bhh) {
        boolean lstm = mode == RecurrentKernels.LSTM;
        int g = RecurrentKernels.gates(mode);
        if (xp.dim() != 3 || whh.dim() != 2 || whh.size(0) != g * whh.size(1) || xp.size(2) != whh.size(0)) {
            throw new IllegalArgumentException(op + ": expected input projection (B, T, " + g + "*H) and W_hh (" + g
                    + "*H, H), got " + Shape.str(TensorInternals.shapeRef(xp)) + " and "
                    + Shape.str(TensorInternals.shapeRef(whh)));
        }
        int b = xp.size(0);
        int t = xp.size(1);
        int h = whh.size(1);
        checkShape(op, "h0", h0, b, h);
        if (lstm) {
            checkShape(op, "c0", c0, b, h);
        }
        checkBias(op, "b_ih", bih, g * h);
        checkBias(op, "b_hh", bhh, g * h);
        DType dt = xp.dtype();
        for (Tensor x : new Tensor[] {h0, c0, whh, bih, bhh}) {
            if (x != null && x.dtype() != dt) {
                throw new IllegalArgumentException(op + ": all tensors must have dtype " + dt + ", got " + x.dtype());
            }
        }
        if (dt != DType.FLOAT32 && dt != DType.FLOAT64) {
            throw new IllegalArgumentException(op + ": expected float32 or float64, got " + dt);
        }
        if (t == 0) {
            throw new IllegalArgumentException(
                    op + ": the sequence is empty (T = 0), got " + Shape.str(TensorInternals.shapeRef(xp)));
        }
        Tensor xc = xp.detach().contiguous();
        Tensor h0c = h0.detach().contiguous();
        Tensor c0c = lstm ? c0.detach().contiguous() : null;
        Tensor wc = whh.detach().contiguous();
        Tensor bx = bias(bih, dt, g * h);
        Tensor bh = bias(bhh, dt, g * h);
        int bth = b * t * h;
        int packed = bth + (lstm ? b * h : 0);
        Tensor all = Tensor.empty(dt, packed);
        Tensor gates = Tensor.empty(dt, b * t * g * h);
        Tensor aux = Tensor.empty(dt, mode == RecurrentKernels.LSTM || mode == RecurrentKernels.GRU ? bth : 0);
        if (dt == DType.FLOAT32) {
            RecurrentKernels.forward(
                    mode,
                    b,
                    t,
                    h,
                    TensorInternals.storage(xc).floats(),
                    xc.offset(),
                    TensorInternals.storage(h0c).floats(),
                    h0c.offset(),
                    lstm ? TensorInternals.storage(c0c).floats() : null,
                    lstm ? c0c.offset() : 0,
                    TensorInternals.storage(wc).floats(),
                    wc.offset(),
                    TensorInternals.storage(bx).floats(),
                    TensorInternals.storage(bh).floats(),
                    TensorInternals.storage(all).floats(),
                    TensorInternals.storage(gates).floats(),
                    TensorInternals.storage(aux).floats());
        } else {
            RecurrentReference.forward(
                    mode,
                    b,
                    t,
                    h,
                    TensorInternals.storage(xc).doubles(),
                    xc.offset(),
                    TensorInternals.storage(h0c).doubles(),
                    h0c.offset(),
                    lstm ? TensorInternals.storage(c0c).doubles() : null,
                    lstm ? c0c.offset() : 0,
                    TensorInternals.storage(wc).doubles(),
                    wc.offset(),
                    TensorInternals.storage(bx).doubles(),
                    TensorInternals.storage(bh).doubles(),
                    TensorInternals.storage(all).doubles(),
                    TensorInternals.storage(gates).doubles(),
                    TensorInternals.storage(aux).doubles());
        }
        if (lstm) { // c_T after the outputs
            Storage st = TensorInternals.storage(aux);
            for (int r = 0; r < b; r++) {
                int src = (r * t + t - 1) * h;
                if (dt == DType.FLOAT32) {
                    System.arraycopy(
                            st.floats(), src, TensorInternals.storage(all).floats(), bth + r * h, h);
                } else {
                    System.arraycopy(
                            st.doubles(), src, TensorInternals.storage(all).doubles(), bth + r * h, h);
                }
            }
        }
        Autograd.record(
                "RnnSequenceBackward",
                all,
                new Tensor[] {xp, h0, c0, whh, bih, bhh},
                new Tensor[] {h0c, c0c, wc, all, gates, aux},
                (grad, s) -> {
                    Tensor gc = Ops.contiguousAs(grad, dt);
                    Tensor dxp = Tensor.empty(dt, b, t, g * h);
                    Tensor dh0 = Tensor.empty(dt, b, h);
                    Tensor dc0 = lstm ? Tensor.empty(dt, b, h) : null;
                    Tensor dw = Tensor.empty(dt, g * h, h);
                    Tensor dbx = Tensor.empty(dt, g * h);
                    Tensor dbh = Tensor.empty(dt, g * h);
                    Tensor sh0 = s[0];
                    Tensor sc0 = s[1];
                    Tensor sw = s[2];
                    if (dt == DType.FLOAT32) {
                        RecurrentKernels.backward(
                                mode,
                                b,
                                t,
                                h,
                                TensorInternals.storage(gc).floats(),
                                gc.offset(),
                                lstm ? TensorInternals.storage(gc).floats() : null,
                                gc.offset() + bth,
                                TensorInternals.storage(sw).floats(),
                                sw.offset(),
                                TensorInternals.storage(sh0).floats(),
                                sh0.offset(),
                                lstm ? TensorInternals.storage(sc0).floats() : null,
                                lstm ? sc0.offset() : 0,
                                TensorInternals.storage(s[3]).floats(),
                                TensorInternals.storage(s[4]).floats(),
                                TensorInternals.storage(s[5]).floats(),
                                TensorInternals.storage(dxp).floats(),
                                TensorInternals.storage(dh0).floats(),
                                lstm ? TensorInternals.storage(dc0).floats() : null,
                                TensorInternals.storage(dw).floats(),
                                TensorInternals.storage(dbx).floats(),
                                TensorInternals.storage(dbh).floats());
                    } else {
                        RecurrentReference.backward(
                                mode,
                                b,
                                t,
                                h,
                                TensorInternals.storage(gc).doubles(),
                                gc.offset(),
                                lstm ? TensorInternals.storage(gc).doubles() : null,
                                gc.offset() + bth,
                                TensorInternals.storage(sw).doubles(),
                                sw.offset(),
                                TensorInternals.storage(sh0).doubles(),
                                sh0.offset(),
                                lstm ? TensorInternals.storage(sc0).doubles() : null,
                                lstm ? sc0.offset() : 0,
                                TensorInternals.storage(s[3]).doubles(),
                                TensorInternals.storage(s[4]).doubles(),
                                TensorInternals.storage(s[5]).doubles(),
                                TensorInternals.storage(dxp).doubles(),
                                TensorInternals.storage(dh0).doubles(),
                                lstm ? TensorInternals.storage(dc0).doubles() : null,
                                TensorInternals.storage(dw).doubles(),
                                TensorInternals.storage(dbx).doubles(),
                                TensorInternals.storage(dbh).doubles());
                    }
                    return new Tensor[] {dxp, dh0, dc0, dw, bih == null ? null : dbx, bhh == null ? null : dbh};
                });
        Tensor out = all.narrow(0, 0, bth).view(b, t, h);
        Tensor cn = lstm ? all.narrow(0, bth, b * h).view(b, h) : null;
        return new Result(out, out.select(1, t - 1), cn);
    }

    private static void checkBias(String op, String name, Tensor bias, int n) {
        if (bias != null && (bias.dim() != 1 || bias.size(0) != n)) {
            throw new IllegalArgumentException(op + ": expected " + name + " of shape (" + n + "), got "
                    + Shape.str(TensorInternals.shapeRef(bias)));
        }
    }

    /** A fresh dense copy of the bias (small), or zeros when there is none. */
    private static Tensor bias(Tensor bias, DType dt, int n) {
        return bias == null ? Tensor.empty(dt, n) : bias.detach().contiguousCopy();
    }

    private static void checkShape(String op, String name, Tensor x, int b, int h) {
        if (x == null || x.dim() != 2 || x.size(0) != b || x.size(1) != h) {
            throw new IllegalArgumentException(op + ": expected " + name + " of shape (" + b + ", " + h + "), got "
                    + (x == null ? "null" : Shape.str(TensorInternals.shapeRef(x))));
        }
    }
}
