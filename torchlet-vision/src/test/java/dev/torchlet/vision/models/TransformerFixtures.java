package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.testing.Golden;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fixture helpers of the VisionTransformer and ConvNeXt tests (tools/golden/gen_vision_transformer.py):
 * torchvision's state-dict listing, parity of a model built directly from options, ViT token features.
 */
final class TransformerFixtures {
    /** torchvision's class names that Torchlet spells differently (same module, other Python class). */
    private static final Map<String, String> CLASS_ALIASES = Map.of(
            "NonDynamicallyQuantizableLinear", "Linear", // MultiheadAttention's out_proj
            "Conv2dNormActivation", "Sequential", // ConvNeXt's stem: a Sequential subclass
            "NamedSequential", "Sequential"); // a Sequential built from an OrderedDict

    private static final Map<String, Map<String, List<String>>> LISTINGS = new HashMap<>();

    private TransformerFixtures() {}

    /** torchvision's state dict of a zoo model at 10 classes, as "key d0,d1,..." lines in order. */
    static List<String> torchvisionStateDict(String model) {
        return listing("vision_transformer_state_dicts.txt", model);
    }

    /** torchvision's named_modules of a zoo model, as "path ClassName" lines in order ("." for the model). */
    static List<String> torchvisionModules(String model) {
        return listing("vision_transformer_modules.txt", model);
    }

    /** Lines "MODEL rest" of a listing written by gen_vision_transformer.py, the rests of one model. */
    private static synchronized List<String> listing(String file, String model) {
        Map<String, List<String>> byModel = LISTINGS.computeIfAbsent(file, f -> {
            Map<String, List<String>> out = new LinkedHashMap<>();
            var in = TransformerFixtures.class.getResourceAsStream("/golden/" + f);
            assertNotNull(in, "missing golden/" + f + ": run tools/golden/gen_vision_transformer.py");
            try (var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (!line.isBlank()) {
                        int space = line.indexOf(' ');
                        out.computeIfAbsent(line.substring(0, space), k -> new ArrayList<>())
                                .add(line.substring(space + 1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        });
        List<String> lines = byModel.get(model);
        assertNotNull(lines, file + " lists no " + model);
        return lines;
    }

    /** The model's named modules in the same "path ClassName" form, torchvision's class names. */
    static List<String> moduleLines(Module model) {
        List<String> out = new ArrayList<>();
        model.namedModules().forEach((path, m) -> out.add((path.isEmpty() ? "." : path) + " " + className(m)));
        return out;
    }

    private static String className(Module m) {
        String simple = m.getClass().getSimpleName();
        return CLASS_ALIASES.getOrDefault(simple, simple);
    }

    static void assertModulesMatch(String name, Module model) {
        List<String> expected = torchvisionModules(name).stream()
                .map(line -> {
                    int space = line.indexOf(' ');
                    return line.substring(0, space + 1)
                            + CLASS_ALIASES.getOrDefault(line.substring(space + 1), line.substring(space + 1));
                })
                .toList();
        assertEquals(expected, moduleLines(model), name + ": module paths and types");
    }

    /** The model's state dict in the same "key d0,d1,..." form. */
    static List<String> stateDictLines(Module model) {
        List<String> out = new ArrayList<>();
        model.stateDict().forEach((k, v) -> {
            StringBuilder sb = new StringBuilder(k).append(' ');
            int[] shape = v.shape();
            for (int i = 0; i < shape.length; i++) {
                sb.append(i > 0 ? "," : "").append(shape[i]);
            }
            out.add(sb.toString());
        });
        return out;
    }

    static void assertStateDictMatches(String name, Module model) {
        assertEquals(torchvisionStateDict(name), stateDictLines(model), name + ": state-dict keys and shapes");
    }

    /**
     * ZooParity's eval-mode check for a model built here rather than by {@link Models#create}: with
     * procedural weights, the logits and every "feature.PATH" of golden/vision_FIXTURE match within 1e-4.
     */
    static void checkParity(String fixture, Module model) {
        Map<String, Tensor> f = Golden.load("vision_" + fixture);
        ProceduralWeights.fill(model);
        model.eval();
        Map<String, Tensor> features = new LinkedHashMap<>();
        List<Module.HookHandle> hooks = new ArrayList<>();
        for (String key : f.keySet()) {
            if (key.startsWith("feature.")) {
                hooks.add(model.getSubmodule(key.substring("feature.".length())).registerForwardHook((m, in, out) -> {
                    features.put(key, out);
                    return null;
                }));
            }
        }
        Tensor out;
        try (var g = Torch.noGrad()) {
            out = model.call(f.get("input"));
        }
        hooks.forEach(Module.HookHandle::remove);
        ZooParity.assertClose(fixture + " logits", f.get("logits"), out);
        assertTrue(features.size()
                == f.keySet().stream().filter(k -> k.startsWith("feature.")).count());
        features.forEach((key, value) -> ZooParity.assertClose(fixture + " " + key, f.get(key), value));
    }

    /** Mean and (population) standard deviation of a tensor's values. */
    static double[] meanStd(Tensor t) {
        float[] v = t.toFloatArray();
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        double mean = sum / v.length;
        double sq = 0;
        for (float x : v) {
            sq += (x - mean) * (x - mean);
        }
        return new double[] {mean, Math.sqrt(sq / v.length)};
    }

    /** Largest |value|. */
    static double maxAbs(Tensor t) {
        double m = 0;
        for (float x : t.toFloatArray()) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /** Every value equals c. */
    static void assertAll(String what, Tensor t, double c) {
        for (float x : t.toFloatArray()) {
            if (x != (float) c) {
                throw new AssertionError(what + ": expected every value " + c + ", found " + x);
            }
        }
    }

    /** Mean within 4 standard errors of 0 and std within relTol of the expected std. */
    static void assertNormalish(String what, Tensor t, double std, double relTol) {
        double[] ms = meanStd(t);
        assertTrue(
                Math.abs(ms[0]) <= 4 * std / Math.sqrt(t.numel()) && Math.abs(ms[1] - std) <= relTol * std,
                what + ": mean " + ms[0] + ", std " + ms[1] + ", expected mean 0 and std " + std);
    }
}
