package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.testing.Golden;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a zoo model against its torchvision parity fixture (tools/golden/vision_parity.py):
 * with the same procedural weights, the eval-mode logits and intermediate feature maps match
 * within 1e-4 (max abs error over max abs value), and one train-mode forward updates the batch-norm
 * running statistics the same way (same tolerance).
 */
final class ZooParity {
    static final double TOLERANCE = 1e-4;

    private ZooParity() {}

    /** Runs the whole check for zoo model NAME against golden/vision_NAME.safetensors. */
    static void check(String name) {
        Map<String, Tensor> f = Golden.load("vision_" + name);
        Tensor input = f.get("input");
        Tensor logits = f.get("logits");
        Module model = Models.create(name, logits.size(1));
        ProceduralWeights.fill(model);
        model.eval();

        Map<String, Tensor> features = new LinkedHashMap<>();
        List<Module.HookHandle> hooks = new ArrayList<>();
        for (String key : f.keySet()) {
            if (key.startsWith("feature.")) {
                String path = key.substring("feature.".length());
                hooks.add(model.getSubmodule(path).registerForwardHook((m, in, out) -> {
                    features.put(key, out);
                    return null;
                }));
            }
        }
        Tensor out;
        try (var g = Torch.noGrad()) {
            out = model.call(input);
        }
        hooks.forEach(Module.HookHandle::remove);
        assertClose(name + " logits", logits, out);
        for (var e : features.entrySet()) {
            assertClose(name + " " + e.getKey(), f.get(e.getKey()), e.getValue());
        }

        model.train();
        try (var g = Torch.noGrad()) {
            model.call(input);
        }
        for (String key : f.keySet()) {
            if (key.startsWith("train.")) {
                String buffer = key.substring("train.".length());
                int dot = buffer.lastIndexOf('.');
                Tensor actual = model.getSubmodule(buffer.substring(0, dot)).buffer(buffer.substring(dot + 1));
                assertClose(name + " " + key, f.get(key), actual);
            }
        }
    }

    /** max |actual - expected| / max |expected| <= 1e-4, same shape. */
    static void assertClose(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double maxErr = 0;
        double maxAbs = 0;
        for (int i = 0; i < e.length; i++) {
            maxErr = Math.max(maxErr, Math.abs((double) a[i] - e[i]));
            maxAbs = Math.max(maxAbs, Math.abs(e[i]));
        }
        double rel = maxErr / Math.max(maxAbs, 1e-30);
        assertTrue(
                rel <= TOLERANCE,
                what + ": max abs error " + maxErr + " over max abs value " + maxAbs + " = " + rel + " > " + TOLERANCE);
    }
}
