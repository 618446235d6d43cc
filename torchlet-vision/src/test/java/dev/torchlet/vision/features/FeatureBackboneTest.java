package dev.torchlet.vision.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.models.VisionTransformer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Multi-scale backbones: timm's stage channels and reductions for every supported family, outputs equal
 * to FeatureExtractor's at the same paths with the shapes the reductions promise, early stop, out indices,
 * modes left alone, and the refusals.
 */
class FeatureBackboneTest {
    private static void assertStages(String model, int[] channels, int[] reductions, List<String> paths) {
        Torch.manualSeed(0);
        FeatureBackbone b = Models.createFeatures(model);
        assertArrayEquals(channels, b.channels(), model + " channels");
        assertArrayEquals(reductions, b.reductions(), model + " reductions");
        if (paths != null) {
            assertEquals(paths, b.modulePaths(), model + " stage paths");
        }
        // shapes promised by channels and reductions, on a 64x96 batch of 2
        Tensor x = Torch.randn(2, 3, 64, 96);
        List<Tensor> maps;
        try (var g = Torch.noGrad()) {
            maps = b.extract(x);
        }
        assertEquals(channels.length, maps.size());
        for (int i = 0; i < maps.size(); i++) {
            assertArrayEquals(
                    new int[] {2, channels[i], 64 / reductions[i], 96 / reductions[i]},
                    maps.get(i).shape(),
                    model + " stage " + i);
        }
    }

    @Test
    void resNetFamilyStagesAreTimms() {
        List<String> paths = List.of("relu", "layer1", "layer2", "layer3", "layer4");
        int[] r = {2, 4, 8, 16, 32};
        assertStages("resnet18", new int[] {64, 64, 128, 256, 512}, r, paths);
        assertStages("resnet50", new int[] {64, 256, 512, 1024, 2048}, r, paths);
        assertStages("resnext50_32x4d", new int[] {64, 256, 512, 1024, 2048}, r, paths);
        assertStages("wide_resnet50_2", new int[] {64, 256, 512, 1024, 2048}, r, paths);
    }

    @Test
    void vggStagesAreTheLayersBeforeEachPoolThenTheLastPool() {
        assertStages(
                "vgg11_bn",
                new int[] {64, 128, 256, 512, 512, 512},
                new int[] {1, 2, 4, 8, 16, 32},
                List.of("features.2", "features.6", "features.13", "features.20", "features.27", "features.28"));
    }

    @Test
    void mobileFamiliesStagesAreTimms() {
        int[] r = {2, 4, 8, 16, 32};
        assertStages(
                "mobilenet_v2",
                new int[] {16, 24, 32, 96, 320},
                r,
                List.of("features.1", "features.3", "features.6", "features.13", "features.17"));
        assertStages(
                "mobilenet_v3_large",
                new int[] {16, 24, 40, 112, 960},
                r,
                List.of("features.1", "features.3", "features.6", "features.12", "features.16"));
        assertStages(
                "mobilenet_v3_small",
                new int[] {16, 16, 24, 48, 576},
                r,
                List.of("features.0", "features.1", "features.3", "features.8", "features.12"));
        assertStages(
                "efficientnet_b0",
                new int[] {16, 24, 40, 112, 320},
                r,
                List.of("features.1", "features.2", "features.3", "features.5", "features.7"));
    }

    @Test
    void denseNetAndConvNeXtStagesAreTimms() {
        assertStages(
                "densenet121",
                new int[] {64, 256, 512, 1024, 1024},
                new int[] {2, 4, 8, 16, 32},
                List.of(
                        "features.relu0",
                        "features.denseblock1",
                        "features.denseblock2",
                        "features.denseblock3",
                        "features.norm5"));
        assertStages(
                "convnext_tiny",
                new int[] {96, 192, 384, 768},
                new int[] {4, 8, 16, 32},
                List.of("features.1", "features.3", "features.5", "features.7"));
    }

    @Test
    void outputsAreFeatureExtractorsAndTheForwardStopsAfterTheLastStage() {
        Torch.manualSeed(1);
        Module model = Models.create("resnet18", 10);
        model.eval();
        FeatureBackbone b = FeatureBackbone.of(model, 1, 3);
        assertArrayEquals(new int[] {1, 3}, b.outIndices());
        assertEquals(List.of("layer1", "layer3"), b.modulePaths());
        assertArrayEquals(new int[] {64, 256}, b.channels());
        assertArrayEquals(new int[] {4, 16}, b.reductions());
        int[] later = {0};
        model.getSubmodule("layer4").registerForwardHook((m, in, out) -> {
            later[0]++;
            return null;
        });
        Tensor x = Torch.randn(2, 3, 32, 32);
        List<Tensor> maps = b.extract(x);
        assertEquals(0, later[0], "layer4 and the head did not run");
        Map<String, Tensor> expected =
                FeatureExtractor.of(model, "layer1", "layer3").extract(x);
        assertArrayEquals(expected.get("layer1").toFloatArray(), maps.get(0).toFloatArray(), 0f);
        assertArrayEquals(expected.get("layer3").toFloatArray(), maps.get(1).toFloatArray(), 0f);
        assertArrayEquals(new int[] {2, 256, 2, 2}, maps.get(1).shape());
    }

    @Test
    void outIndicesMayCountFromTheEndAndKeepTheirOrder() {
        Torch.manualSeed(2);
        FeatureBackbone b = FeatureBackbone.of(Models.create("mobilenet_v2", 0), -1, 2);
        assertArrayEquals(new int[] {4, 2}, b.outIndices());
        assertArrayEquals(new int[] {320, 32}, b.channels());
        assertArrayEquals(new int[] {32, 8}, b.reductions());
        assertEquals(
                new FeatureBackbone.Stage(4, "features.17", 320, 32),
                b.featureInfo().get(0));
        List<Tensor> maps = b.extract(Torch.randn(1, 3, 64, 64));
        assertArrayEquals(new int[] {1, 320, 2, 2}, maps.get(0).shape());
        assertArrayEquals(new int[] {1, 32, 8, 8}, maps.get(1).shape());
    }

    @Test
    void makingABackboneLeavesModesAndStatisticsAlone() {
        Torch.manualSeed(3);
        Module model = Models.create("resnet18", 10);
        model.train();
        model.freeze("layer1");
        Tensor mean = model.getSubmodule("bn1").buffer("running_mean");
        float[] before = mean.toFloatArray();
        FeatureBackbone.of(model);
        assertArrayEquals(before, mean.toFloatArray(), 0f, "the probe ran in eval mode");
        assertTrue(model.isTraining());
        assertTrue(model.getSubmodule("bn1").isTraining());
        assertFalse(model.getSubmodule("layer1.0.bn1").isTraining(), "frozen batch norm stays in eval");
        assertTrue(model.getSubmodule("layer2.0.bn1").isTraining());
        Tensor x = Torch.randn(2, 3, 32, 32);
        FeatureBackbone.of(model, 4).extract(x).get(0).sum().backward();
        assertTrue(model.getParameter("layer4.0.conv1.weight").grad() != null, "extract keeps the graph");
    }

    @Test
    void anyModelWorksWithStagePathsOfItsOwn() {
        Torch.manualSeed(4);
        var net = new Sequential(
                new Sequential(new Conv2d(1, 4, 3, 2, 1), new ReLU()),
                new Sequential(new Conv2d(4, 8, 3, 2, 1), new ReLU()),
                new Flatten());
        FeatureBackbone b = FeatureBackbone.of(net, List.of("0", "1"));
        assertArrayEquals(new int[] {4, 8}, b.channels());
        assertArrayEquals(new int[] {2, 4}, b.reductions());
        var e = assertThrows(IllegalArgumentException.class, () -> FeatureBackbone.of(net, List.of("0", "2")));
        assertEquals(
                "FeatureBackbone: stage 1 ('2') outputs [1, 2048], not a feature map (N, C, h, w)", e.getMessage());
    }

    @Test
    void modelsWithoutStagesAndBadIndicesAreRefused() {
        Torch.manualSeed(5);
        var e = assertThrows(IllegalArgumentException.class, () -> Models.createFeatures("squeezenet1_1"));
        assertTrue(e.getMessage().contains("no multi-scale stages known for SqueezeNet"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.createFeatures("alexnet"));
        assertTrue(e.getMessage().contains("AlexNet"), e.getMessage());
        var vit = new VisionTransformer(VisionTransformer.Options.of(32, 8, 1, 2, 16, 32));
        e = assertThrows(IllegalArgumentException.class, () -> FeatureBackbone.of(vit));
        assertTrue(e.getMessage().contains("VisionTransformer has no multi-scale stages"), e.getMessage());
        Module resnet = Models.create("resnet18", 0);
        e = assertThrows(IllegalArgumentException.class, () -> FeatureBackbone.of(resnet, 5));
        assertEquals(
                "FeatureBackbone: out index 5 is out of range for 5 stages [relu, layer1, layer2, layer3, layer4] "
                        + "(use 0..4 or -5..-1)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FeatureBackbone.of(resnet, 4, -1));
        assertEquals("FeatureBackbone: stage 4 requested twice in [4, -1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FeatureBackbone.of(resnet, List.of()));
        assertEquals("FeatureBackbone: give at least one stage module path", e.getMessage());
    }
}
