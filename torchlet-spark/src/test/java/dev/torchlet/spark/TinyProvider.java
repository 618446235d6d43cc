package dev.torchlet.spark;

import dev.torchlet.Tensor;
import dev.torchlet.data.transforms.Resize;
import dev.torchlet.data.transforms.ToTensor;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A test {@link ModelProvider}: a tiny grayscale CNN, (1, 4, 4) -> conv 2x3x3 -> ReLU -> 32 -> Linear 3, images
 * resized to 4x4. Specs: {@code tiny} (random weights) or {@code tiny:PATH} (weights from a safetensors file).
 */
public class TinyProvider implements ModelProvider {
    private static final long serialVersionUID = 1L;

    public static Module network() {
        return new Sequential(new Conv2d(1, 2, 3, 1, 1), new ReLU(), new Flatten(), new Linear(32, 3));
    }

    @Override
    public ModelArchitecture architecture(String spec) {
        if (!spec.startsWith("tiny")) {
            throw new IllegalArgumentException("TinyProvider: spec must be tiny or tiny:PATH, got '" + spec + "'");
        }
        return new ModelArchitecture(network(), new ToTensor().andThen(new Resize(4, 4)), 1);
    }

    @Override
    public boolean hasWeightsFile(String spec) {
        return spec.startsWith("tiny:");
    }

    @Override
    public Map<String, Tensor> weights(String spec) throws IOException {
        if (!spec.startsWith("tiny:")) {
            throw new UnsupportedOperationException("random weights");
        }
        return SafeTensors.read(Path.of(spec.substring(5)));
    }
}
