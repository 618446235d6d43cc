package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Identity;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ResNet family against torchvision: parity of every model on procedural weights
 * (tools/golden/gen_vision_resnet.py), state-dict layout, default init statistics, head replacement
 * and input errors.
 */
class ResNetTest {
    // ---------------------------------------------------------------- parity, one per model

    @Test
    void resnet18() {
        ZooParity.check("resnet18");
    }

    @Test
    void resnet34() {
        ZooParity.check("resnet34");
    }

    @Test
    void resnet50() {
        ZooParity.check("resnet50");
    }

    @Test
    void resnet101() {
        ZooParity.check("resnet101");
    }

    @Test
    void resnet152() {
        ZooParity.check("resnet152");
    }

    @Test
    void resnext50_32x4d() {
        ZooParity.check("resnext50_32x4d");
    }

    @Test
    void resnext101_32x8d() {
        ZooParity.check("resnext101_32x8d");
    }

    @Test
    void resnext101_64x4d() {
        ZooParity.check("resnext101_64x4d");
    }

    @Test
    void wideResnet50_2() {
        ZooParity.check("wide_resnet50_2");
    }

    @Test
    void wideResnet101_2() {
        ZooParity.check("wide_resnet101_2");
    }

    // ---------------------------------------------------------------- structure

    @Test
    void registryListsTheFamilyInTorchvisionOrder() {
        assertEquals(
                List.of(
                        "resnet18",
                        "resnet34",
                        "resnet50",
                        "resnet101",
                        "resnet152",
                        "resnext50_32x4d",
                        "resnext101_32x8d",
                        "resnext101_64x4d",
                        "wide_resnet50_2",
                        "wide_resnet101_2"),
                List.copyOf(ResNet.MODELS.keySet()));
        assertTrue(Models.names().containsAll(ResNet.MODELS.keySet()));
    }

    @Test
    void stateDictKeysOrderAndShapesEqualTorchvisions() {
        var expected = StateDictLayout.load("resnet");
        assertEquals(ResNet.MODELS.keySet(), expected.keySet());
        for (var e : expected.entrySet()) {
            Module model = Models.create(e.getKey(), e.getValue().numClasses());
            StateDictLayout.assertMatches(e.getKey(), e.getValue(), model);
        }
    }

    @Test
    void typedFactoriesBuildTheNamedArchitectures() {
        ResNet r = ResNet.resnext50_32x4d(7);
        assertEquals("resnext50_32x4d", r.options().name());
        assertEquals(32, r.options().groups());
        // width = int(planes * 4 / 64) * 32 = 128 at layer1; the 3x3 conv is grouped
        assertArrayEquals(
                new int[] {128, 4, 3, 3},
                r.getParameter("layer1.0.conv2.weight").shape());
        assertArrayEquals(new int[] {7, 2048}, r.getParameter("fc.weight").shape());
        ResNet w = ResNet.wideResnet50_2(3);
        assertArrayEquals(
                new int[] {128, 64, 1, 1},
                w.getParameter("layer1.0.conv1.weight").shape());
        assertInstanceOf(
                ResNet.BasicBlock.class,
                new ResNet(ResNet.Options.of(ResNet.BlockType.BASIC, 1, 1, 2, 1)).getSubmodule("layer3.1"));
        assertInstanceOf(ResNet.Bottleneck.class, r.getSubmodule("layer3.5"));
    }

    /** torchvision's resnet50(replace_stride_with_dilation=[False, True, True]) on procedural weights. */
    @Test
    void dilatedResnet50MatchesTorchvision() {
        var f = dev.torchlet.testing.Golden.load("vision_resnet50_dilated");
        var o = ResNet.Options.of(ResNet.BlockType.BOTTLENECK, 3, 4, 6, 3)
                .withReplaceStrideWithDilation(false, true, true)
                .withNumClasses(10);
        ResNet r = new ResNet(o);
        ProceduralWeights.fill(r);
        r.eval();
        try (var g = Torch.noGrad()) {
            ZooParity.assertClose("resnet50_dilated logits", f.get("logits"), r.call(f.get("input")));
        }
    }

    @Test
    void dilationReplacesStridesAsTorchvision() {
        // torchvision's segmentation backbone: resnet50(replace_stride_with_dilation=[False, True, True])
        var o = ResNet.Options.of(ResNet.BlockType.BOTTLENECK, 1, 1, 2, 2)
                .withReplaceStrideWithDilation(false, true, true);
        ResNet r = new ResNet(o.withNumClasses(4));
        Tensor y;
        try (var g = Torch.noGrad()) {
            r.eval();
            y = r.getSubmodule("layer4")
                    .call(r.getSubmodule("layer3").call(r.getSubmodule("layer2").call(Torch.randn(1, 256, 16, 16))));
        }
        assertArrayEquals(new int[] {1, 2048, 8, 8}, y.shape()); // output stride 8 instead of 32
        var c = (dev.torchlet.nn.Conv2d) r.getSubmodule("layer4.1.conv2");
        assertArrayEquals(new int[] {4, 4}, c.options().dilation());
        assertArrayEquals(new int[] {4, 4}, c.options().padding());
        var first = (dev.torchlet.nn.Conv2d) r.getSubmodule("layer4.0.conv2");
        assertArrayEquals(new int[] {2, 2}, first.options().dilation()); // the previous dilation
        assertThrows(
                IllegalArgumentException.class,
                () -> ResNet.Options.of(ResNet.BlockType.BASIC, 2, 2, 2, 2)
                        .withReplaceStrideWithDilation(false, true, true));
    }

    // ---------------------------------------------------------------- initialization

    private static double[] meanStd(Tensor t) {
        double[] v = t.toDoubleArray();
        double m = 0;
        for (double x : v) {
            m += x;
        }
        m /= v.length;
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return new double[] {m, Math.sqrt(s / (v.length - 1))};
    }

    @Test
    void defaultInitIsTorchvisions() {
        Torch.manualSeed(3);
        ResNet r = ResNet.resnet18(10);
        // kaiming normal, fan out, relu gain: std = sqrt(2 / (Cout * kH * kW)); 2.4M draws
        double[] big = meanStd(r.getParameter("layer4.1.conv2.weight"));
        double std = Math.sqrt(2.0 / (512 * 9));
        assertEquals(0, big[0], 0.01 * std);
        assertEquals(std, big[1], 0.01 * std);
        double[] stem = meanStd(r.getParameter("conv1.weight")); // 9408 draws
        assertEquals(Math.sqrt(2.0 / (64 * 49)), stem[1], 0.03 * Math.sqrt(2.0 / (64 * 49)));
        double[] down = meanStd(r.getParameter("layer3.0.downsample.0.weight")); // 32768 draws, fan out 256
        assertEquals(Math.sqrt(2.0 / 256), down[1], 0.02 * Math.sqrt(2.0 / 256));
        // batch norm: weight 1, bias 0, running statistics 0 and 1
        for (var e : r.stateDict().entrySet()) {
            String k = e.getKey();
            float want = k.endsWith("bn1.weight")
                            || k.endsWith("bn2.weight")
                            || k.endsWith("downsample.1.weight")
                            || k.endsWith("running_var")
                    ? 1f
                    : 0f;
            if (k.contains("bn") || k.contains("downsample.1")) {
                if (!k.endsWith("num_batches_tracked")) {
                    for (float v : e.getValue().toFloatArray()) {
                        assertEquals(want, v, 0f, k);
                    }
                }
            }
        }
        // fc keeps PyTorch's Linear default: U(-1/sqrt(512), 1/sqrt(512)) for weight and bias
        double bound = 1 / Math.sqrt(512);
        Tensor fc = r.getParameter("fc.weight");
        assertTrue(fc.abs().max().item() <= bound);
        assertEquals(bound / Math.sqrt(3), meanStd(fc)[1], 0.03 * bound / Math.sqrt(3));
        assertTrue(r.getParameter("fc.bias").abs().max().item() <= bound);
        assertTrue(r.getParameter("fc.bias").abs().max().item() > 0);
    }

    @Test
    void zeroInitResidualZeroesTheLastNormOfEachBlock() {
        var basic =
                new ResNet(ResNet.Options.of(ResNet.BlockType.BASIC, 1, 1, 1, 1).withZeroInitResidual(true));
        var bottleneck = new ResNet(
                ResNet.Options.of(ResNet.BlockType.BOTTLENECK, 1, 1, 1, 1).withZeroInitResidual(true));
        for (var e : basic.stateDict().entrySet()) {
            if (e.getKey().endsWith("bn2.weight")) {
                assertEquals(0f, e.getValue().abs().max().item(), e.getKey());
            } else if (e.getKey().endsWith("bn1.weight")) {
                assertEquals(1f, e.getValue().min().item(), e.getKey());
            }
        }
        for (var e : bottleneck.stateDict().entrySet()) {
            if (e.getKey().endsWith("bn3.weight")) {
                assertEquals(0f, e.getValue().abs().max().item(), e.getKey());
            } else if (e.getKey().endsWith("bn2.weight")) {
                assertEquals(1f, e.getValue().min().item(), e.getKey());
            }
        }
        ResNet plain = ResNet.resnet18(2);
        assertFalse(plain.options().zeroInitResidual()); // torchvision's default
        assertEquals(1f, plain.getParameter("layer1.0.bn2.weight").min().item());
    }

    // ---------------------------------------------------------------- surgery and errors

    @Test
    void replacingTheHeadChangesTheOutputAndKeepsTheKeyOrder() {
        ResNet r = ResNet.resnet18(1000);
        r.replaceModule("fc", new Linear(512, 5));
        r.eval();
        try (var g = Torch.noGrad()) {
            assertArrayEquals(
                    new int[] {2, 5}, r.call(Torch.randn(2, 3, 32, 32)).shape());
            r.replaceModule("fc", new Identity()); // a feature extractor: (N, 512)
            assertArrayEquals(
                    new int[] {2, 512}, r.call(Torch.randn(2, 3, 32, 32)).shape());
        }
        r.replaceModule("fc", new Linear(512, 3));
        List<String> keys = List.copyOf(r.stateDict().keySet());
        assertEquals(List.of("fc.weight", "fc.bias"), keys.subList(keys.size() - 2, keys.size()));
        // a new stem for 1-channel images: the input check follows the replaced conv1
        r.replaceModule("conv1", ResNet.conv3x3(1, 64, 2, 1, 1));
        try (var g = Torch.noGrad()) {
            assertArrayEquals(
                    new int[] {1, 3}, r.call(Torch.randn(1, 1, 32, 32)).shape());
        }
    }

    @Test
    void badInputsNameTheModelTheLayerAndTheShapes() {
        ResNet r = ResNet.resnet18(10);
        var e = assertThrows(IllegalArgumentException.class, () -> r.call(Torch.randn(2, 1, 32, 32)));
        assertTrue(e.getMessage().contains("resnet18"), e.getMessage());
        assertTrue(e.getMessage().contains("conv1"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 1, 32, 32]"), e.getMessage());
        assertTrue(e.getMessage().contains("[64, 3, 7, 7]"), e.getMessage());
        var rank = assertThrows(IllegalArgumentException.class, () -> r.call(Torch.randn(3, 32, 32)));
        assertTrue(rank.getMessage().contains("resnet18: expected a batch of images (N, C, H, W)"), rank.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResNet.Options.of(ResNet.BlockType.BASIC, 2, 2, 2));
        assertThrows(
                IllegalArgumentException.class,
                () -> ResNet.Options.of(ResNet.BlockType.BASIC, 2, 2, 2, 2).withGroups(32));
        assertThrows(IllegalArgumentException.class, () -> Models.create("resnet50", -1));
    }
}
