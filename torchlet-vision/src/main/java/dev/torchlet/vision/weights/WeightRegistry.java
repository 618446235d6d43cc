package dev.torchlet.vision.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The torchvision ImageNet weights of every zoo model (registry.json, generated from the installed
 * torchvision source by tools/vision/gen_weight_registry.py) and the 1000 ImageNet class names.
 */
public final class WeightRegistry {
    private static final Map<String, List<WeightSpec>> BY_MODEL = load();
    private static final List<String> CLASSES = loadClasses();

    private WeightRegistry() {}

    /** Every weight set published for a model (empty for unknown names), default first if several. */
    public static List<WeightSpec> forModel(String model) {
        return BY_MODEL.getOrDefault(model, List.of());
    }

    /** torchvision's DEFAULT weights of a model. */
    public static WeightSpec defaultFor(String model) {
        return forModel(model).stream()
                .filter(WeightSpec::isDefault)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("weights: no pretrained weights known for '" + model
                        + "'; models with " + "weights: " + String.join(", ", BY_MODEL.keySet())));
    }

    /** The weights of a model with a given tag ("IMAGENET1K_V2") or "DEFAULT". */
    public static WeightSpec find(String model, String tag) {
        if (tag.equals("DEFAULT")) {
            return defaultFor(model);
        }
        return forModel(model).stream()
                .filter(w -> w.tag().equals(tag))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "weights: '" + model + "' has no weights tagged '" + tag + "'; tags: "
                                + forModel(model).stream().map(WeightSpec::tag).toList()));
    }

    /** The models with published weights, in zoo order. */
    public static List<String> models() {
        return List.copyOf(BY_MODEL.keySet());
    }

    /** The 1000 ImageNet-1K class names, index = class id ("tench", "goldfish", ...). */
    public static List<String> imagenetClasses() {
        return CLASSES;
    }

    private static Map<String, List<WeightSpec>> load() {
        try (InputStream in = resource("registry.json")) {
            JsonNode models = new ObjectMapper().readTree(in).get("models");
            Map<String, List<WeightSpec>> out = new LinkedHashMap<>();
            for (var it = models.fields(); it.hasNext(); ) {
                var e = it.next();
                List<WeightSpec> specs = new ArrayList<>();
                for (JsonNode w : e.getValue()) {
                    specs.add(spec(e.getKey(), w));
                }
                specs.sort((a, b) -> Boolean.compare(b.isDefault(), a.isDefault()));
                out.put(e.getKey(), List.copyOf(specs));
            }
            return Collections.unmodifiableMap(out);
        } catch (IOException e) {
            throw new UncheckedIOException("weights: cannot read the bundled registry.json", e);
        }
    }

    private static WeightSpec spec(String model, JsonNode w) {
        JsonNode p = w.get("preprocessing");
        Preprocessing pre = new Preprocessing(
                p.get("resize").asInt(),
                p.get("crop").asInt(),
                floats(p.get("mean")),
                floats(p.get("std")),
                p.get("interpolation").asText());
        return new WeightSpec(
                model,
                w.get("tag").asText(),
                w.get("url").asText(),
                w.get("file").asText(),
                w.get("sha256_prefix").asText(),
                w.get("num_params").asLong(),
                w.get("acc1").isNull() ? Double.NaN : w.get("acc1").asDouble(),
                w.get("acc5").isNull() ? Double.NaN : w.get("acc5").asDouble(),
                pre,
                w.get("default").asBoolean());
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    private static List<String> loadClasses() {
        try (var reader =
                new BufferedReader(new InputStreamReader(resource("imagenet_classes.txt"), StandardCharsets.UTF_8))) {
            List<String> names = reader.lines().filter(l -> !l.isEmpty()).toList();
            if (names.size() != 1000) {
                throw new IllegalStateException(
                        "weights: imagenet_classes.txt has " + names.size() + " names, not 1000");
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("weights: cannot read the bundled imagenet_classes.txt", e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = WeightRegistry.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("weights: resource " + name + " missing from the torchlet-vision jar");
        }
        return in;
    }
}
