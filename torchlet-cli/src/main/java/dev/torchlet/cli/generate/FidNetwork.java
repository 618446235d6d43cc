package dev.torchlet.cli.generate;

import dev.torchlet.io.Checkpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.vision.generative.metrics.FidClassifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The FID feature network of `torchlet generate eval`: a {@link FidClassifier} restored from a checkpoint of
 * `torchlet generate fid-classifier`, by default the one built into the CLI ({@value #RESOURCE}, trained by
 * that command). Its 128-d penultimate features are Torchlet's FID features on Fashion-MNIST, not Inception's.
 *
 * @param source   where the weights came from (a path, or "built-in")
 * @param metadata the checkpoint's metadata (test accuracy, epochs, seed)
 */
record FidNetwork(FidClassifier model, String source, Map<String, String> metadata) {
    /** Class-path resource (next to this class) of the built-in classifier. */
    static final String RESOURCE = "fid-classifier.safetensors";

    /** Metadata key naming the feature network; its value is {@value #NETWORK_ID}. */
    static final String METADATA_KEY = "fid_classifier";

    static final String NETWORK_ID = "fashion-cnn-128";

    /** The classifier of an explicit checkpoint, or the built-in one when {@code explicit} is null. */
    static FidNetwork load(Path explicit) throws IOException {
        if (explicit != null) {
            return load(explicit, explicit.toString());
        }
        try (InputStream in = FidNetwork.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("no built-in FID classifier in this build; train one with `torchlet generate"
                        + " fid-classifier` and pass it with --classifier");
            }
            Path tmp = Files.createTempFile("torchlet-fid-classifier", ".safetensors");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return load(tmp, "built-in");
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static FidNetwork load(Path checkpoint, String source) throws IOException {
        if (!Files.isRegularFile(checkpoint)) {
            throw new IOException("FID classifier " + checkpoint + " does not exist");
        }
        Map<String, String> meta = SafeTensors.header(checkpoint).metadata();
        if (!NETWORK_ID.equals(meta.get(METADATA_KEY))) {
            throw new IOException(
                    "FID classifier " + checkpoint + " was not written by `torchlet generate fid-classifier`");
        }
        FidClassifier model = new FidClassifier(Integer.parseInt(meta.getOrDefault("num_classes", "10")));
        Checkpoint.load(checkpoint, model, null);
        model.eval();
        return new FidNetwork(model, source, meta);
    }

    /** The classifier's accuracy on the Fashion-MNIST test set when it was trained, in [0, 1] (NaN if unknown). */
    double testAccuracy() {
        return Double.parseDouble(metadata.getOrDefault("test_accuracy", "NaN"));
    }

    String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "%s (%s, %d-d features, test accuracy %.2f%%)",
                NETWORK_ID,
                source,
                FidClassifier.FEATURE_DIM,
                100 * testAccuracy());
    }
}
