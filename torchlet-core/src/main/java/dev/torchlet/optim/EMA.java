package dev.torchlet.optim;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An exponential moving average of a model's weights, the copy diffusion models and GANs sample from.
 * It lives next to the optimizers as PyTorch's {@code torch.optim.swa_utils.AveragedModel} does. Every
 * {@link #update(Module)} after an optimizer step does, for each parameter and in float32,
 * <pre>
 *   ema = ema + (1 - decay) * (param - ema)   = decay * ema + (1 - decay) * param
 *                                             (torch: ema.lerp_(param, 1 - decay))
 * </pre>
 * and copies every buffer (BatchNorm's running statistics follow the model: they are statistics, not
 * weights). The average starts as a copy of the model's state at construction. This is
 * AveragedModel with the EMA avg_fn of its documentation, except that AveragedModel's first update
 * copies the model instead of averaging, and buffers: 1.13's AveragedModel leaves them as they were
 * at construction. Decay is constant (no warm-up).
 * <pre>
 *   EMA ema = new EMA(model, 0.999);
 *   for (...) { loss.backward(); opt.step(); ema.update(model); }
 *   ema.copyTo(samplingModel);                // a second instance of the architecture
 * </pre>
 */
public final class EMA {
    private final double decay;
    private final Map<String, Tensor> average = new LinkedHashMap<>();
    private final Set<String> parameterNames;
    private long numUpdates;

    /**
     * @param model the model whose state dict is averaged (names and shapes fixed from here on)
     * @param decay weight of the old average in [0, 1]; 0.999 or 0.9999 are usual
     */
    public EMA(Module model, double decay) {
        if (!(decay >= 0 && decay <= 1)) {
            throw new IllegalArgumentException("EMA: decay must be in [0, 1], got " + decay);
        }
        this.decay = decay;
        model.stateDict().forEach((k, v) -> average.put(k, v.detach().contiguousCopy()));
        this.parameterNames = Set.copyOf(model.namedParameters().keySet());
    }

    /** Moves the average towards the model's current parameters and copies its buffers. */
    public void update(Module model) {
        Map<String, Tensor> state = model.stateDict();
        check(state, "update from");
        float w = (float) (1 - decay);
        try (var g = Torch.noGrad()) {
            for (var e : average.entrySet()) {
                Tensor cur = state.get(e.getKey());
                Tensor avg = e.getValue();
                if (parameterNames.contains(e.getKey()) && avg.dtype().isFloatingPoint()) {
                    avg.copyFrom(avg.add(cur.sub(avg), w));
                } else {
                    avg.copyFrom(cur);
                }
            }
        }
        numUpdates++;
    }

    /** Loads the averaged weights and buffers into a model of the same architecture (e.g. for sampling). */
    public void copyTo(Module model) {
        check(model.stateDict(), "copy to");
        model.loadStateDict(average);
    }

    /** The averaged state dict, by the model's names (read-only view; save it as a checkpoint). */
    public Map<String, Tensor> stateDict() {
        return Collections.unmodifiableMap(average);
    }

    public double decay() {
        return decay;
    }

    /** How many times {@link #update(Module)} ran. */
    public long numUpdates() {
        return numUpdates;
    }

    private void check(Map<String, Tensor> state, String what) {
        if (!state.keySet().equals(average.keySet())) {
            throw new IllegalArgumentException("EMA: cannot " + what + " a model with state " + state.keySet()
                    + ": the average has " + average.keySet());
        }
        for (var e : average.entrySet()) {
            int[] a = e.getValue().shape();
            int[] b = state.get(e.getKey()).shape();
            if (!java.util.Arrays.equals(a, b)) {
                throw new IllegalArgumentException("EMA: cannot " + what + " a model where " + e.getKey() + " is "
                        + Shape.str(b) + ": the average has " + Shape.str(a));
            }
        }
    }
}
