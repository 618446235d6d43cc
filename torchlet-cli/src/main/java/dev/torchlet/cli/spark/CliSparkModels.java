package dev.torchlet.cli.spark;

import dev.torchlet.Tensor;
import dev.torchlet.cli.train.FashionMnist;
import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.spark.ModelArchitecture;
import dev.torchlet.spark.ModelProvider;
import dev.torchlet.spark.ZooModelProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The model specs the CLI's spark commands understand: {@code zoo:...} ({@link ZooModelProvider}) and a
 * {@code torchlet train} checkpoint path (Fashion-MNIST models: grayscale 28x28 input, normalized like
 * training).
 */
public class CliSparkModels implements ModelProvider {
    private static final long serialVersionUID = 1L;

    private final ZooModelProvider zoo = new ZooModelProvider();

    @Override
    public ModelArchitecture architecture(String spec) {
        if (spec.startsWith("zoo:")) {
            return zoo.architecture(spec);
        }
        try {
            SavedModel saved = SavedModel.load(Path.of(spec));
            if (saved.quantization() != null) {
                throw new IllegalArgumentException(
                        "checkpoint " + spec + " is " + saved.quantization() + "; spark runs float checkpoints");
            }
            return new ModelArchitecture(saved.model(), FashionMnist.evalTransform(), 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + spec + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean hasWeightsFile(String spec) {
        return !spec.startsWith("zoo:") || zoo.hasWeightsFile(spec);
    }

    @Override
    public Map<String, Tensor> weights(String spec) throws IOException {
        if (spec.startsWith("zoo:")) {
            return zoo.weights(spec);
        }
        return SavedModel.load(Path.of(spec)).model().stateDict();
    }
}
