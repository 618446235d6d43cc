package dev.torchlet.vision.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.testing.Golden;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grad-CAM, saliency and integrated gradients against PyTorch on a small CNN
 * (tools/golden/gen_explain.py). Tolerance: atol 1e-5 + rtol 1e-4 of the map's largest value.
 */
class ExplainGoldenTest {
    static final Map<String, Tensor> F = Golden.load("vision_explain");

    static Module model() {
        Module m = new Sequential(
                new Conv2d(3, 8, 3, 1, 1),
                new ReLU(),
                new Conv2d(8, 16, 3, 2, 1),
                new ReLU(),
                new AdaptiveAvgPool2d(1),
                new Flatten(),
                new Linear(16, 4));
        Map<String, Tensor> sd = new LinkedHashMap<>();
        F.forEach((k, v) -> {
            if (k.startsWith("model.")) {
                sd.put(k.substring(6), v);
            }
        });
        m.loadStateDict(sd);
        return m.eval();
    }

    static void assertClose(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        float scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertArrayEquals(e, a, 1e-5f + 1e-4f * scale);
    }

    @Test
    void gradCamMatchesPyTorch() {
        Module m = model();
        GradCam cam = new GradCam(m, "3");
        assertClose(F.get("cam"), cam.cam(F.get("input"), F.get("target")));
        assertClose(F.get("heat"), cam.heatMap(F.get("input"), F.get("target")));
        for (Tensor p : m.parameters()) {
            assertNull(p.grad(), "the parameters keep their (absent) gradients");
        }
    }

    @Test
    void saliencyAndIntegratedGradientsMatchPyTorch() {
        Module m = model();
        assertClose(F.get("saliency"), Attribution.saliency(m, F.get("input"), F.get("target")));
        assertClose(F.get("ig"), Attribution.integratedGradients(m, F.get("input"), F.get("target"), null, 16));
    }

    @Test
    void badInputIsNamed() {
        Module m = model();
        var e = assertThrows(IllegalArgumentException.class, () -> new GradCam(m, "9"));
        assertTrue(e.getMessage().contains("no child module named '9'"), e.getMessage());
        var e2 = assertThrows(
                IllegalArgumentException.class, () -> new GradCam(m, "5").cam(F.get("input"), F.get("target")));
        assertTrue(e2.getMessage().contains("must output (B, C, h, w)"), e2.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> Attribution.saliency(m, F.get("input"), Torch.tensor(new long[] {1}, 1)));
    }

    @Test
    void heatMapOverlayIsWrittenAsPng(@TempDir Path tmp) throws Exception {
        Image img = new Image(4, 2, 3, new byte[24]);
        Tensor map = Torch.tensor(new float[] {0, 0, 0, 0, 1, 1, 1, 1}, 2, 4);
        Image blended = HeatMaps.overlay(img, map, 1f);
        assertEquals(0, blended.get(0, 0, 0), "cold: the photo");
        assertTrue(blended.get(0, 1, 0) > 100, "hot: red");
        Path png = tmp.resolve("heat.png");
        blended.write(png, "png");
        assertEquals(blended, Image.read(png, 3));
        assertArrayEquals(new float[] {0.5f, 1f, 0.5f}, HeatMaps.jet(0.5f), 1e-6f);
    }
}
