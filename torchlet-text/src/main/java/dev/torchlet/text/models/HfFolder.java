package dev.torchlet.text.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.io.AtomicFiles;
import dev.torchlet.io.PyTorchCheckpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reading and writing Hugging Face model folders: {@code config.json} and {@code model.safetensors}. */
final class HfFolder {
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.safetensors";
    static final String TORCH_WEIGHTS = "pytorch_model.bin";

    private HfFolder() {}

    static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(
                    file.toString(),
                    null,
                    "no config.json (a Hugging Face model folder has " + "config.json and model.safetensors)");
        }
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        if (n == null || !n.isObject()) {
            throw new IOException(file + ": expected a JSON object");
        }
        return n;
    }

    static int requiredInt(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": missing or non-integer \"" + key + "\"");
        }
        return v.asInt();
    }

    /**
     * Refuses a config that describes a far larger model than the weights hold, before the model is built: a
     * config.json is a few hundred bytes, and its sizes alone must not decide how much memory is allocated. (A
     * config only a little off builds, and {@link #load} then names every key and shape that differs.)
     *
     * @param parameters the config's parameter count ({@code parameterCount()})
     */
    static void checkSize(double parameters, Map<String, Tensor> weights, String who, Object config) {
        long held = 0;
        for (Tensor t : weights.values()) {
            held += t.numel();
        }
        refuseFarLarger(parameters, held, "the " + held + " values its weights hold", who, config);
    }

    /**
     * {@link #checkSize} against the size of the folder's weight file, for code that builds the model before (or
     * without) reading its weights: a file of B bytes holds at most B / 2 values (2-byte floats at the smallest).
     */
    static void checkSizeOnDisk(double parameters, Path dir, String who, Object config) throws IOException {
        Path file = Files.isRegularFile(dir.resolve(WEIGHTS)) ? dir.resolve(WEIGHTS) : dir.resolve(TORCH_WEIGHTS);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(
                    dir.toString(), null, who + ": no " + WEIGHTS + " or " + TORCH_WEIGHTS + " in the folder");
        }
        long bytes = Files.size(file);
        refuseFarLarger(
                parameters, bytes / 2, "the " + bytes + " bytes of " + file.getFileName() + " can hold", who, config);
    }

    /** Refuses a config whose parameter count is more than twice what the weights hold, plus 1M. */
    private static void refuseFarLarger(double parameters, long held, String weights, String who, Object config) {
        if (parameters > 2.0 * held + (1 << 20)) {
            throw new IllegalArgumentException(String.format(
                    "%s: config.json describes a model of %.0f parameters, far more than %s: the config does not "
                            + "belong to these weights (%s)",
                    who, parameters, weights, config));
        }
    }

    /** The weights of a folder: model.safetensors, else pytorch_model.bin (a torch.save'd state dict). */
    static Map<String, Tensor> readWeights(Path dir) throws IOException {
        Path st = dir.resolve(WEIGHTS);
        if (Files.isRegularFile(st)) {
            return SafeTensors.read(st);
        }
        Path bin = dir.resolve(TORCH_WEIGHTS);
        if (Files.isRegularFile(bin)) {
            return PyTorchCheckpoint.read(bin);
        }
        throw new NoSuchFileException(
                st.toString(), null, "no " + WEIGHTS + " (nor " + TORCH_WEIGHTS + ") in the model folder");
    }

    /**
     * Loads state into model strictly, after checking that names and shapes match: on a mismatch the
     * message lists the missing and unexpected keys and every shape difference, naming the config.
     */
    static void load(Module model, Map<String, Tensor> state, String who, Object config) {
        Map<String, Tensor> own = model.stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> shapes = new ArrayList<>();
        own.forEach((k, v) -> {
            Tensor f = state.get(k);
            if (f == null) {
                missing.add(k);
            } else if (!java.util.Arrays.equals(f.shape(), v.shape())) {
                shapes.add(k + ": weights " + Shape.str(f.shape()) + " but the config gives " + Shape.str(v.shape()));
            }
        });
        state.keySet().stream().filter(k -> !own.containsKey(k)).forEach(unexpected::add);
        if (!missing.isEmpty() || !unexpected.isEmpty() || !shapes.isEmpty()) {
            StringBuilder sb = new StringBuilder(who + ": the weights do not match the config " + config + ":");
            if (!shapes.isEmpty()) {
                sb.append("\n  shape mismatches: ").append(String.join("; ", shapes));
            }
            if (!missing.isEmpty()) {
                sb.append("\n  missing keys: ").append(missing);
            }
            if (!unexpected.isEmpty()) {
                sb.append("\n  unexpected keys: ").append(unexpected);
            }
            throw new IllegalArgumentException(sb.toString());
        }
        model.loadStateDict(state);
    }

    /** Writes config.json and model.safetensors into dir (created if needed), each atomically. */
    static void write(Path dir, String configJson, Map<String, Tensor> tensors) throws IOException {
        AtomicFiles.writeBytes(dir.resolve(CONFIG), (configJson + "\n").getBytes(StandardCharsets.UTF_8));
        SafeTensors.write(tensors, Map.of("format", "pt"), dir.resolve(WEIGHTS));
    }
}
