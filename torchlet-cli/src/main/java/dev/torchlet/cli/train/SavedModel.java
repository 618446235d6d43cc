package dev.torchlet.cli.train;

import dev.torchlet.io.Checkpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A model restored from a `torchlet train` checkpoint, with the metadata it was saved with. */
public record SavedModel(Module model, Map<String, String> metadata) {
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
        Checkpoint.load(checkpoint, model, null);
        model.eval();
        return new SavedModel(model, meta);
    }
}
