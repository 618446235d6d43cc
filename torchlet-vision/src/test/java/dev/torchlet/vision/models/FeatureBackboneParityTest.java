package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.testing.Golden;
import dev.torchlet.vision.features.FeatureBackbone;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Multi-scale backbone outputs against torchvision-computed intermediate maps: the zoo parity fixtures
 * (tools/golden/vision_parity.py, procedural weights, eval mode) hold some maps that are stage outputs;
 * the backbone's match within 1e-4 (max abs error over max abs value), as the zoo parity does.
 */
class FeatureBackboneParityTest {
    /** model: stage index -> fixture key of the same module's output. */
    private static void check(String name, Map<Integer, String> stageToFixture) {
        Map<String, Tensor> f = Golden.load("vision_" + name);
        Module model = Models.create(name, f.get("logits").size(1));
        ProceduralWeights.fill(model);
        model.eval();
        int[] indices = stageToFixture.keySet().stream()
                .mapToInt(Integer::intValue)
                .sorted()
                .toArray();
        FeatureBackbone b = FeatureBackbone.of(model, indices);
        List<Tensor> maps;
        try (var g = Torch.noGrad()) {
            maps = b.extract(f.get("input"));
        }
        assertEquals(indices.length, maps.size());
        for (int k = 0; k < indices.length; k++) {
            String key = stageToFixture.get(indices[k]);
            ZooParity.assertClose(name + " stage " + indices[k] + " vs " + key, f.get(key), maps.get(k));
        }
    }

    @Test
    void resnets() {
        check("resnet18", Map.of(2, "feature.layer2", 4, "feature.layer4"));
        check("resnet50", Map.of(3, "feature.layer3", 4, "feature.layer4"));
    }

    @Test
    void mobileNetsAndEfficientNet() {
        check("mobilenet_v2", Map.of(0, "feature.features.1", 1, "feature.features.3"));
        check("mobilenet_v3_small", Map.of(4, "feature.features.12"));
        // stage 1 is features.2, a Sequential whose output is its last block's, features.2.1
        check("efficientnet_b0", Map.of(0, "feature.features.1", 1, "feature.features.2.1", 3, "feature.features.5"));
    }

    @Test
    void convNeXt() {
        check("convnext_tiny", Map.of(2, "feature.features.5", 3, "feature.features.7"));
    }
}
