package dev.torchlet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.GRU;
import dev.torchlet.nn.LSTM;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.RNN;
import dev.torchlet.nn.TransformerEncoderLayer;
import dev.torchlet.nn.functional.F;
import dev.torchlet.onnx.proto.Onnx.ModelProto;
import dev.torchlet.text.models.Bert;
import dev.torchlet.text.models.BertConfig;
import dev.torchlet.text.models.GPT2Config;
import dev.torchlet.text.models.GPT2Model;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.models.VisionTransformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Export by tracing, checked by importing the file again: the imported graph (a different code path: ONNX
 * operators on Torchlet ops) must give the Torchlet model's output at the traced batch size and at another one
 * (dynamic batch), within 1e-4 scaled to the output's magnitude. Exported files are also written to
 * target/onnx-export for tools/golden/check_export_ort.mjs, which runs them in ONNX Runtime.
 */
class OnnxExportTest {
    static final Path EXPORTS = Path.of("target/onnx-export");

    /** Exports, re-imports and compares at batch sizes {@code example.size(0)} and {@code other.size(0)}. */
    static OnnxModel roundTrip(String name, Module model, Tensor example, Tensor other) throws IOException {
        model.eval();
        Files.createDirectories(EXPORTS);
        Path file = EXPORTS.resolve(name + ".onnx");
        OnnxExport.save(model, example, file);
        OnnxModel imported = OnnxModel.load(file);
        imported.eval();
        assertEquals(OnnxExport.OPSET, imported.opset());
        for (Tensor x : new Tensor[] {example, other}) {
            Tensor expected;
            Tensor actual;
            try (var g = Torch.noGrad()) {
                expected = model.call(x);
                actual = imported.call(x);
            }
            assertArrayEquals(expected.shape(), actual.shape(), name + " output shape at batch " + x.size(0));
            float[] e = expected.toFloatArray();
            float scale = 1f;
            for (float v : e) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertArrayEquals(e, actual.toFloatArray(), 1e-4f * scale, name + " at batch " + x.size(0));
        }
        // the inputs and Torchlet outputs next to the file, for the ONNX Runtime check
        dev.torchlet.io.SafeTensors.write(
                Map.of("input", example, "output", withNoGrad(model, example)), EXPORTS.resolve(name + ".safetensors"));
        return imported;
    }

    private static Tensor withNoGrad(Module model, Tensor x) {
        try (var g = Torch.noGrad()) {
            return model.call(x);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "resnet18",
                "mobilenet_v2",
                "mobilenet_v3_small",
                "squeezenet1_0",
                "efficientnet_b0",
                "densenet121",
                "convnext_tiny",
                "alexnet"
            })
    void zooModelsExportWithDynamicBatch(String name) throws IOException {
        Torch.manualSeed(7);
        Module model = Models.create(name, 10);
        randomizeBatchNorm(model);
        OnnxModel imported = roundTrip(name, model, Torch.randn(2, 3, 64, 64), Torch.randn(3, 3, 64, 64));
        // parameters keep their state-dict names, so an imported export fine-tunes under the same names
        var params = imported.namedParameters();
        String first = model.namedParameters().keySet().iterator().next();
        assertTrue(params.containsKey(first), first + " not among " + params.keySet());
    }

    @Test
    void unevenAdaptivePoolingExportsAsSlicedMeans() throws IOException {
        // AlexNet's and VGG's pooling to 6x6 / 7x7 from smaller or uneven maps: windows overlap
        Module pools = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                Tensor a = F.adaptiveAvgPool2d(x, 3, 2); // 5x7 -> 3x2: windows of 2-3 rows and 4 columns
                Tensor b = F.adaptiveAvgPool2d(x.narrow(2, 0, 1).narrow(3, 0, 1), 6, 6); // 1x1 -> 6x6
                return a.flatten(1).add(b.flatten(1).narrow(1, 0, a.flatten(1).size(1)));
            }
        };
        Tensor x = Torch.randn(2, 4, 5, 7).requiresGrad(false);
        OnnxModel imported = roundTrip("adaptive_pools", pools, x, Torch.randn(3, 4, 5, 7));
        assertTrue(imported.operatorCounts().get("ReduceMean") >= 3 + 2 + 6 + 6);
    }

    @Test
    void visionTransformerExports() throws IOException {
        Torch.manualSeed(3);
        var vit = new VisionTransformer(VisionTransformer.Options.of(32, 8, 2, 4, 32, 64));
        // torchvision starts the head at zero: give it weights so the output depends on everything before
        vit.namedParameters().get("heads.head.weight").copyFrom(Torch.randn(1000, 32));
        roundTrip("vit_tiny", vit, Torch.randn(2, 3, 32, 32), Torch.randn(1, 3, 32, 32));
    }

    @Test
    void importedModelFineTunesAndExportsAgain() throws IOException {
        Torch.manualSeed(17);
        Module resnet = Models.create("resnet18", 4);
        randomizeBatchNorm(resnet);
        OnnxModel imported = roundTrip("resnet18_small", resnet, Torch.randn(2, 3, 32, 32), Torch.randn(1, 3, 32, 32));
        // one SGD step on the imported graph's parameters, then export the imported model itself
        imported.train();
        Tensor loss = imported.call(Torch.randn(4, 3, 32, 32)).pow(2f).mean();
        loss.backward();
        Tensor fc = imported.namedParameters().get("fc.weight");
        assertTrue(fc.grad() != null && fc.grad().abs().max().item() > 0, "no gradient reached fc.weight");
        try (var g = Torch.noGrad()) {
            for (Tensor p : imported.parameters()) {
                if (p.grad() != null) {
                    p.copyFrom(p.sub(p.grad().mul(0.1f)));
                }
            }
        }
        roundTrip("resnet18_reexported", imported, Torch.randn(2, 3, 32, 32), Torch.randn(3, 3, 32, 32));
    }

    @Test
    void recurrentLayersExportAsOnnxRecurrentNodes() throws IOException {
        Torch.manualSeed(5);
        Tensor x = Torch.randn(2, 6, 8);
        Tensor other = Torch.randn(4, 6, 8);
        var lstm = new LSTM(new dev.torchlet.nn.RecurrentOptions(8, 12, 2, "tanh", true, true, 0.0, true, 0));
        OnnxModel imported = roundTrip("lstm_bidirectional", lstm, x, other);
        // two stacked LSTM nodes; the Concats join the layers' final states (h_n, c_n)
        assertEquals(
                Map.of("Concat", 2, "Identity", 1, "LSTM", 2, "Reshape", 2, "Transpose", 4), imported.operatorCounts());
        roundTrip("gru", new GRU(8, 12, 1, true), x, other);
        roundTrip("rnn_relu", new RNN(8, 12, 2, true, "relu", 0.0, true), x, other);
    }

    @Test
    void transformerEncoderLayerExports() throws IOException {
        Torch.manualSeed(11);
        var layer = new TransformerEncoderLayer(16, 4, 32, 0.1, "gelu", 1e-5, true, false);
        roundTrip("transformer_encoder_layer", layer, Torch.randn(2, 5, 16), Torch.randn(3, 5, 16));
    }

    @Test
    void textModelsExportWithIntegerIds() throws IOException {
        Torch.manualSeed(13);
        Tensor ids = Torch.randint(0, 100, 2, 7);
        Tensor other = Torch.randint(0, 100, 3, 7);
        roundTrip("bert_tiny", new Bert(BertConfig.of(100, 16, 2, 4, 32)), ids, other);
        roundTrip("gpt2_tiny", new GPT2Model(GPT2Config.of(100, 16, 16, 2, 4)), ids, other);
    }

    @Test
    void exportRestoresModeAndGradientFlags(@TempDir Path dir) throws IOException {
        Module model = Models.create("resnet18", 10);
        model.train();
        model.namedParameters().get("fc.weight").requiresGrad(false);
        OnnxExport.save(model, Torch.randn(1, 3, 32, 32), dir.resolve("m.onnx"));
        assertTrue(model.isTraining());
        assertFalse(model.namedParameters().get("fc.weight").requiresGrad());
        assertTrue(model.namedParameters().get("conv1.weight").requiresGrad());
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("m.onnx")));
        assertEquals(
                "batch",
                proto.getGraph()
                        .getInput(0)
                        .getType()
                        .getTensorType()
                        .getShape()
                        .getDim(0)
                        .getDimParam());
        Map<String, Integer> ops = new TreeMap<>();
        proto.getGraph().getNodeList().forEach(n -> ops.merge(n.getOpType(), 1, Integer::sum));
        assertEquals(20, ops.get("Conv"));
        assertEquals(1, ops.get("Gemm"));
    }

    @Test
    void untranslatableOpsAreNamed() {
        Module model = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return x.std(new int[] {1}, 1, false);
            }
        };
        var e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(model, Torch.randn(2, 3), true));
        assertTrue(e.getMessage().contains("StdBackward0"), e.getMessage());
    }

    /** Non-trivial running statistics, so the exported BatchNormalization is really checked. */
    static void randomizeBatchNorm(Module model) {
        model.namedBuffers().forEach((name, t) -> {
            if (name.endsWith("running_mean")) {
                t.copyFrom(Torch.randn(t.shape()).mul(0.1f));
            } else if (name.endsWith("running_var")) {
                t.copyFrom(Torch.rand(t.shape()).add(0.5f));
            }
        });
    }
}
