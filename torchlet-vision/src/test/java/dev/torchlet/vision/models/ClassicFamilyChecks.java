package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Shared checks of the SqueezeNet and DenseNet tests: state-dict key lists and init statistics. */
final class ClassicFamilyChecks {
    private ClassicFamilyChecks() {}

    /** torchvision's "key [shape]" lines from golden/vision_NAME.keys.txt (tools/golden/gen_vision_classic.py). */
    static List<String> torchvisionKeys(String name) {
        String resource = "/golden/vision_" + name + ".keys.txt";
        try (InputStream in = ClassicFamilyChecks.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing " + resource + ": run tools/golden/gen_vision_classic.py");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model's state dict as "key [shape]" lines, in order. */
    static List<String> keys(Module model) {
        List<String> lines = new ArrayList<>();
        model.stateDict().forEach((k, v) -> lines.add(k + " " + Arrays.toString(v.shape())));
        return lines;
    }

    static void assertKeysAreTorchvisions(String name) {
        assertEquals(torchvisionKeys(name), keys(Models.create(name, 10)), name + ": state-dict keys and shapes");
    }

    /** {mean, standard deviation, max |x|} over all elements of the tensors. */
    static double[] stats(List<Tensor> tensors) {
        double sum = 0;
        double sq = 0;
        double max = 0;
        long n = 0;
        for (Tensor t : tensors) {
            for (float v : t.toFloatArray()) {
                sum += v;
                sq += (double) v * v;
                max = Math.max(max, Math.abs(v));
                n++;
            }
        }
        double mean = sum / n;
        return new double[] {mean, Math.sqrt(sq / n - mean * mean), max};
    }

    /** Mean 0 and standard deviation std, both within 3% of std. */
    static void assertNormal(String what, List<Tensor> tensors, double std) {
        double[] s = stats(tensors);
        assertTrue(Math.abs(s[0]) < 0.03 * std, what + ": mean " + s[0] + ", expected 0 (std " + std + ")");
        assertTrue(Math.abs(s[1] - std) < 0.03 * std, what + ": std " + s[1] + ", expected " + std);
    }

    /** U(-bound, bound): mean 0, standard deviation bound / sqrt(3) (3%), nothing beyond the bound. */
    static void assertUniform(String what, List<Tensor> tensors, double bound) {
        double[] s = stats(tensors);
        double std = bound / Math.sqrt(3);
        assertTrue(Math.abs(s[0]) < 0.03 * std, what + ": mean " + s[0] + ", expected 0 (std " + std + ")");
        assertTrue(Math.abs(s[1] - std) < 0.03 * std, what + ": std " + s[1] + ", expected " + std);
        assertTrue(s[2] <= bound, what + ": max |x| " + s[2] + " beyond the bound " + bound);
    }

    static void assertConstant(String what, Tensor t, float value) {
        for (float v : t.toFloatArray()) {
            if (v != value) {
                throw new AssertionError(what + ": expected all " + value + ", found " + v);
            }
        }
    }

    /** A deep copy of the state dict's values, to check later that a failed load changed nothing. */
    static Map<String, float[]> snapshot(Module model) {
        Map<String, float[]> s = new java.util.LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> s.put(k, v.dtype().isFloatingPoint() ? v.toFloatArray() : new float[0]));
        return s;
    }

    static void assertUnchanged(Map<String, float[]> before, Module model) {
        Map<String, float[]> after = snapshot(model);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertTrue(Arrays.equals(v, after.get(k)), k + " changed"));
    }
}
