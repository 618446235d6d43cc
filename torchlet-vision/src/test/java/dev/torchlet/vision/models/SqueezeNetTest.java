package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Module;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqueezeNetTest {
    @Test
    void squeezenet1_0MatchesTorchvision() {
        ZooParity.check("squeezenet1_0");
    }

    @Test
    void squeezenet1_1MatchesTorchvision() {
        ZooParity.check("squeezenet1_1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"squeezenet1_0", "squeezenet1_1"})
    void stateDictKeysAndShapesAreTorchvisions(String name) {
        ClassicFamilyChecks.assertKeysAreTorchvisions(name);
    }

    @Test
    void registeredUnderTorchvisionsNames() {
        assertTrue(
                Models.names().containsAll(List.of("squeezenet1_0", "squeezenet1_1")),
                Models.names().toString());
        assertInstanceOf(SqueezeNet.class, Models.create("squeezenet1_1", 7));
        assertArrayEquals(
                new int[] {7, 512, 1, 1},
                SqueezeNet.squeezenet1_0(7).getParameter("classifier.1.weight").shape());
    }

    @Test
    void defaultInitIsTorchvisions() {
        Torch.manualSeed(0);
        SqueezeNet m = SqueezeNet.squeezenet1_1(1000);
        // kaiming_uniform_ with its defaults (a = 0, fan_in, leaky_relu): U(-b, b), b = sqrt(6 / fan_in)
        ClassicFamilyChecks.assertUniform(
                "features.12.expand3x3.weight",
                List.of(m.getParameter("features.12.expand3x3.weight")),
                Math.sqrt(6.0 / (64 * 9)));
        ClassicFamilyChecks.assertUniform(
                "features.9.squeeze.weight",
                List.of(m.getParameter("features.9.squeeze.weight")),
                Math.sqrt(6.0 / 256));
        // the final conv: N(0, 0.01^2)
        ClassicFamilyChecks.assertNormal("classifier.1.weight", List.of(m.getParameter("classifier.1.weight")), 0.01);
        m.namedParameters().forEach((k, v) -> {
            if (k.endsWith("bias")) {
                ClassicFamilyChecks.assertConstant(k, v, 0f);
            }
        });
    }

    @Test
    void newHeadForFineTuning() {
        SqueezeNet m = SqueezeNet.squeezenet1_1(1000);
        List<String> keysBefore = new ArrayList<>(m.stateDict().keySet());
        m.replaceModule("classifier.1", new Conv2d(512, 5, 1));
        assertEquals(keysBefore, new ArrayList<>(m.stateDict().keySet()), "the head keeps its place");
        assertArrayEquals(
                new int[] {5, 512, 1, 1}, m.getParameter("classifier.1.weight").shape());

        m.freeze("features");
        m.train();
        Tensor x = Torch.rand(2, 3, 64, 64);
        Tensor out = m.call(x);
        assertArrayEquals(new int[] {2, 5}, out.shape());
        out.sum().backward();
        assertNull(m.getParameter("features.0.weight").grad(), "frozen features get no gradient");
        assertNotNull(m.getParameter("classifier.1.weight").grad());
    }

    @Test
    void wrongChannelCountNamesModelLayerAndShapes() {
        Module m = Models.create("squeezenet1_1", 10);
        var e = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.rand(2, 1, 64, 64)));
        String msg = e.getMessage();
        assertTrue(
                msg.contains("squeezenet1_1")
                        && msg.contains("[2, 1, 64, 64]")
                        && msg.contains("features.0")
                        && msg.contains("expects 3"),
                msg);
    }

    @Test
    void wrongRankIsRefused() {
        Module m = Models.create("squeezenet1_0", 10);
        var e = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.rand(3, 64, 64)));
        assertTrue(e.getMessage().contains("squeezenet1_0") && e.getMessage().contains("[3, 64, 64]"), e.getMessage());
    }

    @Test
    void unknownVersionIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SqueezeNet("1_2", 10, 0.5));
        assertTrue(e.getMessage().contains("'1_2'") && e.getMessage().contains("1_0 or 1_1"), e.getMessage());
    }
}
