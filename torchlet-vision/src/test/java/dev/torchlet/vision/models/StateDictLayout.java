package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * torchvision's state-dict layout of a family's models, from golden/vision_FAMILY_state_dict.txt
 * (written by tools/golden/vision_state_dict.py): per model, the keys in order with dtype and shape.
 */
final class StateDictLayout {
    /** One model's layout: numClasses it was written with, lines "key dtype d0,d1,...". */
    record Expected(int numClasses, List<String> entries) {}

    private StateDictLayout() {}

    /** model name -> layout, in file order. */
    static Map<String, Expected> load(String family) {
        String resource = "/golden/vision_" + family + "_state_dict.txt";
        var in = StateDictLayout.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("missing fixture " + resource + ": run tools/golden/gen_vision_" + family
                    + ".py with PyTorch and torchvision installed");
        }
        Map<String, Expected> out = new LinkedHashMap<>();
        try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> entries = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("# ")) {
                    String[] head = line.substring(2).split(" ");
                    entries = new ArrayList<>();
                    out.put(head[0], new Expected(Integer.parseInt(head[1]), entries));
                } else if (!line.isBlank()) {
                    entries.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The model's state dict in the file's line format. */
    static List<String> of(Module model) {
        return model.stateDict().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().dtype().torchName().replace("torch.", "") + " "
                        + shape(e.getValue()))
                .map(String::strip)
                .toList();
    }

    private static String shape(Tensor t) {
        return IntStream.of(t.shape()).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** Asserts the model's keys, order, dtypes and shapes equal torchvision's (first difference named). */
    static void assertMatches(String name, Expected expected, Module model) {
        List<String> actual = of(model);
        int n = Math.min(actual.size(), expected.entries().size());
        for (int i = 0; i < n; i++) {
            assertEquals(expected.entries().get(i), actual.get(i), name + ": state-dict entry " + i);
        }
        assertEquals(expected.entries().size(), actual.size(), name + ": state-dict size");
    }
}
