package dev.torchlet.compress.quantization;

import dev.torchlet.nn.GRU;
import dev.torchlet.nn.functional.F;

/**
 * A GRU with dynamic int8 weights, {@code torch.ao.nn.quantized.dynamic.GRU} with per-channel weights; see
 * {@link DynamicQuantizedRecurrent}.
 */
public final class DynamicQuantizedGRU extends DynamicQuantizedRecurrent {
    private DynamicQuantizedGRU(GRU gru) {
        super(gru, 3);
    }

    /** Quantizes a float GRU's weights per output channel (symmetric int8); the GRU is not changed. */
    public static DynamicQuantizedGRU from(GRU gru) {
        DynamicQuantizedGRU q = new DynamicQuantizedGRU(gru);
        q.train(gru.isTraining());
        return q;
    }

    @Override
    protected F.RecurrentCell cell() {
        return F.RecurrentCell.GRU;
    }

    @Override
    protected boolean hasCell() {
        return false;
    }
}
