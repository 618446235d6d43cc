package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Hardsigmoid;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.SqueezeExcitation;
import org.junit.jupiter.api.Test;

/** MobileNetV3 large and small against torchvision (fixtures from tools/golden/gen_vision_mobile.py). */
class MobileNetV3Test {
    @Test
    void mobilenetV3LargeMatchesTorchvision() {
        ZooParity.check("mobilenet_v3_large");
    }

    @Test
    void mobilenetV3SmallMatchesTorchvision() {
        ZooParity.check("mobilenet_v3_small");
    }

    @Test
    void stateDictKeysAndShapesAreTorchvisions() {
        MobileZooTestSupport.assertStateDictMatchesTorchvision("mobilenet_v3_large");
        MobileZooTestSupport.assertStateDictMatchesTorchvision("mobilenet_v3_small");
    }

    @Test
    void defaultInitIsTorchvisions() {
        Torch.manualSeed(0);
        MobileNetV3 m = MobileNetV3.mobilenetV3Large(1000);
        MobileZooTestSupport.assertZeroMeanStd(
                m.getParameter("features.16.0.weight"), Math.sqrt(2.0 / 960), "last 1x1 conv");
        MobileZooTestSupport.assertZeroMeanStd(
                m.getParameter("features.15.block.0.0.weight"), Math.sqrt(2.0 / 960), "expansion conv");
        MobileZooTestSupport.assertZeroMeanStd(m.getParameter("classifier.0.weight"), 0.01, "classifier hidden");
        MobileZooTestSupport.assertZeroMeanStd(m.getParameter("classifier.3.weight"), 0.01, "classifier out");
        MobileZooTestSupport.assertNormsOneZeroAndConvBiasesZero(m);
        // BatchNorm with eps 0.001 and momentum 0.01 everywhere
        long norms = 0;
        for (Module x : m.modules()) {
            if (x instanceof BatchNorm2d bn) {
                assertEquals(0.001, bn.options().eps());
                assertEquals(0.01, bn.options().momentum());
                norms++;
            }
        }
        assertEquals(
                m.stateDict().keySet().stream()
                        .filter(k -> k.endsWith("running_var"))
                        .count(),
                norms);
    }

    @Test
    void squeezeExcitationWithHardsigmoidGate() {
        MobileNetV3 small = MobileNetV3.mobilenetV3Small(10);
        var se = assertInstanceOf(SqueezeExcitation.class, small.getSubmodule("features.1.block.1"));
        assertInstanceOf(Hardsigmoid.class, se.getSubmodule("scale_activation"));
        // make_divisible(16 // 4, 8) = 8 squeeze channels
        assertArrayEquals(
                new int[] {8, 16, 1, 1},
                small.getParameter("features.1.block.1.fc1.weight").shape());
    }

    @Test
    void newHeadByReplaceModule() {
        Module m = Models.create("mobilenet_v3_small", 10);
        assertInstanceOf(MobileNetV3.class, m);
        m.replaceModule("classifier.3", new Linear(1024, 4));
        m.eval();
        Tensor out;
        try (var g = Torch.noGrad()) {
            out = m.call(Torch.rand(2, 3, 32, 32));
        }
        assertArrayEquals(new int[] {2, 4}, out.shape());
    }

    @Test
    void badInputNamesModelLayerAndShape() {
        Module m = MobileNetV3.mobilenetV3Large(10);
        var e = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.rand(2, 1, 32, 32)));
        assertTrue(
                e.getMessage().startsWith("mobilenet_v3_large: expected input (N, 3, H, W) for features.0.0"),
                e.getMessage());
        assertTrue(e.getMessage().contains("got [2, 1, 32, 32]"), e.getMessage());
        var bad = assertThrows(
                IllegalArgumentException.class, () -> new MobileNetV3.BlockConfig(16, 3, 16, 16, false, false, 3));
        assertTrue(bad.getMessage().contains("illegal stride value 3"), bad.getMessage());
    }
}
