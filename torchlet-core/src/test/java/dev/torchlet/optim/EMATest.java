package dev.torchlet.optim;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.Tensor;
import dev.torchlet.nn.BatchNorm1d;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.testing.Golden;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The EMA update against a PyTorch reference sequence (tools/golden/gen_generative.py): the model's
 * state after each of three SGD steps is loaded and {@code update} called; the average must equal
 * torch's {@code ema.lerp_(param, 1 - decay)} for parameters and a copy for buffers. atol 1e-6.
 */
class EMATest {
    private static Map<String, Tensor> withPrefix(String prefix) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        Golden.load("generative").forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                sd.put(k.substring(prefix.length()), v);
            }
        });
        return sd;
    }

    private static Module model() {
        return new Sequential(new Linear(4, 6), new BatchNorm1d(6), new ReLU(), new Linear(6, 2));
    }

    @Test
    void updateSequenceMatchesPyTorch() {
        Module m = model();
        m.loadStateDict(withPrefix("ema.init."));
        EMA ema = new EMA(m, 0.9);
        for (int step = 0; step < 3; step++) {
            m.loadStateDict(withPrefix("ema.step" + step + "."));
            ema.update(m);
        }
        assertEquals(3, ema.numUpdates());
        Map<String, Tensor> want = withPrefix("ema.avg.");
        assertEquals(want.keySet(), ema.stateDict().keySet());
        want.forEach((k, v) -> assertClose(v, ema.stateDict().get(k), 1e-6, 1e-5, "ema " + k));

        Module sampler = model();
        ema.copyTo(sampler);
        want.forEach((k, v) -> assertClose(v, sampler.stateDict().get(k), 1e-6, 1e-5, "copied " + k));
        // the model itself is untouched by the average
        withPrefix("ema.model.").forEach((k, v) -> assertClose(v, m.stateDict().get(k), 0, 0, "model " + k));
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> new EMA(model(), 1.5));
        EMA ema = new EMA(model(), 0.99);
        var e = assertThrows(IllegalArgumentException.class, () -> ema.update(new Linear(4, 2)));
        assertEquals(
                "EMA: cannot update from a model with state [weight, bias]: the average has [0.weight, 0.bias,"
                        + " 1.weight, 1.bias, 1.running_mean, 1.running_var, 1.num_batches_tracked, 3.weight,"
                        + " 3.bias]",
                e.getMessage());
    }
}
