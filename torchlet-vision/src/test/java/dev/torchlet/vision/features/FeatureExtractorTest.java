package dev.torchlet.vision.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureExtractorTest {
    static Sequential net() {
        Torch.manualSeed(0);
        return new Sequential(
                new Sequential(new Conv2d(3, 4, 3, 1, 1), new ReLU()),
                new Sequential(new Conv2d(4, 8, 3, 2, 1), new ReLU()),
                new AdaptiveAvgPool2d(1),
                new Flatten(),
                new Linear(8, 5));
    }

    @Test
    void returnsTheRequestedOutputsInRequestOrder() {
        Sequential model = net();
        Tensor x = Torch.rand(2, 3, 8, 8);
        Map<String, Tensor> f = FeatureExtractor.of(model, "3", "1.0", "0").extract(x);
        assertEquals(List.of("3", "1.0", "0"), List.copyOf(f.keySet()));
        assertArrayEquals(new int[] {2, 8}, f.get("3").shape());
        assertArrayEquals(new int[] {2, 8, 4, 4}, f.get("1.0").shape());
        Tensor expected = model.getSubmodule("0").call(x);
        assertArrayEquals(expected.toFloatArray(), f.get("0").toFloatArray(), 0f);
    }

    @Test
    void stopsAfterTheLastRequestedOutputAndRemovesItsHooks() {
        Sequential model = net();
        int[] headRuns = {0};
        model.getSubmodule("4").registerForwardHook((m, in, out) -> {
            headRuns[0]++;
            return null;
        });
        FeatureExtractor.of(model, "2").extract(Torch.rand(1, 3, 8, 8));
        assertEquals(0, headRuns[0], "the head after the requested node did not run");
        Tensor logits = model.call(Torch.rand(1, 3, 8, 8));
        assertEquals(1, headRuns[0]);
        assertArrayEquals(new int[] {1, 5}, logits.shape(), "no hook of the extractor is left behind");
    }

    @Test
    void renamesOutputs() {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("1", "c2");
        names.put("3", "pooled");
        Map<String, Tensor> f = FeatureExtractor.of(net(), names).extract(Torch.rand(1, 3, 8, 8));
        assertEquals(List.of("c2", "pooled"), List.copyOf(f.keySet()));
    }

    @Test
    void badPathsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> FeatureExtractor.of(net(), "1.7"));
        assertTrue(e.getMessage().contains("no child module named '7'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FeatureExtractor.of(net(), "1", "1"));
        assertThrows(IllegalArgumentException.class, () -> FeatureExtractor.of(net()));
        assertFalse(FeatureExtractor.of(net(), "0").nodes().isEmpty());
    }
}
