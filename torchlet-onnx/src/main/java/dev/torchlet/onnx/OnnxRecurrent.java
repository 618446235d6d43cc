package dev.torchlet.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * ONNX's LSTM, GRU and RNN operators, step by step on Torchlet ops (differentiable). Layouts as the specification
 * gives them: X (T, N, I) (or (N, T, I) with layout=1), W (dirs, gates x H, I), R (dirs, gates x H, H), B (dirs,
 * 2 x gates x H: input biases, then recurrent ones); gate order i, o, f, c (LSTM), z, r, h (GRU). Outputs Y (T,
 * dirs, N, H), Y_h (dirs, N, H) and for LSTM Y_c. Peepholes and uneven sequence_lens are refused by name.
 */
final class OnnxRecurrent {
    private OnnxRecurrent() {}

    enum Kind {
        LSTM(4, new String[] {"Sigmoid", "Tanh", "Tanh"}),
        GRU(3, new String[] {"Sigmoid", "Tanh"}),
        RNN(1, new String[] {"Tanh"});

        final int gates;
        final String[] defaultActivations;

        Kind(int gates, String[] defaultActivations) {
            this.gates = gates;
            this.defaultActivations = defaultActivations;
        }
    }

    static OnnxOps.Op op(Kind kind) {
        return (n, in, training) -> run(kind, n, in);
    }

    private static UnaryOperator<Tensor> activation(OnnxNode n, String name) {
        return switch (name.toLowerCase()) {
            case "sigmoid" -> F::sigmoid;
            case "tanh" -> F::tanh;
            case "relu" -> F::relu;
            default ->
                throw new IllegalArgumentException(
                        n.describe() + ": activation '" + name + "' is not supported" + " (Sigmoid, Tanh, Relu)");
        };
    }

    private static Tensor[] run(Kind kind, OnnxNode n, Tensor[] in) {
        if (n.has("clip")) {
            throw new IllegalArgumentException(n.describe() + ": the clip attribute is not supported");
        }
        boolean batchFirst = n.i("layout", 0) != 0;
        Tensor x = batchFirst ? in[0].transpose(0, 1) : in[0]; // (T, N, I)
        Tensor w = in[1];
        Tensor r = in[2];
        Tensor b = in.length > 3 ? in[3] : null;
        Tensor lens = in.length > 4 ? in[4] : null;
        Tensor h0 = in.length > 5 ? in[5] : null;
        Tensor c0 = kind == Kind.LSTM && in.length > 6 ? in[6] : null;
        if (kind == Kind.LSTM && in.length > 7 && in[7] != null) {
            throw new IllegalArgumentException(n.describe() + ": peephole weights (input P) are not supported");
        }
        int steps = x.size(0);
        if (lens != null && Arrays.stream(lens.toLongArray()).anyMatch(v -> v != steps)) {
            throw new IllegalArgumentException(n.describe() + ": sequence_lens " + Arrays.toString(lens.toLongArray())
                    + " shorter than the sequence (" + steps + ") are not supported");
        }
        if (batchFirst && h0 != null) {
            h0 = h0.transpose(0, 1);
            c0 = c0 == null ? null : c0.transpose(0, 1);
        }
        String direction = n.s("direction", "forward");
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        int hidden = (int) n.i("hidden_size", r.size(2));
        String[] names = n.strings("activations", null);
        int perDir = kind.defaultActivations.length;
        List<Tensor> ys = new ArrayList<>();
        List<Tensor> hs = new ArrayList<>();
        List<Tensor> cs = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            boolean reverse = direction.equals("reverse") || d == 1;
            UnaryOperator<Tensor>[] act = activations(n, names, kind, d * perDir);
            Tensor wd = w.select(0, d); // (G H, I)
            Tensor rd = r.select(0, d); // (G H, H)
            Tensor wb = b == null ? null : b.select(0, d).narrow(0, 0, kind.gates * hidden);
            Tensor rb = b == null ? null : b.select(0, d).narrow(0, kind.gates * hidden, kind.gates * hidden);
            Tensor xw = x.matmul(wd.t()); // (T, N, G H): every step's input projection at once
            if (wb != null) {
                xw = xw.add(wb);
            }
            int batch = x.size(1);
            Tensor h = h0 != null ? h0.select(0, d) : Torch.zeros(x.dtype(), batch, hidden);
            Tensor c = c0 != null ? c0.select(0, d) : Torch.zeros(x.dtype(), batch, hidden);
            Tensor[] outputs = new Tensor[steps];
            for (int k = 0; k < steps; k++) {
                int t = reverse ? steps - 1 - k : k;
                Tensor xt = xw.select(0, t); // (N, G H)
                Tensor hr = h.matmul(rd.t());
                switch (kind) {
                    case LSTM -> {
                        Tensor gates = rb == null ? xt.add(hr) : xt.add(hr).add(rb);
                        Tensor i = act[0].apply(gates.narrow(1, 0, hidden));
                        Tensor o = act[0].apply(gates.narrow(1, hidden, hidden));
                        Tensor f = act[0].apply(gates.narrow(1, 2 * hidden, hidden));
                        Tensor g = act[1].apply(gates.narrow(1, 3 * hidden, hidden));
                        c = f.mul(c).add(i.mul(g));
                        h = o.mul(act[2].apply(c));
                    }
                    case GRU -> {
                        Tensor xz = xt.narrow(1, 0, hidden);
                        Tensor xr = xt.narrow(1, hidden, hidden);
                        Tensor xh = xt.narrow(1, 2 * hidden, hidden);
                        Tensor rbz = rb == null ? null : rb.narrow(0, 0, hidden);
                        Tensor rbr = rb == null ? null : rb.narrow(0, hidden, hidden);
                        Tensor rbh = rb == null ? null : rb.narrow(0, 2 * hidden, hidden);
                        Tensor z = act[0].apply(plus(xz.add(hr.narrow(1, 0, hidden)), rbz));
                        Tensor rg = act[0].apply(plus(xr.add(hr.narrow(1, hidden, hidden)), rbr));
                        Tensor candidate;
                        if (n.i("linear_before_reset", 0) != 0) {
                            candidate = act[1].apply(xh.add(rg.mul(plus(hr.narrow(1, 2 * hidden, hidden), rbh))));
                        } else {
                            Tensor rh = rd.narrow(0, 2 * hidden, hidden);
                            candidate = act[1].apply(plus(xh.add(rg.mul(h).matmul(rh.t())), rbh));
                        }
                        h = z.neg().add(1f).mul(candidate).add(z.mul(h));
                    }
                    case RNN -> h = act[0].apply(plus(xt.add(hr), rb));
                }
                outputs[t] = h;
            }
            ys.add(Torch.stack(Arrays.asList(outputs), 0)); // (T, N, H)
            hs.add(h);
            cs.add(c);
        }
        Tensor y = Torch.stack(ys, 1); // (T, dirs, N, H)
        Tensor yh = Torch.stack(hs, 0); // (dirs, N, H)
        Tensor yc = Torch.stack(cs, 0);
        if (batchFirst) {
            y = y.permute(2, 0, 1, 3); // (N, T, dirs, H)
            yh = yh.transpose(0, 1);
            yc = yc.transpose(0, 1);
        }
        return kind == Kind.LSTM ? new Tensor[] {y, yh, yc} : new Tensor[] {y, yh};
    }

    private static Tensor plus(Tensor a, Tensor bias) {
        return bias == null ? a : a.add(bias);
    }

    @SuppressWarnings("unchecked")
    private static UnaryOperator<Tensor>[] activations(OnnxNode n, String[] names, Kind kind, int offset) {
        int count = kind.defaultActivations.length;
        UnaryOperator<Tensor>[] out = new UnaryOperator[count];
        for (int k = 0; k < count; k++) {
            String name = names != null && names.length >= offset + count
                    ? names[offset + k]
                    : names != null && names.length == count ? names[k] : kind.defaultActivations[k];
            out[k] = activation(n, name);
        }
        return out;
    }
}
