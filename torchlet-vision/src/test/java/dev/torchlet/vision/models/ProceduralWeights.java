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
public final class ProceduralWeights {
    private ProceduralWeights() {}

    /** Overwrites every floating parameter and buffer of the model (in state-dict order). */
    public static void fill(Module model) {
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
            // the entry's formula is chosen once, not per element (VGG's classifier.0 has 103M)
            int kind = kind(name, shape);
            double bound = kind == CONV_OR_LINEAR_WEIGHT ? Math.sqrt(6.0 / (t.numel() / shape[0])) : 0;
            long step = (j + 1) * 40503L;
            for (int i = 0; i < values.length; i++) {
                long bits = (i * 2654435761L + step) & 0xFFFFFFFFL;
                values[i] = (float) value(kind, bound, bits / 4294967296.0);
            }
            filled.put(name, Torch.tensor(values, shape));
        }
        model.loadStateDict(filled);
    }

    private static final int RUNNING_VAR = 0;
    private static final int RUNNING_MEAN = 1;
    private static final int CONV_OR_LINEAR_WEIGHT = 2;
    private static final int NORM_WEIGHT = 3;
    private static final int BIAS = 4;
    private static final int OTHER = 5;

    private static int kind(String name, int[] shape) {
        if (name.endsWith("running_var")) {
            return RUNNING_VAR;
        }
        if (name.endsWith("running_mean")) {
            return RUNNING_MEAN;
        }
        if (name.endsWith("weight")) {
            return shape.length >= 2 ? CONV_OR_LINEAR_WEIGHT : NORM_WEIGHT;
        }
        return name.endsWith("bias") ? BIAS : OTHER;
    }

    /** The formulas of vision_parity.py, in its order of operations (bound: sqrt(6 / fan_in)). */
    private static double value(int kind, double bound, double u) {
        return switch (kind) {
            case RUNNING_VAR -> 0.5 + u;
            case RUNNING_MEAN, BIAS -> (u - 0.5) * 0.2;
            case CONV_OR_LINEAR_WEIGHT -> (u - 0.5) * (2 * bound);
            case NORM_WEIGHT -> 1.0 + (u - 0.5) * 0.2;
            default -> (u - 0.5) * 0.04;
        };
    }
}
