package dev.torchlet.nn;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.functional.F;
import dev.torchlet.ops.Recurrent;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared machinery of RNN, LSTM and GRU: PyTorch's parameter names and shapes per layer k and
 * direction (suffix "" or {@code _reverse}): {@code weight_ih_l<k>} (G*H, in_k), {@code weight_hh_l<k>}
 * (G*H, Hr), {@code bias_ih_l<k>}, {@code bias_hh_l<k>} (G*H) and, for an LSTM with a projection,
 * {@code weight_hr_l<k>} (P, H); G gates, Hr = P if projSize &gt; 0 else H, in_k = input size for
 * k = 0 else D*Hr with D = 2 directions if bidirectional. Init U(-1/sqrt(H), 1/sqrt(H)); batch-first
 * or time-first layout; dropout between layers in training; {@link PackedSequence} inputs.
 *
 * <p>Per layer and direction, the input projection of all time steps is one matmul; the recurrence
 * over the steps is one fused op ({@link F#recurrent}) with a backward through time; see
 * {@link F#recurrentDirection}.
 *
 * <p>Extension point: a subclass that holds its weights in another form (e.g. dynamic int8 quantization in
 * torchlet-compress) passes {@code registerWeights = false} to the constructor and overrides
 * {@link #direction}; input checks, initial states, packed sequences, layer stacking and the output layout
 * stay here.
 */
public abstract class RecurrentLayer extends Module {
    protected final int inputSize;
    protected final int hiddenSize;
    protected final int numLayers;
    protected final boolean batchFirst;
    protected final double dropout;
    protected final boolean bidirectional;
    protected final int projSize;
    private final int gates;
    private final RecurrentOptions options;

    protected RecurrentLayer(RecurrentOptions options, int gates) {
        this(options, gates, true);
    }

    /**
     * @param registerWeights false for a subclass that registers its own state instead of the float
     *                        parameters (it must then override {@link #direction})
     */
    protected RecurrentLayer(RecurrentOptions options, int gates, boolean registerWeights) {
        this.options = options;
        this.inputSize = options.inputSize();
        this.hiddenSize = options.hiddenSize();
        this.numLayers = options.numLayers();
        this.batchFirst = options.batchFirst();
        this.dropout = options.dropout();
        this.bidirectional = options.bidirectional();
        this.projSize = options.projSize();
        this.gates = gates;
        if (registerWeights) {
            registerWeights(options, gates);
        }
    }

    /** The float parameters, in PyTorch's order, initialised U(-1/sqrt(H), 1/sqrt(H)). */
    private void registerWeights(RecurrentOptions options, int gates) {
        boolean bias = options.bias();
        int hr = options.outputHiddenSize();
        int dirs = options.numDirections();
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int k = 0; k < numLayers; k++) {
            for (int d = 0; d < dirs; d++) {
                String sfx = suffix(k, d == 1);
                int in = k == 0 ? inputSize : hr * dirs;
                uniform(registerParameter("weight_ih_l" + sfx, Torch.zeros(gates * hiddenSize, in)), bound);
                uniform(registerParameter("weight_hh_l" + sfx, Torch.zeros(gates * hiddenSize, hr)), bound);
                if (bias) {
                    uniform(registerParameter("bias_ih_l" + sfx, Torch.zeros(gates * hiddenSize)), bound);
                    uniform(registerParameter("bias_hh_l" + sfx, Torch.zeros(gates * hiddenSize)), bound);
                }
                if (projSize > 0) {
                    uniform(registerParameter("weight_hr_l" + sfx, Torch.zeros(projSize, hiddenSize)), bound);
                }
            }
        }
    }

    private static void uniform(Tensor p, double bound) {
        Init.uniform(p, -bound, bound);
    }

    public RecurrentOptions options() {
        return options;
    }

    /**
     * Output of all steps (B, T, D*Hr) or (T, B, D*Hr), and the final hidden state (layers*D, B, Hr)
     * and, for LSTM, cell state (layers*D, B, H); unbatched inputs drop the B axis.
     */
    public record Output(Tensor output, Tensor hidden, Tensor cell) implements ForwardResult<Output> {
        @Override
        public Output withOutput(Tensor replacement) {
            return new Output(replacement, hidden, cell);
        }
    }

    /**
     * The result for a {@link PackedSequence} input: the packed output (same batch sizes and order),
     * and h_n (layers*D, B, Hr), c_n (layers*D, B, H) in the original batch order, each the state at
     * the sequence's last valid step. Tensor hooks see and replace the packed output's data.
     */
    public record PackedOutput(PackedSequence sequence, Tensor hidden, Tensor cell)
            implements ForwardResult<PackedOutput> {
        @Override
        public Tensor output() {
            return sequence.data();
        }

        @Override
        public PackedOutput withOutput(Tensor replacement) {
            return new PackedOutput(sequence.withData(replacement), hidden, cell);
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

    /** The options, after checking that a layer other than LSTM was not asked for a projection. */
    static RecurrentOptions checkNoProjection(String layer, RecurrentOptions options) {
        if (options.projSize() != 0) {
            throw new IllegalArgumentException(
                    layer + ": projSize applies to LSTM only, got projSize = " + options.projSize());
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
     * @param h0    initial hidden state (layers*D, B, Hr) ((layers*D, Hr) for unbatched input) or null for zeros
     * @param c0    initial cell state (LSTM only) (layers*D, B, H) or null for zeros
     */
    public Output forward(Tensor input, Tensor h0, Tensor c0) {
        String op = getClass().getSimpleName();
        boolean unbatched = input.dim() == 2;
        Tensor x = unbatched ? input.unsqueeze(batchFirst ? 0 : 1) : input;
        if (x.dim() != 3 || x.size(2) != inputSize) {
            throw new IllegalArgumentException(op + ": expected input of shape " + (batchFirst ? "(B, T, " : "(T, B, ")
                    + inputSize + ") or (T, " + inputSize + "), got " + Shape.str(TensorInternals.shapeRef(input)));
        }
        if (!batchFirst) {
            x = x.transpose(0, 1); // (B, T, in)
        }
        int b = x.size(0);
        Tensor h0b = initialState(op, "h0", h0, unbatched, b, options.outputHiddenSize());
        Tensor c0b = hasCell() ? initialState(op, "c0", c0, unbatched, b, hiddenSize) : null;
        if (!hasCell() && c0 != null) {
            throw new IllegalArgumentException(op + ": c0 applies to LSTM only");
        }
        Output r = layers(op, x, null, h0b, c0b);
        Tensor out = batchFirst ? r.output() : r.output().transpose(0, 1);
        Tensor h = r.hidden();
        Tensor c = r.cell();
        if (unbatched) {
            out = out.squeeze(batchFirst ? 0 : 1);
            h = h.squeeze(1);
            c = c == null ? null : c.squeeze(1);
        }
        return new Output(out, h, c);
    }

    /**
     * A packed batch of variable-length sequences ({@link F#packPaddedSequence}); h0 and c0 in the
     * original batch order (like PyTorch, they are permuted to the sorted order and h_n, c_n back).
     */
    public PackedOutput forward(PackedSequence input, Tensor h0, Tensor c0) {
        String op = getClass().getSimpleName();
        Tensor data = input.data();
        if (data.dim() != 2 || data.size(1) != inputSize) {
            throw new IllegalArgumentException(op + ": expected packed data of shape (N, " + inputSize + "), got "
                    + Shape.str(TensorInternals.shapeRef(data)));
        }
        if (!hasCell() && c0 != null) {
            throw new IllegalArgumentException(op + ": c0 applies to LSTM only");
        }
        int b = input.batch();
        Tensor sorted = input.sortedIndices();
        Tensor h0b = initialState(op, "h0", h0, false, b, options.outputHiddenSize());
        Tensor c0b = hasCell() ? initialState(op, "c0", c0, false, b, hiddenSize) : null;
        if (sorted != null) {
            h0b = h0 == null ? h0b : h0b.indexSelect(1, sorted);
            c0b = c0 == null ? c0b : c0b.indexSelect(1, sorted);
        }
        Tensor x = F.packedToSortedPadded(input); // (B, T, in), sorted by decreasing length
        Output r = layers(op, x, input.sortedLengths(), h0b, c0b);
        Tensor h = r.hidden();
        Tensor c = r.cell();
        Tensor unsorted = input.unsortedIndices();
        if (unsorted != null) {
            h = h.indexSelect(1, unsorted);
            c = c == null ? null : c.indexSelect(1, unsorted);
        }
        return new PackedOutput(F.sortedPaddedToPacked(r.output(), input), h, c);
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor)} through the forward hooks. */
    public final Output call(Tensor input, Tensor h0, Tensor c0) {
        return callWithHooks(a -> forward((Tensor) a[0], (Tensor) a[1], (Tensor) a[2]), input, h0, c0);
    }

    /** Runs {@link #forward(PackedSequence, Tensor, Tensor)} through the forward hooks. */
    public final PackedOutput call(PackedSequence input, Tensor h0, Tensor c0) {
        return callWithHooks(a -> forward((PackedSequence) a[0], (Tensor) a[1], (Tensor) a[2]), input, h0, c0);
    }

    /** Every layer and direction on batch-first x (B, T, in); states (layers*D, B, *). Output (B, T, D*Hr). */
    private Output layers(String op, Tensor x, int[] lengths, Tensor h0, Tensor c0) {
        int dirs = options.numDirections();
        List<Tensor> hn = new ArrayList<>();
        List<Tensor> cn = new ArrayList<>();
        Tensor layerIn = x;
        for (int k = 0; k < numLayers; k++) {
            List<Tensor> outs = new ArrayList<>(dirs);
            for (int d = 0; d < dirs; d++) {
                int idx = k * dirs + d;
                var r = direction(
                        op, k, d == 1, layerIn, lengths, h0.select(0, idx), c0 == null ? null : c0.select(0, idx));
                outs.add(r.output()); // (B, T, Hr)
                hn.add(r.hn());
                if (hasCell()) {
                    cn.add(r.cn());
                }
            }
            Tensor layerOut = dirs == 1 ? outs.get(0) : Torch.cat(outs, 2);
            if (k < numLayers - 1 && dropout > 0) {
                layerOut = F.dropout(layerOut, dropout, isTraining());
            }
            layerIn = layerOut;
        }
        return new Output(layerIn, Torch.stack(hn, 0), hasCell() ? Torch.stack(cn, 0) : null);
    }

    /**
     * One layer and direction over the whole batch-first sequence (see {@link F#recurrentDirection}, which
     * this default calls with the float parameters of {@code weight_ih_l<layer>} etc.).
     *
     * @param layer   layer index k; {@code reverse} for the {@code _reverse} direction
     * @param x       (B, T, in_k), sorted by decreasing length if lengths are given
     * @param lengths valid steps per sequence (decreasing) or null for all T
     * @param h0      (B, Hr); c0 (B, H) for LSTM, else null
     * @return output (B, T, Hr) (zero at padding steps), h_n (B, Hr), c_n (B, H) or null
     */
    protected Recurrent.Result direction(
            String op, int layer, boolean reverse, Tensor x, int[] lengths, Tensor h0, Tensor c0) {
        String sfx = suffix(layer, reverse);
        return F.recurrentDirection(
                op,
                cell(),
                x,
                lengths,
                reverse,
                h0,
                c0,
                parameter("weight_ih_l" + sfx),
                parameter("weight_hh_l" + sfx),
                parameter("bias_ih_l" + sfx),
                parameter("bias_hh_l" + sfx),
                projSize > 0 ? parameter("weight_hr_l" + sfx) : null);
    }

    /** PyTorch's name suffix of layer k and a direction: "0", "0_reverse", "1", ... */
    protected static String suffix(int layer, boolean reverse) {
        return layer + (reverse ? "_reverse" : "");
    }

    /** The given state as (layers*D, B, n), zeros if null; shape checked like PyTorch. */
    private Tensor initialState(String op, String name, Tensor given, boolean unbatched, int batch, int n) {
        int ld = numLayers * options.numDirections();
        if (given == null) {
            return Torch.zeros(ld, batch, n);
        }
        boolean ok = unbatched
                ? given.dim() == 2 && given.size(0) == ld && given.size(1) == n
                : given.dim() == 3 && given.size(0) == ld && given.size(1) == batch && given.size(2) == n;
        if (!ok) {
            throw new IllegalArgumentException(op + ": expected " + name + " of shape ("
                    + ld + (unbatched ? "" : ", " + batch) + ", " + n + ") (layers*directions"
                    + (unbatched ? "" : ", batch") + ", " + (name.equals("h0") && projSize > 0 ? "projSize" : "hidden")
                    + "), got " + Shape.str(TensorInternals.shapeRef(given)));
        }
        return unbatched ? given.unsqueeze(1) : given;
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (numLayers != 1 ? ", num_layers=" + numLayers : "")
                + (batchFirst ? ", batch_first=True" : "") + (dropout != 0 ? ", dropout=" + dropout : "")
                + (bidirectional ? ", bidirectional=True" : "") + (projSize != 0 ? ", proj_size=" + projSize : "");
    }
}
