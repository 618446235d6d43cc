package dev.torchlet.vision.generative.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import org.junit.jupiter.api.Test;

class FidClassifierTest {
    @Test
    void featuresAreThePenultimateLayer() {
        Torch.manualSeed(0);
        FidClassifier net = new FidClassifier(10);
        net.eval();
        Tensor x = Torch.rand(3, 1, 28, 28);
        Tensor f = net.features(x);
        assertArrayEquals(new int[] {3, FidClassifier.FEATURE_DIM}, f.shape());
        for (float v : f.toFloatArray()) {
            assertTrue(v >= 0, "ReLU features");
        }
        assertArrayEquals(net.call(x).toFloatArray(), net.classify(f).toFloatArray(), 0f);
        long params = net.parameters().stream().mapToLong(Tensor::numel).sum();
        assertTrue(params < 150_000, "small enough for a < 1 MB checkpoint: " + params);
        var e = assertThrows(IllegalArgumentException.class, () -> net.features(Torch.rand(3, 3, 28, 28)));
        assertEquals("FidClassifier: expected images (B, 1, 28, 28) in [0, 1], got [3, 3, 28, 28]", e.getMessage());
    }
}
