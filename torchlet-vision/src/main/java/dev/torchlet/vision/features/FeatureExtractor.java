package dev.torchlet.vision.features;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Intermediate outputs of a model by module path, like torchvision's
 * {@code create_feature_extractor}: {@code FeatureExtractor.of(model, "layer2", "layer4", "avgpool")
 * .extract(x)} returns {"layer2": ..., "layer4": ..., "avgpool": ...}. Built on forward hooks, so it
 * works for any model whose modules call their children through {@code call} (every library module
 * does); the forward stops as soon as the last requested output is produced, so the layers after it
 * (e.g. the classifier) do not run.
 *
 * <p>Thread-safe: several threads may extract from one model (in eval mode) at once, and others may call
 * the model meanwhile; each extraction captures only the forward pass of its own thread.
 */
public final class FeatureExtractor {
    private final Module model;
    private final Map<String, String> pathToName;

    private FeatureExtractor(Module model, Map<String, String> pathToName) {
        if (pathToName.isEmpty()) {
            throw new IllegalArgumentException("FeatureExtractor: give at least one module path");
        }
        for (String path : pathToName.keySet()) {
            model.getSubmodule(path); // fails early, naming the path and the children there
        }
        this.model = model;
        this.pathToName = Collections.unmodifiableMap(new LinkedHashMap<>(pathToName));
    }

    /** Outputs named by their module paths ("layer4", "features.12"). */
    public static FeatureExtractor of(Module model, String... modulePaths) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String p : modulePaths) {
            if (names.put(p, p) != null) {
                throw new IllegalArgumentException(
                        "FeatureExtractor: module path '" + p + "' given twice in " + Arrays.toString(modulePaths));
            }
        }
        return new FeatureExtractor(model, names);
    }

    /** Outputs renamed: module path -> name in the result ({"layer4": "c5", "avgpool": "pooled"}). */
    public static FeatureExtractor of(Module model, Map<String, String> pathToName) {
        return new FeatureExtractor(model, pathToName);
    }

    /** The requested module paths and their result names, in request order. */
    public Map<String, String> nodes() {
        return pathToName;
    }

    /**
     * Runs the model on x up to the last requested output and returns the outputs by name, in request
     * order. The model's mode (train/eval) and grad mode apply as usual.
     *
     * @throws IllegalStateException if a requested module did not run for this input
     */
    public Map<String, Tensor> extract(Tensor x) {
        Map<String, Tensor> captured = new LinkedHashMap<>();
        List<Module.HookHandle> hooks = new ArrayList<>();
        // the hooks are on the shared model while this call runs: other threads' calls must pass them untouched
        Thread caller = Thread.currentThread();
        try {
            for (var e : pathToName.entrySet()) {
                hooks.add(model.getSubmodule(e.getKey()).registerForwardHook((m, in, out) -> {
                    if (Thread.currentThread() != caller) {
                        return null;
                    }
                    captured.putIfAbsent(e.getValue(), out);
                    if (captured.size() == pathToName.size()) {
                        throw new AllCaptured();
                    }
                    return null;
                }));
            }
            model.call(x);
        } catch (AllCaptured done) {
            // the forward stopped after the last requested output
        } finally {
            hooks.forEach(Module.HookHandle::remove);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : pathToName.values()) {
            Tensor t = captured.get(name);
            if (t == null) {
                throw new IllegalStateException("FeatureExtractor: module '" + name + "' did not run in "
                        + model.getClass().getSimpleName() + "'s forward");
            }
            out.put(name, t);
        }
        return out;
    }

    /** Thrown by the last hook to end the forward early; never escapes extract. */
    private static final class AllCaptured extends RuntimeException {
        AllCaptured() {
            super(null, null, false, false);
        }
    }
}
