package dev.torchlet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.MemoryFormat;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The load-time graph optimizer ({@link OnnxGraphOptimizer}): which fusions fire on real exports, and that the
 * optimized graph computes what the file's nodes compute, forward and backward.
 */
class OnnxGraphOptimizerTest {
    private static final OnnxModel.Options PLAIN = new OnnxModel.Options(false);

    private static OnnxModel minilm(OnnxModel.Options options) throws IOException {
        try (InputStream in =
                OnnxGraphOptimizerTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            assertNotNull(in, "all-minilm-l6-v2.onnx is not on the test class path");
            return OnnxModel.load(in.readAllBytes(), null, "all-minilm-l6-v2.onnx", options);
        }
    }

    private static Map<String, Tensor> minilmFeeds() throws IOException {
        Map<String, Tensor> golden = SafeTensors.read(OnnxModelTest.fixture("minilm_ort.safetensors"));
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (String name : new String[] {"input_ids", "attention_mask", "token_type_ids"}) {
            feeds.put(name, golden.get(name)); // (2, 12), the second row padded
        }
        return feeds;
    }

    @Test
    void miniLmRunsOnFusedKernels() throws IOException {
        OnnxModel model = minilm(OnnxModel.Options.defaults());
        Map<String, Integer> fused = model.fusedOperatorCounts();
        // 6 BERT layers: 2 LayerNorms each plus the embeddings', one GELU, one attention, 6 Linear layers each
        assertEquals(13, fused.get("torchlet.LayerNorm"), fused.toString());
        assertEquals(6, fused.get("torchlet.Gelu"), fused.toString());
        assertEquals(6, fused.get("torchlet.Attention"), fused.toString());
        assertEquals(36, fused.get("torchlet.Linear"), fused.toString());
        for (String gone :
                new String[] {"Erf", "Softmax", "Transpose", "Pow", "Sqrt", "ReduceMean", "MatMul", "Constant"}) {
            assertFalse(fused.containsKey(gone), gone + " left in " + fused);
        }
        // the file's operators are still reported as they are
        Map<String, Integer> original = model.operatorCounts();
        assertEquals(6, original.get("Erf"));
        assertEquals(48, original.get("MatMul"));
        assertEquals(146, original.get("Constant"));
        assertEquals(original, minilm(PLAIN).operatorCounts());
        assertEquals(original, minilm(PLAIN).fusedOperatorCounts(), "unoptimized: the file's nodes run");
    }

    @Test
    void miniLmOptimizedMatchesUnoptimizedForwardAndBackward() throws IOException {
        OnnxModel fast = minilm(OnnxModel.Options.defaults());
        OnnxModel plain = minilm(PLAIN);
        fast.eval();
        plain.eval();
        Map<String, Tensor> feeds = minilmFeeds();
        Torch.manualSeed(7);
        Tensor probe = Torch.randn(2, 12, 384); // loss = sum(hidden * probe): every output element matters
        Tensor a = fast.run(feeds).get("last_hidden_state");
        Tensor b = plain.run(feeds).get("last_hidden_state");
        assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 2e-5f, "last_hidden_state");
        a.mul(probe).sum().backward();
        b.mul(probe).sum().backward();
        Map<String, Tensor> fastParams = fast.namedParameters();
        int compared = 0;
        for (var e : plain.namedParameters().entrySet()) {
            Tensor want = e.getValue().grad();
            Tensor got = fastParams.get(e.getKey()).grad();
            if (want == null) {
                continue; // e.g. rows of position embeddings beyond the sequence: no gradient either way
            }
            assertNotNull(got, e.getKey() + ": no gradient through the optimized graph");
            float[] w = want.toFloatArray();
            float[] g = got.toFloatArray();
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < w.length; i++) {
                diff += (w[i] - g[i]) * (double) (w[i] - g[i]);
                norm += w[i] * (double) w[i];
            }
            // float32 rounding through 6 layers, different summation orders: measured |diff| / |grad| at most
            // 6.2e-6 with 8-lane vectors (AVX2) and 1.06e-5 with 16 lanes (AVX-512), both at
            // embeddings.LayerNorm.weight. The key biases' gradients are zero in exact arithmetic (softmax ignores
            // a per-row shift): there both sides hold rounding noise of norm ~1e-6.
            assertTrue(
                    Math.sqrt(diff) <= 3e-5 * Math.max(1, Math.sqrt(norm)),
                    e.getKey() + ": |grad difference| " + Math.sqrt(diff) + ", |grad| " + Math.sqrt(norm));
            compared++;
        }
        assertTrue(compared > 90, "gradients compared: " + compared);
    }

    @Test
    void convBatchNormReluFusesAndKeepsGradients() throws IOException {
        OnnxModel fast = OnnxModel.load(OnnxModelTest.fixture("small_cnn_bn_opset11.onnx"));
        OnnxModel plain = OnnxModel.load(OnnxModelTest.fixture("small_cnn_bn_opset11.onnx"), PLAIN);
        Map<String, Integer> fused = fast.fusedOperatorCounts();
        assertEquals(3, fused.get("torchlet.ConvBatchNorm"), fused.toString());
        assertFalse(fused.containsKey("BatchNormalization"), fused.toString());
        assertEquals(3, fast.operatorCounts().get("BatchNormalization"));
        Tensor x = SafeTensors.read(OnnxModelTest.fixture("small_cnn_bn_opset11.safetensors"))
                .get("input.3");
        fast.eval();
        plain.eval();
        Tensor a = fast.call(x);
        Tensor b = plain.call(x);
        assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 1e-5f);
        a.pow(2f).sum().backward();
        b.pow(2f).sum().backward();
        assertGradientsEqual(plain, fast, 1e-5);
    }

    @Test
    void convBatchNormReusesItsFoldInInferenceUntilAWeightChanges() throws IOException {
        OnnxModel fast = OnnxModel.load(OnnxModelTest.fixture("small_cnn_bn_opset11.onnx"));
        OnnxModel plain = OnnxModel.load(OnnxModelTest.fixture("small_cnn_bn_opset11.onnx"), PLAIN);
        Tensor x = SafeTensors.read(OnnxModelTest.fixture("small_cnn_bn_opset11.safetensors"))
                .get("input.3");
        fast.eval();
        plain.eval();
        try (var g = Torch.noGrad()) {
            Tensor first = fast.call(x);
            assertArrayEquals(first.toFloatArray(), fast.call(x).toFloatArray()); // the kept fold: the same bits
            assertArrayEquals(
                    fast.call(x.contiguous(MemoryFormat.CHANNELS_LAST)).toFloatArray(),
                    plain.call(x).toFloatArray(),
                    1e-5f);
            // new values for every parameter and buffer (a state-dict load): the fold must follow
            Map<String, Tensor> changed = new LinkedHashMap<>();
            fast.stateDict().forEach((k, v) -> changed.put(k, v.mul(1.5f)));
            fast.loadStateDict(changed);
            plain.loadStateDict(changed);
            assertArrayEquals(plain.call(x).toFloatArray(), fast.call(x).toFloatArray(), 1e-5f);
        }
    }

    @Test
    void convBatchNormInTrainingModeUsesBatchStatisticsLikeTheFile() throws IOException {
        OnnxModel fast = OnnxModel.load(OnnxModelTest.fixture("small_cnn_bn_opset11.onnx"));
        OnnxModel plain = OnnxModel.load(OnnxModelTest.fixture("small_cnn_bn_opset11.onnx"), PLAIN);
        Tensor x = SafeTensors.read(OnnxModelTest.fixture("small_cnn_bn_opset11.safetensors"))
                .get("input.3");
        fast.train();
        plain.train();
        Tensor a = fast.call(x);
        Tensor b = plain.call(x);
        assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 1e-6f);
        a.pow(2f).sum().backward();
        b.pow(2f).sum().backward();
        assertGradientsEqual(plain, fast, 1e-6);
        Map<String, Tensor> fastState = fast.stateDict();
        plain.stateDict()
                .forEach((name, t) -> assertArrayEquals(
                        t.toFloatArray(), fastState.get(name).toFloatArray(), 1e-6f, name + " after a training step"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "small_cnn_opset17",
                "small_cnn_bn_opset11",
                "mlp_opset9",
                "upsampling_opset13",
                "recurrent_opset14"
            })
    void optimizedMatchesUnoptimizedOnExportedNetworks(String name) throws IOException {
        OnnxModel fast = OnnxModel.load(OnnxModelTest.fixture(name + ".onnx"));
        OnnxModel plain = OnnxModel.load(OnnxModelTest.fixture(name + ".onnx"), PLAIN);
        fast.eval();
        plain.eval();
        Map<String, Tensor> golden = SafeTensors.read(OnnxModelTest.fixture(name + ".safetensors"));
        int compared = 0;
        for (var e : golden.entrySet()) {
            if (e.getKey().startsWith("input.")) { // "input.<batch>"
                try (var g = Torch.noGrad()) {
                    Tensor x = e.getValue();
                    assertArrayEquals(
                            plain.call(x).toFloatArray(), fast.call(x).toFloatArray(), 1e-5f, name + " " + e.getKey());
                }
                compared++;
            }
        }
        assertEquals(2, compared, name);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "einsum_opset12",
                "qlinear_opset13",
                "control_flow_opset13",
                "loop_scan_opset13",
                "bicubic_opset13"
            })
    void optimizedMatchesUnoptimizedOnOperatorFixtures(String name) throws IOException {
        OnnxModel fast = OnnxModel.load(OnnxModelTest.fixture(name + ".onnx"));
        OnnxModel plain = OnnxModel.load(OnnxModelTest.fixture(name + ".onnx"), PLAIN);
        Map<String, Tensor> golden = SafeTensors.read(OnnxModelTest.fixture(name + ".safetensors"));
        TreeSet<String> cases = new TreeSet<>(); // keys "case/input.name", "case/output.name"
        golden.keySet().forEach(k -> cases.add(k.substring(0, k.indexOf('/'))));
        for (String c : cases) {
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            for (String input : plain.inputNames()) {
                feeds.put(input, golden.get(c + "/input." + input));
            }
            try (var g = Torch.noGrad()) {
                Map<String, Tensor> want = plain.run(feeds);
                Map<String, Tensor> got = fast.run(feeds);
                for (String out : plain.outputNames()) {
                    assertArrayEquals(
                            want.get(out).to(dev.torchlet.DType.FLOAT64).toDoubleArray(),
                            got.get(out).to(dev.torchlet.DType.FLOAT64).toDoubleArray(),
                            1e-5,
                            name + " case " + c + " " + out);
                }
            }
        }
    }

    private static void assertGradientsEqual(OnnxModel want, OnnxModel got, double atol) {
        Map<String, Tensor> gotParams = got.namedParameters();
        for (var e : want.namedParameters().entrySet()) {
            Tensor w = e.getValue().grad();
            Tensor g = gotParams.get(e.getKey()).grad();
            assertNotNull(w, e.getKey());
            assertNotNull(g, e.getKey() + ": no gradient through the optimized graph");
            assertArrayEquals(w.toFloatArray(), g.toFloatArray(), (float) atol, e.getKey());
        }
    }
}
