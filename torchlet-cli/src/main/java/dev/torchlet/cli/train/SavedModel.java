package dev.torchlet.cli.train;

import dev.torchlet.compress.quantization.QuantizedCheckpoint;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.utils.prune.ChannelPruning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model restored from a `torchlet train` checkpoint, with the metadata it was saved with; also an int8 file
 * written by `torchlet compress quantize` ({@link #quantization()} names its kind, else null).
 */
public record SavedModel(Module model, Map<String, String> metadata) {
    /** Metadata key of a channel-pruned model's layer sizes: "path=channels,path=channels". */
    public static final String CHANNELS = "channels";

    /** The metadata value for {@link #CHANNELS}. */
    public static String formatChannels(Map<String, Integer> counts) {
        return String.join(
                ",",
                counts.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
    }

    static Map<String, Integer> parseChannels(String value) throws IOException {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            String[] kv = part.split("=");
            try {
                out.put(kv[0], Integer.parseInt(kv[1]));
            } catch (RuntimeException e) {
                throw new IOException("checkpoint metadata '" + CHANNELS + "' is malformed: '" + value + "'");
            }
        }
        return out;
    }

    /** The int8 kind of a quantized file ({@code static-int8}, {@code dynamic-int8}), null for a float model. */
    public String quantization() {
        return metadata.get(QuantizedCheckpoint.KEY);
    }

    public static SavedModel load(Path checkpoint) throws IOException {
        if (!Files.isRegularFile(checkpoint)) {
            throw new IOException("checkpoint " + checkpoint + " does not exist");
        }
        Map<String, String> meta = SafeTensors.header(checkpoint).metadata();
        String name = meta.get("model");
        if (name == null) {
            throw new IOException("checkpoint " + checkpoint + " was not written by `torchlet train` (no model name in "
                    + "its metadata)");
        }
        Module model = TrainModels.create(name, 10);
        String channels = meta.get(CHANNELS);
        if (channels != null) { // written by `torchlet compress prune --structured`: a smaller architecture
            ChannelPruning.shrinkTo(model, parseChannels(channels));
        }
        String quantized = meta.get(QuantizedCheckpoint.KEY);
        if (QuantizedCheckpoint.STATIC.equals(quantized)) {
            return new SavedModel(QuantizedCheckpoint.loadStatic(checkpoint, model.eval()), meta);
        }
        if (QuantizedCheckpoint.DYNAMIC.equals(quantized)) {
            return new SavedModel(QuantizedCheckpoint.loadDynamic(checkpoint, model.eval()), meta);
        }
        Checkpoint.load(checkpoint, model, null);
        model.eval();
        return new SavedModel(model, meta);
    }
}
