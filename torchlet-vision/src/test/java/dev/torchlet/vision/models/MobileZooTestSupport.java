package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks shared by the tests of the mobile families (MobileNetV2, MobileNetV3, EfficientNet). */
final class MobileZooTestSupport {
    private MobileZooTestSupport() {}

    /**
     * torchvision's state-dict keys and shapes, in order, from golden/vision_NAME.keys.txt (written by
     * tools/golden/gen_vision_mobile.py: "key TAB d0,d1,..." per line).
     */
    static Map<String, int[]> torchvisionKeys(String name) {
        String resource = "/golden/vision_" + name + ".keys.txt";
        try (InputStream in = MobileZooTestSupport.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing " + resource + ": run tools/golden/gen_vision_mobile.py");
            Map<String, int[]> keys = new LinkedHashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] parts = line.split("\t", -1);
                int[] shape = parts[1].isEmpty()
                        ? new int[0]
                        : Arrays.stream(parts[1].split(","))
                                .mapToInt(Integer::parseInt)
                                .toArray();
                keys.put(parts[0], shape);
            }
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model's state-dict keys (in order) and shapes equal torchvision's for numClasses = 10. */
    static void assertStateDictMatchesTorchvision(String name) {
        Map<String, int[]> expected = torchvisionKeys(name);
        Map<String, Tensor> actual = Models.create(name, 10).stateDict();
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), name + ": state-dict keys");
        expected.forEach((k, shape) -> assertArrayEquals(shape, actual.get(k).shape(), name + ": shape of " + k));
    }

    /** {mean, std} of a tensor's elements. */
    static double[] meanStd(Tensor t) {
        double[] v = t.toDoubleArray();
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        double mean = sum / v.length;
        double sq = 0;
        for (double x : v) {
            sq += (x - mean) * (x - mean);
        }
        return new double[] {mean, Math.sqrt(sq / v.length)};
    }

    /** Mean about 0 and std within 3% of expectedStd. */
    static void assertZeroMeanStd(Tensor t, double expectedStd, String what) {
        double[] ms = meanStd(t);
        assertTrue(Math.abs(ms[0]) < 0.02 * expectedStd, what + ": mean " + ms[0] + " (std " + expectedStd + ")");
        assertEquals(expectedStd, ms[1], 0.03 * expectedStd, what + ": std");
    }

    /** Every element equals value. */
    static void assertAll(Tensor t, float value, String what) {
        for (float x : t.toFloatArray()) {
            assertEquals(value, x, 0f, what);
        }
    }

    /** Every BatchNorm weight is 1 and every bias 0 (BatchNorm, squeeze-excitation convs, classifier). */
    static void assertNormsOneZeroAndConvBiasesZero(Module model) {
        List<String> checked = new ArrayList<>();
        model.namedParameters().forEach((k, p) -> {
            boolean bnWeight = k.endsWith(".weight") && p.dim() == 1;
            if (bnWeight) {
                assertAll(p, 1f, k);
                checked.add(k);
            } else if (k.endsWith(".bias")) {
                assertAll(p, 0f, k);
                checked.add(k);
            }
        });
        assertTrue(checked.size() > 20, "checked " + checked);
    }
}
