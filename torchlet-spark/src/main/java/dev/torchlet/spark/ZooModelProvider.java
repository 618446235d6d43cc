package dev.torchlet.spark;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.weights.Preprocessing;
import dev.torchlet.vision.weights.PretrainedWeights;
import dev.torchlet.vision.weights.WeightRegistry;
import dev.torchlet.vision.weights.WeightSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The default {@link ModelProvider}: torchvision zoo models with 1000 classes and ImageNet preprocessing.
 * Specs:
 * <ul>
 *   <li>{@code zoo:NAME}: random initialization (broadcast transport only: every executor must see the
 *       driver's draw);
 *   <li>{@code zoo:NAME:pretrained}: the registry's DEFAULT weights, found in the local weight caches;
 *   <li>{@code zoo:NAME:/path/to/weights.pth} (or {@code .safetensors}): a state dict file.
 * </ul>
 * Pretrained weights bring their own preprocessing (resize, crop, mean and std); otherwise it is ImageNet's at
 * 224x224.
 */
public class ZooModelProvider implements ModelProvider {
    private static final long serialVersionUID = 1L;

    /** A parsed spec: model name and, when given, "pretrained" or a weights path. */
    record ZooSpec(String model, String weights) {
        static ZooSpec parse(String spec) {
            if (spec == null || !spec.startsWith("zoo:")) {
                throw new IllegalArgumentException("model spec must be zoo:NAME, zoo:NAME:pretrained or "
                        + "zoo:NAME:/path/to/weights, got '" + spec + "'");
            }
            String rest = spec.substring(4);
            int colon = rest.indexOf(':');
            String model = colon < 0 ? rest : rest.substring(0, colon);
            String weights = colon < 0 ? null : rest.substring(colon + 1);
            if (!Models.names().contains(model)) {
                throw new IllegalArgumentException("model spec '" + spec + "': unknown zoo model '" + model
                        + "'; available: " + String.join(", ", Models.names()));
            }
            if (weights != null && weights.isEmpty()) {
                throw new IllegalArgumentException("model spec '" + spec + "': empty weights after the second ':'");
            }
            return new ZooSpec(model, weights);
        }

        boolean pretrained() {
            return "pretrained".equals(weights);
        }
    }

    @Override
    public ModelArchitecture architecture(String spec) {
        ZooSpec zoo = ZooSpec.parse(spec);
        Module net = Models.create(zoo.model(), 1000);
        Preprocessing pre = zoo.weights() == null ? Preprocessing.imagenet(224) : preprocessing(zoo.model());
        return new ModelArchitecture(net, pre.transform(), 3);
    }

    @Override
    public Map<String, Tensor> weights(String spec) throws IOException {
        ZooSpec zoo = ZooSpec.parse(spec);
        if (zoo.weights() == null) {
            throw new UnsupportedOperationException("model spec '" + spec + "' has random weights, which only the "
                    + "broadcast transport can share; give a weights file (zoo:" + zoo.model() + ":/path/to/weights) "
                    + "or zoo:" + zoo.model() + ":pretrained for the file transport");
        }
        Module net = Models.create(zoo.model(), 1000);
        if (zoo.pretrained()) {
            PretrainedWeights.resolveAndLoad(net, WeightRegistry.find(zoo.model(), "DEFAULT"), null, false);
        } else {
            Path file = Path.of(zoo.weights());
            PretrainedWeights.load(net, file, null);
        }
        return net.stateDict();
    }

    @Override
    public boolean hasWeightsFile(String spec) {
        return ZooSpec.parse(spec).weights() != null;
    }

    private static Preprocessing preprocessing(String model) {
        try {
            WeightSpec spec = WeightRegistry.find(model, "DEFAULT");
            return spec.preprocessing();
        } catch (IllegalArgumentException noWeights) {
            return Preprocessing.imagenet(224);
        }
    }
}
