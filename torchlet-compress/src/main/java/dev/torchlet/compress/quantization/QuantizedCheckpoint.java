package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves and loads quantized models as safetensors: int8 weights stored as I8 (one byte each), scales and biases
 * as F32, zero points as I64, and {@code __metadata__["torchlet.quantization"]} = {@code static-int8} or
 * {@code dynamic-int8}. Loading rebuilds the quantized structure from the float architecture (the same model
 * built fresh, e.g. by name) and then loads the state dict, checked completely before anything is kept.
 */
public final class QuantizedCheckpoint {
    /** Metadata key naming the quantization of a file. */
    public static final String KEY = "torchlet.quantization";

    public static final String STATIC = "static-int8";
    public static final String DYNAMIC = "dynamic-int8";

    private QuantizedCheckpoint() {}

    /** Writes a {@link QuantizedModel} or a dynamically quantized model atomically. */
    public static void save(Module quantized, Map<String, String> metadata, Path path) throws IOException {
        String kind = quantized instanceof QuantizedModel ? STATIC : DYNAMIC;
        Map<String, String> storeAs = new HashMap<>();
        boolean any = false;
        for (var e : quantized.namedModules().entrySet()) {
            if (e.getValue() instanceof Int8Layer layer) {
                any = true;
                for (String b : layer.int8Buffers()) {
                    storeAs.put(e.getKey().isEmpty() ? b : e.getKey() + "." + b, "I8");
                }
            }
        }
        if (!any) {
            throw new IllegalArgumentException(
                    "QuantizedCheckpoint.save: " + quantized.getClass().getSimpleName() + " has no quantized layer");
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(KEY, kind);
        SafeTensors.write(quantized.stateDict(), meta, storeAs, path);
    }

    /** The quantization a file holds ({@link #STATIC}, {@link #DYNAMIC}), or null for a float file. */
    public static String kind(Path path) throws IOException {
        return SafeTensors.header(path).metadata().get(KEY);
    }

    /**
     * Loads a static int8 file. {@code floatArchitecture} is the float model it was quantized from (any weights,
     * eval mode), which is used only for its structure and is not changed.
     */
    public static QuantizedModel loadStatic(Path path, Module floatArchitecture) throws IOException {
        Map<String, Tensor> state = read(path, STATIC);
        QuantizedModel model =
                StaticQuantizer.skeleton(StaticQuantizer.prepare(floatArchitecture.eval(), QConfig.minMax()));
        load(path, model, state);
        model.repack();
        return model;
    }

    /**
     * Loads a dynamic int8 file into {@code floatArchitecture}, which is quantized in place first (its Linear
     * layers replaced); on a bad file the model is left as it was.
     */
    public static Module loadDynamic(Path path, Module floatArchitecture) throws IOException {
        Map<String, Tensor> state = read(path, DYNAMIC);
        Map<String, Module> before = new LinkedHashMap<>(floatArchitecture.namedModules());
        floatArchitecture.eval();
        var replaced = Quantization.quantizeDynamic(floatArchitecture);
        try {
            load(path, floatArchitecture, state);
        } catch (IOException | RuntimeException e) {
            for (String p : replaced) { // put the float layers back
                floatArchitecture.replaceModule(p, before.get(p));
            }
            throw e;
        }
        for (Module m : floatArchitecture.modules()) {
            if (m instanceof Int8Layer layer) {
                layer.repack();
            }
        }
        return floatArchitecture;
    }

    private static Map<String, Tensor> read(Path path, String expected) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("quantized checkpoint " + path + " does not exist");
        }
        SafeTensors.Contents contents = SafeTensors.readWithMetadata(path);
        String kind = contents.metadata().get(KEY);
        if (kind == null) {
            throw new IOException(path + " is not a quantized model (no '" + KEY + "' in its metadata); a float "
                    + "checkpoint loads with Checkpoint.load");
        }
        if (!kind.equals(expected)) {
            throw new IOException(path + " holds a " + kind + " model, not " + expected);
        }
        return contents.tensors();
    }

    private static void load(Path path, Module model, Map<String, Tensor> state) throws IOException {
        try {
            model.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + " does not fit the quantized architecture: " + e.getMessage(), e);
        }
    }
}
