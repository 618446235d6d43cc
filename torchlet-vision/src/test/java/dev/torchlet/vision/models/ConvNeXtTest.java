package dev.torchlet.vision.models;

import static dev.torchlet.vision.models.TransformerFixtures.assertAll;
import static dev.torchlet.vision.models.TransformerFixtures.assertNormalish;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.LayerNorm2d;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.StochasticDepth;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * ConvNeXt against torchvision (fixtures from tools/golden/gen_vision_transformer.py): parity of
 * convnext_tiny, state-dict keys and shapes, default initialization, stochastic-depth schedule, head
 * replacement and input errors.
 */
class ConvNeXtTest {
    private static ConvNeXt defaultTiny;

    private static synchronized ConvNeXt defaultTiny() {
        if (defaultTiny == null) {
            Torch.manualSeed(7);
            defaultTiny = (ConvNeXt) Models.create("convnext_tiny", 10);
        }
        return defaultTiny;
    }

    @AfterAll
    static synchronized void releaseModel() {
        defaultTiny = null;
    }

    @Test
    void convnextTiny() {
        ZooParity.check("convnext_tiny");
    }

    @Test
    void moduleTreeMatchesTorchvision() {
        TransformerFixtures.assertModulesMatch("convnext_tiny", defaultTiny());
    }

    @Test
    void stateDictKeysAndShapesMatchTorchvision() {
        TransformerFixtures.assertStateDictMatches("convnext_tiny", defaultTiny());
        List<String> expected = TransformerFixtures.torchvisionStateDict("convnext_tiny");
        // a block's own layer_scale comes before its children's parameters, as in PyTorch
        assertEquals(
                List.of(
                        "features.1.0.layer_scale 96,1,1",
                        "features.1.0.block.0.weight 96,1,7,7",
                        "features.1.0.block.0.bias 96",
                        "features.1.0.block.2.weight 96",
                        "features.1.0.block.2.bias 96",
                        "features.1.0.block.3.weight 384,96",
                        "features.1.0.block.3.bias 384",
                        "features.1.0.block.5.weight 96,384",
                        "features.1.0.block.5.bias 96"),
                expected.subList(4, 13));
    }

    @Test
    void defaultInitializationIsTorchvisions() {
        Module m = defaultTiny();
        // every Conv2d and Linear: trunc_normal_(std=0.02), bias 0
        for (String layer : List.of(
                "features.0.0",
                "features.2.1",
                "features.5.4.block.0",
                "features.5.4.block.3",
                "features.7.2.block.5")) {
            assertNormalish(layer + ".weight", m.getParameter(layer + ".weight"), 0.02, 0.03);
            assertAll(layer + ".bias", m.getParameter(layer + ".bias"), 0);
        }
        assertNormalish("classifier.2.weight", m.getParameter("classifier.2.weight"), 0.02, 0.05);
        assertAll("classifier.2.bias", m.getParameter("classifier.2.bias"), 0);
        assertAll("layer_scale", m.getParameter("features.3.1.layer_scale"), (float) 1e-6);
        for (String ln : List.of("features.0.1", "features.6.0", "features.5.8.block.2", "classifier.0")) {
            assertAll(ln + ".weight", m.getParameter(ln + ".weight"), 1);
            assertAll(ln + ".bias", m.getParameter(ln + ".bias"), 0);
        }
    }

    @Test
    void stochasticDepthGrowsLinearlyToTheLastBlock() {
        Module m = defaultTiny();
        // 18 blocks: block i drops with probability 0.1 * i / 17
        assertEquals(0.0, sd(m, "features.1.0").p());
        assertEquals(0.1 * 4 / 17.0, sd(m, "features.3.1").p(), 1e-15);
        assertEquals(0.1, sd(m, "features.7.2").p(), 1e-15);
        assertEquals("row", sd(m, "features.7.2").mode());
    }

    private static StochasticDepth sd(Module m, String block) {
        return (StochasticDepth) m.getSubmodule(block + ".stochastic_depth");
    }

    @Test
    void headCanBeReplaced() {
        var model = ConvNeXt.convnextTiny(10);
        var keys = List.copyOf(model.stateDict().keySet());
        model.replaceModule("classifier.2", new Linear(768, 3));
        assertEquals(keys, List.copyOf(model.stateDict().keySet()));
        model.eval();
        try (var g = Torch.noGrad()) {
            assertArrayEquals(
                    new int[] {1, 3}, model.call(Torch.randn(1, 3, 32, 32)).shape());
        }
    }

    @Test
    void smallModelTrains() {
        var model = new ConvNeXt(new ConvNeXt.Options(
                List.of(new ConvNeXt.StageConfig(8, 16, 1), new ConvNeXt.StageConfig(16, 0, 2)), 0.5, 1e-6, 4));
        model.train();
        Tensor loss = model.call(Torch.randn(2, 3, 32, 32)).sum();
        loss.backward();
        assertTrue(model.getParameter("features.0.0.weight").grad() != null);
        assertTrue(model.getParameter("features.3.1.layer_scale").grad() != null);
    }

    @Test
    void badInputIsReportedWithModelAndShapes() {
        Module m = defaultTiny();
        var channels = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.zeros(1, 1, 32, 32)));
        assertEquals(
                "convnext_tiny: features.0.0 (stem Conv2d) expects 3 input channels, got input [1, 1, 32, 32]",
                channels.getMessage());
        var rank = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.zeros(3, 32, 32)));
        assertEquals("convnext_tiny: expected input (N, 3, H, W), got [3, 32, 32]", rank.getMessage());
        var stages = assertThrows(
                IllegalArgumentException.class,
                () -> new ConvNeXt.Options(
                        List.of(new ConvNeXt.StageConfig(8, 16, 1), new ConvNeXt.StageConfig(32, 0, 1)), 0, 1e-6, 10));
        assertEquals("ConvNeXt: stage 0 ends with 16 channels but stage 1 takes 32", stages.getMessage());
        var ln = assertThrows(
                IllegalArgumentException.class,
                () -> m.getSubmodule("features.2.0").call(Torch.zeros(1, 4, 2, 2)));
        assertEquals("LayerNorm2d: expected (N, 96, H, W), got [1, 4, 2, 2]", ln.getMessage());
    }

    @Test
    void usesTheCoreLayerNorm2dWithEps1e6() {
        ConvNeXt m = defaultTiny();
        for (String path : List.of("features.0.1", "features.2.0", "features.4.0", "features.6.0", "classifier.0")) {
            LayerNorm2d ln = assertInstanceOf(LayerNorm2d.class, m.getSubmodule(path), path);
            assertEquals(1e-6, ln.eps(), path);
        }
    }
}
