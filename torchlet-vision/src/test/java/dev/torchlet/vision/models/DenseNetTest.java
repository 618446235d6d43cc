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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DenseNetTest {
    @Test
    void densenet121MatchesTorchvision() {
        ZooParity.check("densenet121");
    }

    @Test
    void densenet161MatchesTorchvision() {
        ZooParity.check("densenet161");
    }

    @Test
    void densenet169MatchesTorchvision() {
        ZooParity.check("densenet169");
    }

    @Test
    void densenet201MatchesTorchvision() {
        ZooParity.check("densenet201");
    }

    @ParameterizedTest
    @ValueSource(strings = {"densenet121", "densenet161", "densenet169", "densenet201"})
    void stateDictKeysAndShapesAreTorchvisions(String name) {
        ClassicFamilyChecks.assertKeysAreTorchvisions(name);
    }

    @Test
    void registeredUnderTorchvisionsNames() {
        assertTrue(
                Models.names().containsAll(List.of("densenet121", "densenet161", "densenet169", "densenet201")),
                Models.names().toString());
        assertInstanceOf(DenseNet.class, Models.create("densenet121", 7));
        assertArrayEquals(
                new int[] {7, 2208},
                DenseNet.densenet161(7).getParameter("classifier.weight").shape());
    }

    @Test
    void defaultInitIsTorchvisions() {
        Torch.manualSeed(0);
        DenseNet m = DenseNet.densenet121(1000);
        // kaiming_normal_ with its defaults (a = 0, fan_in): N(0, 2 / fan_in); every dense layer's conv2
        // is (32, 128, 3, 3), fan_in 1152
        List<Tensor> conv2 = new ArrayList<>();
        m.namedParameters().forEach((k, v) -> {
            if (k.endsWith(".conv2.weight")) {
                conv2.add(v);
            }
        });
        assertEquals(58, conv2.size());
        ClassicFamilyChecks.assertNormal("denselayer conv2 weights", conv2, Math.sqrt(2.0 / 1152));
        ClassicFamilyChecks.assertNormal(
                "features.conv0.weight", List.of(m.getParameter("features.conv0.weight")), Math.sqrt(2.0 / 147));
        // the classifier keeps Linear's default weight U(-1/sqrt(in), 1/sqrt(in)), bias 0
        ClassicFamilyChecks.assertUniform(
                "classifier.weight", List.of(m.getParameter("classifier.weight")), 1 / Math.sqrt(1024));
        ClassicFamilyChecks.assertConstant("classifier.bias", m.getParameter("classifier.bias"), 0f);
        m.namedParameters().forEach((k, v) -> {
            if (k.contains("norm") && k.endsWith("weight")) {
                ClassicFamilyChecks.assertConstant(k, v, 1f);
            } else if (k.contains("norm") && k.endsWith("bias")) {
                ClassicFamilyChecks.assertConstant(k, v, 0f);
            }
        });
    }

    @Test
    void originalWeightFilesWithOldStyleKeysLoad() {
        Torch.manualSeed(1);
        DenseNet source = DenseNet.densenet121(10);
        // the original files: "denselayer1.norm.1.weight", and no num_batches_tracked (saved before PyTorch 0.4.1)
        Map<String, Tensor> old = new LinkedHashMap<>();
        source.stateDict().forEach((k, v) -> {
            if (!k.endsWith("num_batches_tracked")) {
                old.put(k.replaceAll("(denselayer\\d+\\.(norm|relu|conv))([12])\\.", "$1.$3."), v);
            }
        });
        assertTrue(old.containsKey("features.denseblock1.denselayer1.norm.1.weight"));
        assertTrue(old.containsKey("features.denseblock4.denselayer16.conv.2.weight"));
        assertTrue(old.containsKey("features.transition1.norm.weight"));

        Map<String, Tensor> renamed = DenseNet.renameLegacyKeys(old);
        List<String> expected = new ArrayList<>(source.stateDict().keySet());
        expected.removeIf(k -> k.endsWith("num_batches_tracked"));
        assertEquals(expected, new ArrayList<>(renamed.keySet()), "renamed in place, order kept");

        DenseNet target = DenseNet.densenet121(10);
        var strict = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(renamed));
        assertTrue(strict.getMessage().contains("num_batches_tracked"), strict.getMessage());
        target.loadTorchvisionStateDict(old);
        String key = "features.denseblock4.denselayer16.conv2.weight";
        assertArrayEquals(
                source.getParameter(key).toFloatArray(),
                target.getParameter(key).toFloatArray(),
                0f,
                key);
    }

    @Test
    void newHeadForFineTuning() {
        DenseNet m = DenseNet.densenet121(1000);
        List<String> keysBefore = new ArrayList<>(m.stateDict().keySet());
        m.replaceModule("classifier", new Linear(1024, 5));
        assertEquals(keysBefore, new ArrayList<>(m.stateDict().keySet()), "the head keeps its place");
        m.eval();
        try (var g = Torch.noGrad()) {
            assertArrayEquals(new int[] {1, 5}, m.call(Torch.rand(1, 3, 32, 32)).shape());
        }
    }

    @Test
    void wrongChannelCountNamesModelLayerAndShapes() {
        Module m = Models.create("densenet121", 10);
        var e = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.rand(2, 4, 64, 64)));
        String msg = e.getMessage();
        assertTrue(
                msg.contains("densenet121")
                        && msg.contains("[2, 4, 64, 64]")
                        && msg.contains("features.conv0")
                        && msg.contains("expects 3"),
                msg);
    }

    @Test
    void wrongRankIsRefused() {
        Module m = Models.create("densenet121", 10);
        var e = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.rand(2, 3 * 64 * 64)));
        assertTrue(e.getMessage().contains("densenet121") && e.getMessage().contains("[2, 12288]"), e.getMessage());
    }

    @Test
    void badOptionsAreRefused() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new DenseNet(DenseNet.Options.of("tiny", 32, List.of(6, 0), 64, 10)));
        assertTrue(e.getMessage().contains("[6, 0]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new DenseNet(new DenseNet.Options("tiny", 32, List.of(2), 64, 4, 1.0, 10)));
        assertTrue(e.getMessage().contains("dropRate"), e.getMessage());
    }
}
