package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * Long short-term memory cell, as torch.nn.LSTMCell (gates i, f, g, o as in {@link LSTM}):
 * c' = f * c + i * g, h' = o * tanh(c').
 */
public class LSTMCell extends RNNCellBase {
    public LSTMCell(int inputSize, int hiddenSize) {
        this(RecurrentCellOptions.of(inputSize, hiddenSize));
    }

    public LSTMCell(RecurrentCellOptions options) {
        super(checkTanh("LSTMCell", options), 4);
    }

    /** The new state (h', c'), each (B, H) or (H); hooks see h' as the main output. */
    public record State(Tensor h, Tensor c) implements ForwardResult<State> {
        @Override
        public Tensor output() {
            return h;
        }

        @Override
        public State withOutput(Tensor replacement) {
            return new State(replacement, c);
        }
    }

    /** One step from a zero state, h' only. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null).h();
    }

    /** One step: x (B, in) or (in); h, c (B, H) or (H), both or neither null (zeros). */
    public State forward(Tensor input, Tensor h, Tensor c) {
        if ((h == null) != (c == null)) {
            throw new IllegalArgumentException("LSTMCell: pass both h and c, or neither (zeros)");
        }
        var r = F.lstmCell(input, h, c, weightIh(), weightHh(), biasIh(), biasHh());
        return new State(r.hn(), r.cn());
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor)} through the forward hooks. */
    public final State call(Tensor input, Tensor h, Tensor c) {
        return callWithHooks(a -> forward((Tensor) a[0], (Tensor) a[1], (Tensor) a[2]), input, h, c);
    }
}
