package dev.torchlet.compress.quantization;

import dev.torchlet.nn.GRU;
import dev.torchlet.nn.LSTM;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Entry points of int8 quantization, named after {@code torch.ao.quantization}:
 *
 * <ul>
 *   <li>{@link #quantizeDynamic}: Linear (and LSTM/GRU) weights to int8, activations quantized per call;
 *   <li>{@link StaticQuantizer#prepare} / calibrate / {@link StaticQuantizer#convert}: post-training static
 *       quantization of Conv2d/Linear (+ReLU, batch norm folded) with observers;
 *   <li>{@link StaticQuantizer#prepareQat}: quantization-aware training with fake quantization, then convert.
 * </ul>
 */
public final class Quantization {
    private Quantization() {}

    /**
     * Replaces every Linear, LSTM and GRU in the model, in place, by a {@link DynamicQuantizedLinear},
     * {@link DynamicQuantizedLSTM} or {@link DynamicQuantizedGRU} (PyTorch's
     * {@code quantize_dynamic} with {@code per_channel_dynamic_qconfig}). Returns the replaced paths. The model must
     * be in eval mode: the result is for inference.
     */
    public static List<String> quantizeDynamic(Module model) {
        if (model.isTraining()) {
            throw new IllegalStateException("quantizeDynamic: the model is in training mode; call eval() first "
                    + "(the quantized layers are for inference)");
        }
        List<String> replaced = new ArrayList<>();
        List<Map.Entry<String, Module>> targets = new ArrayList<>();
        for (var e : model.namedModules().entrySet()) {
            Module m = e.getValue();
            if (m instanceof Linear || m instanceof LSTM || m instanceof GRU) {
                targets.add(e);
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException(
                    "quantizeDynamic: " + model.getClass().getSimpleName() + " has no layer "
                            + "that dynamic quantization supports (supported: " + DYNAMIC_SUPPORTED + ")");
        }
        for (var e : targets) {
            if (e.getKey().isEmpty()) {
                String type = e.getValue().getClass().getSimpleName();
                throw new IllegalArgumentException("quantizeDynamic: the model itself is a " + type + "; use "
                        + "DynamicQuantized" + type + ".from(...)");
            }
        }
        for (var e : targets) {
            Module q = switch (e.getValue()) {
                case LSTM lstm -> DynamicQuantizedLSTM.from(lstm);
                case GRU gru -> DynamicQuantizedGRU.from(gru);
                default -> DynamicQuantizedLinear.from((Linear) e.getValue());
            };
            model.replaceModule(e.getKey(), q);
            replaced.add(e.getKey());
        }
        model.eval();
        return replaced;
    }

    /** Layer types {@link #quantizeDynamic} replaces. */
    public static final String DYNAMIC_SUPPORTED = "Linear, LSTM, GRU";
}
