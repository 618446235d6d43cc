package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Linear;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * AlexNet against torchvision: parity on procedural weights (tools/golden/gen_vision_vgg.py), state-dict
 * layout, default init (PyTorch's layer defaults), head replacement and input errors.
 */
class AlexNetTest {
    @Test
    void alexnet() {
        ZooParity.check("alexnet");
    }

    @Test
    void stateDictInitHeadAndErrors() {
        // one model for the checks that need one (61M parameters)
        assertEquals(List.of("alexnet"), List.copyOf(AlexNet.MODELS.keySet()));
        var expected = StateDictLayout.load("vgg").get("alexnet");
        Torch.manualSeed(7);
        AlexNet a = (AlexNet) Models.create("alexnet", expected.numClasses());
        StateDictLayout.assertMatches("alexnet", expected, a);

        // PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias
        checkUniform(a.getParameter("features.8.weight"), 1 / Math.sqrt(384 * 9)); // 885K draws
        checkUniform(a.getParameter("classifier.4.weight"), 1 / Math.sqrt(4096)); // 16.8M draws
        Tensor b = a.getParameter("features.0.bias");
        assertTrue(
                b.abs().max().item() <= 1 / Math.sqrt(3 * 121) && b.abs().max().item() > 0);

        a.eval();
        var e = assertThrows(IllegalArgumentException.class, () -> a.call(Torch.randn(2, 1, 64, 64)));
        assertTrue(e.getMessage().contains("alexnet"), e.getMessage());
        assertTrue(e.getMessage().contains("features.0"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 1, 64, 64]"), e.getMessage());
        assertTrue(e.getMessage().contains("[64, 3, 11, 11]"), e.getMessage());
        var small = assertThrows(IllegalArgumentException.class, () -> a.call(Torch.randn(1, 3, 62, 62)));
        assertTrue(small.getMessage().contains("smaller than the minimum 63x63"), small.getMessage());

        a.replaceModule("classifier.6", new Linear(4096, 2));
        try (var g = Torch.noGrad()) {
            assertArrayEquals(
                    new int[] {1, 2}, a.call(Torch.randn(1, 3, 63, 63)).shape());
        }
        assertThrows(IllegalArgumentException.class, () -> new AlexNet(10, -0.1));
    }

    private static void checkUniform(Tensor t, double bound) {
        double[] v = t.toDoubleArray();
        double m = 0;
        double s = 0;
        double max = 0;
        for (double x : v) {
            m += x;
            s += x * x;
            max = Math.max(max, Math.abs(x));
        }
        m /= v.length;
        double std = Math.sqrt(s / v.length - m * m);
        assertTrue(max <= bound && max > 0.99 * bound, "max " + max + " vs bound " + bound);
        assertEquals(0, m, 0.01 * bound);
        assertEquals(bound / Math.sqrt(3), std, 0.01 * bound / Math.sqrt(3));
    }
}
