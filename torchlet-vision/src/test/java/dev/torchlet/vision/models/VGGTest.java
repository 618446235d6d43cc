package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * VGG against torchvision: parity of every model on procedural weights (tools/golden/gen_vision_vgg.py),
 * state-dict layout, default init statistics, head replacement and input errors. A VGG has 133M-144M
 * parameters (103M in classifier.0), so the tests build as few as they can.
 */
class VGGTest {
    /** One vgg11_bn shared by the read-only tests (building one is most of a VGG test's time). */
    private static VGG shared;

    private static synchronized VGG sharedVgg11Bn() {
        if (shared == null) {
            Torch.manualSeed(5);
            shared = VGG.vgg11Bn(10);
        }
        return shared;
    }

    // ---------------------------------------------------------------- parity, one per model

    @Test
    void vgg11() {
        ZooParity.check("vgg11");
    }

    @Test
    void vgg11Bn() {
        ZooParity.check("vgg11_bn");
    }

    @Test
    void vgg13() {
        ZooParity.check("vgg13");
    }

    @Test
    void vgg13Bn() {
        ZooParity.check("vgg13_bn");
    }

    @Test
    void vgg16() {
        ZooParity.check("vgg16");
    }

    @Test
    void vgg16Bn() {
        ZooParity.check("vgg16_bn");
    }

    @Test
    void vgg19() {
        ZooParity.check("vgg19");
    }

    @Test
    void vgg19Bn() {
        ZooParity.check("vgg19_bn");
    }

    // ---------------------------------------------------------------- structure

    @Test
    void registryListsTheFamilyInTorchvisionOrder() {
        assertEquals(
                List.of("vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"),
                List.copyOf(VGG.MODELS.keySet()));
        assertTrue(Models.names().containsAll(VGG.MODELS.keySet()));
    }

    /**
     * The whole layout of vgg11_bn, and for every model its features (built alone: a whole VGG takes
     * seconds to initialize) followed by the classifier, which all VGGs share. That each factory builds
     * its configuration shows in its parity test.
     */
    @Test
    void stateDictKeysOrderAndShapesEqualTorchvisions() {
        var expected = StateDictLayout.load("vgg");
        VGG full = sharedVgg11Bn();
        StateDictLayout.assertMatches("vgg11_bn", expected.get("vgg11_bn"), full);
        List<String> classifier = StateDictLayout.of(full).stream()
                .filter(line -> line.startsWith("classifier."))
                .toList();
        for (String name : VGG.MODELS.keySet()) {
            String cfg = Map.of("11", "A", "13", "B", "16", "D", "19", "E").get(name.substring(3, 5));
            var features = VGG.makeLayers(VGG.CFGS.get(cfg), name.endsWith("_bn"));
            List<String> actual = new ArrayList<>();
            StateDictLayout.of(features).forEach(line -> actual.add("features." + line));
            actual.addAll(classifier);
            assertEquals(expected.get(name).entries(), actual, name);
        }
    }

    @Test
    void makeLayersFollowsTheConfiguration() {
        var f = VGG.makeLayers(VGG.CFGS.get("D"), true);
        assertEquals(13 * 3 + 5, f.size()); // conv, bn, relu per number; a pool per M
        assertInstanceOf(BatchNorm2d.class, f.get(1));
        assertInstanceOf(MaxPool2d.class, f.get(6));
        assertEquals(13 * 2 + 5, VGG.makeLayers(VGG.CFGS.get("D"), false).size());
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
        VGG v = sharedVgg11Bn();
        // conv: kaiming normal, fan out, relu gain; features.15 is Conv2d(256, 512): 1.2M draws
        double[] conv = meanStd(v.getParameter("features.15.weight"));
        double std = Math.sqrt(2.0 / (512 * 9));
        assertEquals(0, conv[0], 0.01 * std);
        assertEquals(std, conv[1], 0.01 * std);
        assertEquals(0f, v.getParameter("features.15.bias").abs().max().item());
        assertEquals(1f, v.getParameter("features.1.weight").min().item());
        assertEquals(1f, v.getParameter("features.1.weight").max().item());
        assertEquals(0f, v.getParameter("features.1.bias").abs().max().item());
        // linear: N(0, 0.01^2), bias 0; classifier.3 is 4096 x 4096
        double[] fc = meanStd(v.getParameter("classifier.3.weight"));
        assertEquals(0, fc[0], 0.001);
        assertEquals(0.01, fc[1], 0.0001);
        assertEquals(0f, v.getParameter("classifier.0.bias").abs().max().item());
        assertEquals(0f, v.getParameter("classifier.3.bias").abs().max().item());
    }

    // ---------------------------------------------------------------- surgery and errors

    @Test
    void replacingTheHeadChangesTheOutput() {
        VGG v = sharedVgg11Bn();
        v.eval();
        try (var g = Torch.noGrad()) {
            assertArrayEquals(
                    new int[] {1, 10}, v.call(Torch.randn(1, 3, 32, 32)).shape());
            v.replaceModule("classifier.6", new Linear(4096, 3));
            assertArrayEquals(
                    new int[] {1, 3}, v.call(Torch.randn(1, 3, 32, 32)).shape());
        } finally {
            v.replaceModule("classifier.6", new Linear(4096, 10));
        }
    }

    @Test
    void badInputsNameTheModelTheLayerAndTheShapes() {
        VGG v = sharedVgg11Bn();
        var e = assertThrows(IllegalArgumentException.class, () -> v.call(Torch.randn(1, 4, 32, 32)));
        assertTrue(e.getMessage().contains("vgg11_bn"), e.getMessage());
        assertTrue(e.getMessage().contains("features.0"), e.getMessage());
        assertTrue(e.getMessage().contains("[1, 4, 32, 32]"), e.getMessage());
        assertTrue(e.getMessage().contains("[64, 3, 3, 3]"), e.getMessage());
        var small = assertThrows(IllegalArgumentException.class, () -> v.call(Torch.randn(1, 3, 16, 40)));
        assertTrue(small.getMessage().contains("vgg11_bn: input [1, 3, 16, 40] is smaller than the minimum 32x32"));
        assertThrows(IllegalArgumentException.class, () -> VGG.Options.of("x").withDropout(1.5));
    }
}
