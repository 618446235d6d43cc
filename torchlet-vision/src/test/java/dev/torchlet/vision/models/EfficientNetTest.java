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
import dev.torchlet.nn.SiLU;
import dev.torchlet.nn.Sigmoid;
import dev.torchlet.nn.SqueezeExcitation;
import dev.torchlet.nn.StochasticDepth;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** EfficientNet-B0 against torchvision (fixtures from tools/golden/gen_vision_mobile.py). */
class EfficientNetTest {
    @Test
    void efficientnetB0MatchesTorchvision() {
        ZooParity.check("efficientnet_b0");
    }

    @Test
    void stateDictKeysAndShapesAreTorchvisions() {
        MobileZooTestSupport.assertStateDictMatchesTorchvision("efficientnet_b0");
    }

    @Test
    void defaultInitIsTorchvisions() {
        Torch.manualSeed(0);
        EfficientNet m = EfficientNet.efficientnetB0(1000);
        MobileZooTestSupport.assertZeroMeanStd(
                m.getParameter("features.8.0.weight"), Math.sqrt(2.0 / 1280), "last 1x1 conv");
        MobileZooTestSupport.assertZeroMeanStd(
                m.getParameter("features.6.3.block.0.0.weight"), Math.sqrt(2.0 / 1152), "expansion conv");
        // classifier: U(-r, r) with r = 1 / sqrt(out_features): std r / sqrt(3), all inside [-r, r]
        Tensor w = m.getParameter("classifier.1.weight");
        double r = 1 / Math.sqrt(1000);
        MobileZooTestSupport.assertZeroMeanStd(w, r / Math.sqrt(3), "classifier");
        assertTrue(w.abs().max().item() <= r, "classifier inside the range");
        MobileZooTestSupport.assertNormsOneZeroAndConvBiasesZero(m);
    }

    @Test
    void stochasticDepthProbabilitiesAsTorchvision() {
        EfficientNet m = EfficientNet.efficientnetB0(10);
        List<Double> probs = new ArrayList<>();
        StringBuilder residual = new StringBuilder();
        m.namedModules().forEach((path, mod) -> {
            if (mod instanceof EfficientNet.MBConv block) {
                var sd = (StochasticDepth) block.getSubmodule("stochastic_depth");
                probs.add(sd.p());
                assertEquals("row", sd.mode());
                residual.append(block.usesResidual() ? 'r' : '-');
            }
        });
        assertEquals(16, probs.size());
        for (int k = 0; k < 16; k++) {
            assertEquals(0.2 * k / 16, probs.get(k), 0.0, "block " + k);
        }
        // stages (layers): 1, 2, 2, 3, 3, 4, 1; the first block of each stage changes channels
        assertEquals("--r-r-rr-rr-rrr-", residual.toString());
        var se = assertInstanceOf(SqueezeExcitation.class, m.getSubmodule("features.2.1.block.2"));
        assertInstanceOf(SiLU.class, se.getSubmodule("activation"));
        assertInstanceOf(Sigmoid.class, se.getSubmodule("scale_activation"));
    }

    @Test
    void evalIsDeterministic() {
        Torch.manualSeed(1);
        EfficientNet m = EfficientNet.efficientnetB0(10);
        Tensor x = Torch.rand(2, 3, 32, 32);
        m.eval();
        try (var g = Torch.noGrad()) {
            assertArrayEquals(m.call(x).toFloatArray(), m.call(x).toFloatArray(), "eval is deterministic");
        }
    }

    @Test
    void newHeadByReplaceModule() {
        Module m = Models.create("efficientnet_b0", 10);
        assertInstanceOf(EfficientNet.class, m);
        m.replaceModule("classifier.1", new Linear(1280, 2));
        m.eval();
        Tensor out;
        try (var g = Torch.noGrad()) {
            out = m.call(Torch.rand(1, 3, 32, 32));
        }
        assertArrayEquals(new int[] {1, 2}, out.shape());
    }

    @Test
    void badInputNamesModelLayerAndShape() {
        Module m = EfficientNet.efficientnetB0(10);
        var e = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.rand(2, 4, 32, 32)));
        assertTrue(
                e.getMessage().startsWith("efficientnet_b0: expected input (N, 3, H, W) for features.0.0"),
                e.getMessage());
        assertTrue(e.getMessage().contains("got [2, 4, 32, 32]"), e.getMessage());
    }
}
