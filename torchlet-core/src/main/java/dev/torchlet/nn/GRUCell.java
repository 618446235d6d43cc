package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * Gated recurrent unit cell, as torch.nn.GRUCell (gates r, z, n as in {@link GRU}):
 * h' = (1 - z) * n + z * h.
 */
public class GRUCell extends RNNCellBase {
    public GRUCell(int inputSize, int hiddenSize) {
        this(RecurrentCellOptions.of(inputSize, hiddenSize));
    }

    public GRUCell(RecurrentCellOptions options) {
        super(checkTanh("GRUCell", options), 3);
    }

    /** One step from a zero state: x (B, in) or (in) to h' (B, H) or (H). */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null);
    }

    /** One step: x (B, in) or (in), h (B, H) or (H) or null for zeros; returns h'. */
    public Tensor forward(Tensor input, Tensor h) {
        return F.gruCell(input, h, weightIh(), weightHh(), biasIh(), biasHh());
    }

    /** Runs {@link #forward(Tensor, Tensor)} through the forward hooks. */
    public final Tensor call(Tensor input, Tensor h) {
        return callWithHooks(a -> forward((Tensor) a[0], (Tensor) a[1]), input, h);
    }
}
