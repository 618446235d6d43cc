package dev.torchlet.io;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.Module;
import dev.torchlet.optim.LRScheduler;
import dev.torchlet.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint (model + optimizer + LR scheduler + epoch + user metadata) as ONE
 * safetensors file:
 * <ul>
 *   <li>model tensors under {@code model.<state dict key>} (parameters and buffers, in their dtype);</li>
 *   <li>optimizer state under {@code optimizer.<key>} ({@link Optimizer#stateDict()});</li>
 *   <li>{@code __metadata__} strings: the user's metadata (e.g. {@code "epoch" -> "12"}) plus
 *       Torchlet's own keys, all starting with {@code torchlet.}: the format version, the
 *       optimizer's class, and the scheduler's class and {@code last_epoch}.</li>
 * </ul>
 * Saving is atomic (temporary file, then rename). Loading reads and checks the whole file, then
 * checks it against the model (names, shapes, dtypes), optimizer (class) and scheduler before
 * anything is changed: a failed load leaves all three as they were.
 */
public final class Checkpoint {
    static final String FORMAT_KEY = "torchlet.format";
    static final String FORMAT = "checkpoint-v1";
    static final String OPTIMIZER_KEY = "torchlet.optimizer";
    static final String SCHEDULER_KEY = "torchlet.scheduler";
    static final String SCHEDULER_EPOCH_KEY = "torchlet.scheduler.last_epoch";
    private static final String RESERVED = "torchlet.";
    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";

    private Checkpoint() {}

    /** Saves model, optimizer (nullable) and user metadata to {@code path}, atomically. */
    public static void save(Path path, Module model, Optimizer optimizer, Map<String, String> metadata)
            throws IOException {
        save(path, model, optimizer, null, metadata);
    }

    /** Saves model, optimizer and scheduler (both nullable) and user metadata to {@code path}, atomically. */
    public static void save(
            Path path, Module model, Optimizer optimizer, LRScheduler scheduler, Map<String, String> metadata)
            throws IOException {
        if (model == null) {
            throw new IllegalArgumentException("Checkpoint.save: model is null");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        for (var e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("Checkpoint.save: metadata keys and values must not be null, got "
                        + e.getKey() + " -> " + e.getValue());
            }
            if (e.getKey().startsWith(RESERVED)) {
                throw new IllegalArgumentException("Checkpoint.save: metadata key '" + e.getKey()
                        + "' uses the reserved prefix '" + RESERVED + "'");
            }
            meta.put(e.getKey(), e.getValue());
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put(MODEL + k, v));
        if (optimizer != null) {
            meta.put(OPTIMIZER_KEY, optimizer.getClass().getName());
            optimizer.stateDict().forEach((k, v) -> tensors.put(OPTIMIZER + k, v));
        }
        if (scheduler != null) {
            meta.put(SCHEDULER_KEY, scheduler.getClass().getName());
            meta.put(SCHEDULER_EPOCH_KEY, Integer.toString(scheduler.lastEpoch()));
        }
        SafeTensors.write(tensors, meta, path);
    }

    /**
     * Loads into model and optimizer (nullable: then any saved optimizer state is ignored); returns the
     * user metadata.
     */
    public static Map<String, String> load(Path path, Module model, Optimizer optimizer) throws IOException {
        return load(path, model, optimizer, null);
    }

    /**
     * Loads into model, optimizer and scheduler (the last two nullable: then their saved state is
     * ignored) and returns the user metadata. Everything is checked before anything changes.
     *
     * @throws IOException if the file is unreadable, corrupt or not a Torchlet checkpoint
     * @throws IllegalArgumentException if it does not fit the model, optimizer or scheduler
     */
    public static Map<String, String> load(Path path, Module model, Optimizer optimizer, LRScheduler scheduler)
            throws IOException {
        SafeTensors.Contents contents = SafeTensors.readWithMetadata(path);
        Map<String, String> meta = contents.metadata();
        String where = "Checkpoint.load: " + path + ": ";
        if (meta.containsKey("torchlet.quantization")) {
            throw new IOException(where + "holds an int8-quantized model (" + meta.get("torchlet.quantization")
                    + "), which does not load into a float model; use QuantizedCheckpoint.loadStatic/loadDynamic "
                    + "(torchlet-compress)");
        }
        if (!meta.containsKey(FORMAT_KEY)) {
            throw new IOException(where + "not a Torchlet checkpoint (no '" + FORMAT_KEY + "' in __metadata__)");
        }
        if (!FORMAT.equals(meta.get(FORMAT_KEY))) {
            throw new IOException(where + "unsupported checkpoint format '" + meta.get(FORMAT_KEY) + "' (this version "
                    + "reads '" + FORMAT + "')");
        }
        Map<String, Tensor> modelState = new LinkedHashMap<>();
        Map<String, Tensor> optimizerState = new LinkedHashMap<>();
        for (var e : contents.tensors().entrySet()) {
            String k = e.getKey();
            if (k.startsWith(MODEL)) {
                modelState.put(k.substring(MODEL.length()), e.getValue());
            } else if (k.startsWith(OPTIMIZER)) {
                optimizerState.put(k.substring(OPTIMIZER.length()), e.getValue());
            } else {
                throw new IOException(where + "tensor '" + k + "' is neither 'model.*' nor 'optimizer.*'");
            }
        }
        checkModel(where, model, modelState);
        if (optimizer != null) {
            String saved = meta.get(OPTIMIZER_KEY);
            if (saved == null) {
                throw new IllegalArgumentException(where + "the checkpoint has no optimizer state for "
                        + optimizer.getClass().getSimpleName());
            }
            if (!saved.equals(optimizer.getClass().getName())) {
                throw new IllegalArgumentException(where + "the checkpoint holds " + saved + " state, not "
                        + optimizer.getClass().getName());
            }
        }
        int lastEpoch = 0;
        if (scheduler != null) {
            String saved = meta.get(SCHEDULER_KEY);
            if (saved == null || !saved.equals(scheduler.getClass().getName())) {
                throw new IllegalArgumentException(where + "the checkpoint holds "
                        + (saved == null ? "no scheduler state" : saved + " state") + ", not "
                        + scheduler.getClass().getName());
            }
            try {
                lastEpoch = Integer.parseInt(meta.getOrDefault(SCHEDULER_EPOCH_KEY, ""));
            } catch (NumberFormatException e) {
                throw new IOException(where + "bad scheduler last_epoch '" + meta.get(SCHEDULER_EPOCH_KEY) + "'");
            }
        }
        // Apply: the optimizer validates everything before it changes (and its load throws on any
        // mismatch), the model was checked above, the scheduler cannot fail.
        if (optimizer != null) {
            optimizer.loadStateDict(optimizerState);
        }
        model.loadStateDict(modelState);
        if (scheduler != null) {
            scheduler.setLastEpoch(lastEpoch);
        }
        Map<String, String> user = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (!k.startsWith(RESERVED)) {
                user.put(k, v);
            }
        });
        return Collections.unmodifiableMap(user);
    }

    /** Strict: same names, shapes and dtypes as the model's state dict. */
    private static void checkModel(String where, Module model, Map<String, Tensor> state) {
        Map<String, Tensor> own = model.stateDict();
        List<String> problems = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor v = state.get(e.getKey());
            Tensor mine = e.getValue();
            if (v == null) {
                problems.add("missing key '" + e.getKey() + "'");
            } else if (!Arrays.equals(TensorInternals.shapeRef(v), TensorInternals.shapeRef(mine))
                    || v.dtype() != mine.dtype()) {
                problems.add(
                        "'" + e.getKey() + "': checkpoint " + v.dtype() + " " + Shape.str(TensorInternals.shapeRef(v))
                                + " vs model " + mine.dtype() + " " + Shape.str(TensorInternals.shapeRef(mine)));
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                problems.add("unexpected key '" + k + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(where + "does not fit "
                    + model.getClass().getSimpleName() + ":\n  " + String.join("\n  ", problems));
        }
    }
}
