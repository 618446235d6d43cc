package dev.torchlet.compress.quantization;

import dev.torchlet.nn.LSTM;
import dev.torchlet.nn.functional.F;

/**
 * An LSTM with dynamic int8 weights, {@code torch.ao.nn.quantized.dynamic.LSTM} with per-channel weights; see
 * {@link DynamicQuantizedRecurrent}. Every LSTM option works, a projection ({@code projSize}) included (its W_hr
 * is int8 too and h before the projection is quantized per step; PyTorch's dynamic LSTM has no projection).
 */
public final class DynamicQuantizedLSTM extends DynamicQuantizedRecurrent {
    private DynamicQuantizedLSTM(LSTM lstm) {
        super(lstm, 4);
    }

    /** Quantizes a float LSTM's weights per output channel (symmetric int8); the LSTM is not changed. */
    public static DynamicQuantizedLSTM from(LSTM lstm) {
        DynamicQuantizedLSTM q = new DynamicQuantizedLSTM(lstm);
        q.train(lstm.isTraining());
        return q;
    }

    @Override
    protected F.RecurrentCell cell() {
        return F.RecurrentCell.LSTM;
    }

    @Override
    protected boolean hasCell() {
        return true;
    }
}
