package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import org.junit.jupiter.api.Test;

/** MobileNetV2 against torchvision (fixtures from tools/golden/gen_vision_mobile.py). */
class MobileNetV2Test {
    @Test
    void mobilenetV2MatchesTorchvision() {
        ZooParity.check("mobilenet_v2");
    }

    @Test
    void stateDictKeysAndShapesAreTorchvisions() {
        MobileZooTestSupport.assertStateDictMatchesTorchvision("mobilenet_v2");
    }

    @Test
    void defaultInitIsTorchvisions() {
        Torch.manualSeed(0);
        MobileNetV2 m = MobileNetV2.mobilenetV2(1000);
        // kaiming normal, fan_out: std sqrt(2 / (Cout * k * k))
        MobileZooTestSupport.assertZeroMeanStd(
                m.getParameter("features.18.0.weight"), Math.sqrt(2.0 / 1280), "last 1x1 conv");
        MobileZooTestSupport.assertZeroMeanStd(
                m.getParameter("features.17.conv.0.0.weight"), Math.sqrt(2.0 / 960), "expansion conv");
        MobileZooTestSupport.assertZeroMeanStd(m.getParameter("classifier.1.weight"), 0.01, "classifier");
        MobileZooTestSupport.assertNormsOneZeroAndConvBiasesZero(m);
        assertEquals(
                "Dropout(p=0.2, inplace=False)", m.getSubmodule("classifier.0").toString());
    }

    @Test
    void residualsWhereTorchvisionHasThem() {
        MobileNetV2 m = MobileNetV2.mobilenetV2(10);
        StringBuilder residual = new StringBuilder();
        for (int i = 1; i <= 17; i++) {
            var block = (MobileNetV2.InvertedResidual) m.getSubmodule("features." + i);
            residual.append(block.usesResidual() ? 'r' : '-');
        }
        // stride 1 and same channels: the repeats of each stage after its first block
        assertEquals("--r-rr-rrr-rr-rr-", residual.toString());
    }

    @Test
    void widthMultiplierRoundsChannelsAsTorchvision() {
        // shapes of torchvision's mobilenet_v2(num_classes=10, width_mult=0.5)
        MobileNetV2 m = new MobileNetV2(10, 0.5, 0.2);
        assertArrayEquals(
                new int[] {16, 3, 3, 3}, m.getParameter("features.0.0.weight").shape());
        assertArrayEquals(
                new int[] {16, 1, 3, 3},
                m.getParameter("features.1.conv.0.0.weight").shape());
        assertArrayEquals(
                new int[] {48, 8, 1, 1},
                m.getParameter("features.2.conv.0.0.weight").shape());
        assertArrayEquals(
                new int[] {160, 480, 1, 1},
                m.getParameter("features.17.conv.2.weight").shape());
        assertArrayEquals(
                new int[] {1280, 160, 1, 1},
                m.getParameter("features.18.0.weight").shape());
        assertArrayEquals(
                new int[] {10, 1280}, m.getParameter("classifier.1.weight").shape());
        assertEquals(314, m.stateDict().size());
        // torchvision's _make_divisible(v, 8): 3.5, 12, 13.6, 100, 4, 1 and 22.5; min_value 1 for 7
        int[] got = {
            MobileNetBlocks.makeDivisible(3.5, 8),
            MobileNetBlocks.makeDivisible(12, 8),
            MobileNetBlocks.makeDivisible(13.6, 8),
            MobileNetBlocks.makeDivisible(100, 8),
            MobileNetBlocks.makeDivisible(4, 8),
            MobileNetBlocks.makeDivisible(1, 8),
            MobileNetBlocks.makeDivisible(22.5, 8),
            MobileNetBlocks.makeDivisible(7, 8, 1)
        };
        assertArrayEquals(new int[] {8, 16, 16, 104, 8, 8, 24, 8}, got);
    }

    @Test
    void newHeadByReplaceModule() {
        Module m = Models.create("mobilenet_v2", 10);
        assertInstanceOf(MobileNetV2.class, m);
        m.replaceModule("classifier.1", new Linear(1280, 3));
        m.eval();
        Tensor out;
        try (var g = Torch.noGrad()) {
            out = m.call(Torch.rand(2, 3, 32, 32));
        }
        assertArrayEquals(new int[] {2, 3}, out.shape());
        assertTrue(Models.names().contains("mobilenet_v2"));
    }

    @Test
    void badInputNamesModelLayerAndShape() {
        Module m = MobileNetV2.mobilenetV2(10);
        var e = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.rand(1, 4, 32, 32)));
        assertTrue(
                e.getMessage().startsWith("mobilenet_v2: expected input (N, 3, H, W) for features.0.0"),
                e.getMessage());
        assertTrue(e.getMessage().contains("got [1, 4, 32, 32]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.rand(3, 32, 32)));
        assertTrue(e.getMessage().contains("got [3, 32, 32]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MobileNetV2.mobilenetV2(0));
    }
}
