package dev.torchlet.vision.models;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The deterministic weights of the zoo parity fixtures, bit for bit as tools/golden/vision_parity.py
 * makes them (formulas there): element i of state-dict entry j gets a value of
 * u = ((i * 2654435761 + (j + 1) * 40503) mod 2^32) / 2^32, computed in double, rounded to float.
 */
final class ProceduralWeights {
    private ProceduralWeights() {}

    /** Overwrites every floating parameter and buffer of the model (in state-dict order). */
    static void fill(Module model) {
        List<Map.Entry<String, Tensor>> entries = List.copyOf(model.stateDict().entrySet());
        Map<String, Tensor> filled = new LinkedHashMap<>();
        for (int j = 0; j < entries.size(); j++) {
            String name = entries.get(j).getKey();
            Tensor t = entries.get(j).getValue();
            if (t.dtype() != DType.FLOAT32) {
                filled.put(name, t);
                continue;
            }
            int[] shape = t.shape();
            float[] values = new float[t.numel()];
            for (int i = 0; i < values.length; i++) {
                long bits = (i * 2654435761L + (j + 1) * 40503L) & 0xFFFFFFFFL;
                values[i] = (float) value(name, shape, t.numel(), bits / 4294967296.0);
            }
            filled.put(name, Torch.tensor(values, shape));
        }
        model.loadStateDict(filled);
    }

    private static double value(String name, int[] shape, int numel, double u) {
        if (name.endsWith("running_var")) {
            return 0.5 + u;
        }
        if (name.endsWith("running_mean")) {
            return (u - 0.5) * 0.2;
        }
        if (name.endsWith("weight") && shape.length >= 2) {
            double bound = Math.sqrt(6.0 / (numel / shape[0]));
            return (u - 0.5) * (2 * bound);
        }
        if (name.endsWith("weight")) {
            return 1.0 + (u - 0.5) * 0.2;
        }
        if (name.endsWith("bias")) {
            return (u - 0.5) * 0.2;
        }
        return (u - 0.5) * 0.04;
    }
}
