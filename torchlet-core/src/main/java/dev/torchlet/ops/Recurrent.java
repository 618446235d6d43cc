package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
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
    public static Result sequence(String op, int mode, Tensor xp, Tensor h0, Tensor c0, Tensor whh, Tensor bih,
                                  Tensor bhh) {
        boolean lstm = mode == RecurrentKernels.LSTM;
        int g = RecurrentKernels.gates(mode);
        if (xp.dim() != 3 || whh.dim() != 2 || whh.size(0) != g * whh.size(1) || xp.size(2) != whh.size(0)) {
            throw new IllegalArgumentException(op + ": expected input projection (B, T, " + g + "*H) and W_hh ("
                    + g + "*H, H), got " + Shape.str(xp.shapeRef()) + " and " + Shape.str(whh.shapeRef()));
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
            throw new IllegalArgumentException(op + ": the sequence is empty (T = 0), got "
                    + Shape.str(xp.shapeRef()));
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
            RecurrentKernels.forward(mode, b, t, h, xc.storage().floats(), xc.offset(), h0c.storage().floats(),
                    h0c.offset(), lstm ? c0c.storage().floats() : null, lstm ? c0c.offset() : 0, wc.storage().floats(),
                    wc.offset(), bx.storage().floats(), bh.storage().floats(),
                    all.storage().floats(), gates.storage().floats(), aux.storage().floats());
        } else {
            RecurrentReference.forward(mode, b, t, h, xc.storage().doubles(), xc.offset(), h0c.storage().doubles(),
                    h0c.offset(), lstm ? c0c.storage().doubles() : null, lstm ? c0c.offset() : 0,
                    wc.storage().doubles(), wc.offset(), bx.storage().doubles(), bh.storage().doubles(),
                    all.storage().doubles(), gates.storage().doubles(),
                    aux.storage().doubles());
        }
        if (lstm) { // c_T after the outputs
            Storage st = aux.storage();
            for (int r = 0; r < b; r++) {
                int src = (r * t + t - 1) * h;
                if (dt == DType.FLOAT32) {
                    System.arraycopy(st.floats(), src, all.storage().floats(), bth + r * h, h);
                } else {
                    System.arraycopy(st.doubles(), src, all.storage().doubles(), bth + r * h, h);
                }
            }
        }
        Autograd.record("RnnSequenceBackward", all, new Tensor[] {xp, h0, c0, whh, bih, bhh},
                new Tensor[] {h0c, c0c, wc, all, gates, aux}, (grad, s) -> {
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
                        RecurrentKernels.backward(mode, b, t, h, gc.storage().floats(), gc.offset(),
                                lstm ? gc.storage().floats() : null, gc.offset() + bth, sw.storage().floats(),
                                sw.offset(), sh0.storage().floats(), sh0.offset(),
                                lstm ? sc0.storage().floats() : null, lstm ? sc0.offset() : 0,
                                s[3].storage().floats(), s[4].storage().floats(), s[5].storage().floats(),
                                dxp.storage().floats(), dh0.storage().floats(), lstm ? dc0.storage().floats() : null,
                                dw.storage().floats(), dbx.storage().floats(), dbh.storage().floats());
                    } else {
                        RecurrentReference.backward(mode, b, t, h, gc.storage().doubles(), gc.offset(),
                                lstm ? gc.storage().doubles() : null, gc.offset() + bth, sw.storage().doubles(),
                                sw.offset(), sh0.storage().doubles(), sh0.offset(),
                                lstm ? sc0.storage().doubles() : null, lstm ? sc0.offset() : 0,
                                s[3].storage().doubles(), s[4].storage().doubles(), s[5].storage().doubles(),
                                dxp.storage().doubles(), dh0.storage().doubles(),
                                lstm ? dc0.storage().doubles() : null, dw.storage().doubles(), dbx.storage().doubles(),
                                dbh.storage().doubles());
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
                    + Shape.str(bias.shapeRef()));
        }
    }

    /** A fresh dense copy of the bias (small), or zeros when there is none. */
    private static Tensor bias(Tensor bias, DType dt, int n) {
        return bias == null ? Tensor.empty(dt, n) : bias.detach().contiguousCopy();
    }

    private static void checkShape(String op, String name, Tensor x, int b, int h) {
        if (x == null || x.dim() != 2 || x.size(0) != b || x.size(1) != h) {
            throw new IllegalArgumentException(op + ": expected " + name + " of shape (" + b + ", " + h + "), got "
                    + (x == null ? "null" : Shape.str(x.shapeRef())));
        }
    }
}
