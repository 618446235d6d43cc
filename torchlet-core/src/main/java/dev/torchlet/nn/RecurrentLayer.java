package dev.torchlet.nn;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.functional.F;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared machinery of RNN, LSTM and GRU: PyTorch's parameter names and shapes per layer k
 * ({@code weight_ih_l<k>} (G*H, in), {@code weight_hh_l<k>} (G*H, H), {@code bias_ih_l<k>},
 * {@code bias_hh_l<k>}, with G gates), init U(-1/sqrt(H), 1/sqrt(H)), batch-first or
 * time-first layout, and dropout between layers in training.
 *
 * <p>Per layer, the input projection of all time steps is one matmul; the recurrence over the
 * steps is one fused op ({@link F#recurrent}) with a backward through time.
 */
public abstract class RecurrentLayer extends Module {
    protected final int inputSize;
    protected final int hiddenSize;
    protected final int numLayers;
    protected final boolean batchFirst;
    protected final double dropout;
    private final int gates;
    private final RecurrentOptions options;

    protected RecurrentLayer(RecurrentOptions options, int gates) {
        this.options = options;
        this.inputSize = options.inputSize();
        this.hiddenSize = options.hiddenSize();
        this.numLayers = options.numLayers();
        this.batchFirst = options.batchFirst();
        this.dropout = options.dropout();
        this.gates = gates;
        boolean bias = options.bias();
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int k = 0; k < numLayers; k++) {
            int in = k == 0 ? inputSize : hiddenSize;
            Init.uniform(registerParameter("weight_ih_l" + k, Torch.zeros(gates * hiddenSize, in)), -bound, bound);
            Init.uniform(
                    registerParameter("weight_hh_l" + k, Torch.zeros(gates * hiddenSize, hiddenSize)), -bound, bound);
            if (bias) {
                Init.uniform(registerParameter("bias_ih_l" + k, Torch.zeros(gates * hiddenSize)), -bound, bound);
                Init.uniform(registerParameter("bias_hh_l" + k, Torch.zeros(gates * hiddenSize)), -bound, bound);
            }
        }
    }

    public RecurrentOptions options() {
        return options;
    }

    /** Output of all steps (B, T, H) or (T, B, H), and the final hidden (and cell) state (layers, B, H). */
    public record Output(Tensor output, Tensor hidden, Tensor cell) implements ForwardResult<Output> {
        @Override
        public Output withOutput(Tensor replacement) {
            return new Output(replacement, hidden, cell);
        }
    }

    /** The options, after checking that a gated cell (LSTM, GRU) was not asked for a relu nonlinearity. */
    static RecurrentOptions checkTanh(String layer, RecurrentOptions options) {
        if (!options.nonlinearity().equals("tanh")) {
            throw new IllegalArgumentException(
                    layer + ": nonlinearity applies to RNN only, got '" + options.nonlinearity() + "'");
        }
        return options;
    }

    /** The cell: LSTM, GRU, RNN_TANH or RNN_RELU. */
    protected abstract F.RecurrentCell cell();

    /** Whether the state has a cell part (LSTM). */
    protected abstract boolean hasCell();

    /** Output sequence only (like taking {@code output, _ = rnn(x)}). */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null).output();
    }

    /**
     * @param input (B, T, in) if batchFirst else (T, B, in); unbatched (T, in) also accepted
     * @param h0    initial hidden state (layers, B, H) or null for zeros
     * @param c0    initial cell state (LSTM only) or null for zeros
     */
    public Output forward(Tensor input, Tensor h0, Tensor c0) {
        String op = getClass().getSimpleName();
        boolean unbatched = input.dim() == 2;
        Tensor x = unbatched ? input.unsqueeze(batchFirst ? 0 : 1) : input;
        if (x.dim() != 3 || x.size(2) != inputSize) {
            throw new IllegalArgumentException(op + ": expected input of shape " + (batchFirst ? "(B, T, " : "(T, B, ")
                    + inputSize + "), got " + Shape.str(TensorInternals.shapeRef(input)));
        }
        if (!batchFirst) {
            x = x.transpose(0, 1); // (B, T, in)
        }
        int b = x.size(0);
        int t = x.size(1);
        List<Tensor> hn = new ArrayList<>();
        List<Tensor> cn = new ArrayList<>();
        Tensor layerIn = x;
        for (int k = 0; k < numLayers; k++) {
            Tensor hInit = initial(op, "h0", h0, k, b);
            Tensor cInit = hasCell() ? initial(op, "c0", c0, k, b) : null;
            // (B*T, in) @ (in, G*H): the input projection of every step at once, as one 2-D product (its
            // weight gradient is then one GEMM, not a per-batch stack summed afterwards); the op adds b_ih
            Tensor proj = layerIn.reshape(b * t, layerIn.size(2))
                    .matmul(parameter("weight_ih_l" + k).t())
                    .view(b, t, -1);
            var r = F.recurrent(
                    op,
                    cell(),
                    proj,
                    hInit,
                    cInit,
                    parameter("weight_hh_l" + k),
                    parameter("bias_ih_l" + k),
                    parameter("bias_hh_l" + k));
            Tensor layerOut = r.output(); // (B, T, H)
            hn.add(r.hn());
            if (hasCell()) {
                cn.add(r.cn());
            }
            if (k < numLayers - 1 && dropout > 0) {
                layerOut = F.dropout(layerOut, dropout, isTraining());
            }
            layerIn = layerOut;
        }
        Tensor out = batchFirst ? layerIn : layerIn.transpose(0, 1);
        Tensor h = Torch.stack(hn, 0);
        Tensor c = hasCell() ? Torch.stack(cn, 0) : null;
        if (unbatched) {
            out = out.squeeze(batchFirst ? 0 : 1);
            h = h.squeeze(1);
            c = c == null ? null : c.squeeze(1);
        }
        return new Output(out, h, c);
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor)} through the forward hooks. */
    public final Output call(Tensor input, Tensor h0, Tensor c0) {
        return callWithHooks(a -> forward((Tensor) a[0], (Tensor) a[1], (Tensor) a[2]), input, h0, c0);
    }

    private Tensor initial(String op, String name, Tensor given, int layer, int batch) {
        if (given == null) {
            return Torch.zeros(batch, hiddenSize);
        }
        Tensor g = given.dim() == 2 ? given.unsqueeze(1) : given;
        if (g.dim() != 3 || g.size(0) != numLayers || g.size(1) != batch || g.size(2) != hiddenSize) {
            throw new IllegalArgumentException(op + ": expected " + name + " of shape (" + numLayers + ", " + batch
                    + ", " + hiddenSize + "), got " + Shape.str(TensorInternals.shapeRef(given)));
        }
        return g.select(0, layer);
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (numLayers != 1 ? ", num_layers=" + numLayers : "")
                + (batchFirst ? ", batch_first=True" : "") + (dropout != 0 ? ", dropout=" + dropout : "");
    }
}
