package dev.torchlet.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.optim.Adam;
import dev.torchlet.vision.features.FeatureBackbone;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.transfer.GradualUnfreezing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's multi-scale backbone and gradual unfreezing example, verbatim between the markers. */
class ReadmeVisionExampleTest {
    @Test
    void backboneAndGradualUnfreezingExampleRuns() {
        Torch.manualSeed(0);
        // spotless:off (the README shows this block as it is)
        // README-VISION-BEGIN
        FeatureBackbone backbone = Models.createFeatures("resnet50", 2, 3, 4);  // stages 2-4 of relu, layer1..4
        List<Tensor> maps = backbone.extract(Torch.rand(1, 3, 224, 224));        // (1, 512, 28, 28) ... (1, 2048, 7, 7)
        int[] channels = backbone.channels();                                    // [512, 1024, 2048]
        int[] reductions = backbone.reductions();                                // [8, 16, 32]

        Module model = Models.create("resnet18", 5);
        var unfreezing = GradualUnfreezing.forZooModel(model, "resnet18");      // fc | layer4 | ... | conv1,bn1
        var optimizer = new Adam(model.parameters(), 1e-4);                      // frozen parameters get no gradient
        for (int epoch = 0; epoch < 6; epoch++) {
            unfreezing.step(epoch);                                              // 0: fc; 1: fc, layer4; ...
            model.train();                                                       // frozen batch norms stay in eval
            // ... one epoch of training
        }
        // README-VISION-END
        // spotless:on
        assertArrayEquals(new int[] {1, 512, 28, 28}, maps.get(0).shape());
        assertArrayEquals(new int[] {1, 2048, 7, 7}, maps.get(2).shape());
        assertArrayEquals(new int[] {512, 1024, 2048}, channels);
        assertArrayEquals(new int[] {8, 16, 32}, reductions);
        assertEquals(6, unfreezing.trainable().size());
        assertTrue(model.parameters().stream().allMatch(Tensor::requiresGrad));
        optimizer.zeroGrad();
    }

    @Test
    void readmeShowsTheExampleVerbatim() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String test = Files.readString(Path.of("src/test/java/dev/torchlet/vision/ReadmeVisionExampleTest.java"));
        int from = test.indexOf("// README-VISION-BEGIN\n") + "// README-VISION-BEGIN\n".length();
        String body = test.substring(from, test.indexOf("        // README-VISION-END"));
        String unindented = body.lines()
                .map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                .reduce("", (a, b) -> a + b + "\n");
        assertTrue(readme.contains(unindented), "example differs from README.md:\n" + unindented);
    }
}
