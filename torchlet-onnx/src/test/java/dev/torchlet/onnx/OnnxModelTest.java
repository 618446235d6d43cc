package dev.torchlet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.onnx.proto.Onnx.GraphProto;
import dev.torchlet.onnx.proto.Onnx.ModelProto;
import dev.torchlet.onnx.proto.Onnx.NodeProto;
import dev.torchlet.onnx.proto.Onnx.OperatorSetIdProto;
import dev.torchlet.onnx.proto.Onnx.StringStringEntryProto;
import dev.torchlet.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Networks exported by torch.onnx (tools/golden/gen_onnx.py) against PyTorch's own outputs. */
class OnnxModelTest {
    /** Float32 through different kernels and summation orders. */
    private static final float ATOL = 2e-5f;

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        return Path.of("src/test/resources/onnx", name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"small_cnn_opset17", "small_cnn_bn_opset11", "mlp_opset9", "upsampling_opset13"})
    void exportedNetworksMatchPyTorchAtEveryBatchSize(String name) throws IOException {
        OnnxModel model = OnnxModel.load(fixture(name + ".onnx"));
        Map<String, Tensor> golden = SafeTensors.read(fixture(name + ".safetensors"));
        model.eval();
        for (int b : new int[] {1, 3}) {
            Tensor out;
            try (var g = Torch.noGrad()) {
                out = model.call(golden.get("input." + b));
            }
            Tensor expected = golden.get("output." + b);
            assertArrayEquals(expected.shape(), out.shape(), name);
            assertArrayEquals(expected.toFloatArray(), out.toFloatArray(), ATOL, name + " batch " + b);
        }
        assertEquals(List.of("input"), model.inputNames());
        assertEquals(List.of("output"), model.outputNames());
        assertEquals(-1, model.inputShapes().get("input")[0], "a dynamic batch");
    }

    @Test
    void recurrentExportsMatchPyTorch() throws IOException {
        // bidirectional LSTM -> bidirectional GRU (linear_before_reset) -> tanh RNN, dynamic time and batch
        OnnxModel model = OnnxModel.load(fixture("recurrent_opset14.onnx"));
        Map<String, Tensor> golden = SafeTensors.read(fixture("recurrent_opset14.safetensors"));
        for (int b : new int[] {2, 1}) {
            Tensor out;
            try (var g = Torch.noGrad()) {
                out = model.call(golden.get("input." + b));
            }
            assertArrayEquals(golden.get("output." + b).shape(), out.shape());
            assertArrayEquals(golden.get("output." + b).toFloatArray(), out.toFloatArray(), ATOL, "batch " + b);
        }
    }

    @Test
    void initializersArePytorchNamedParametersAndStatisticsAreBuffers() throws IOException {
        OnnxModel model = OnnxModel.load(fixture("small_cnn_bn_opset11.onnx"));
        assertEquals(11, model.opset());
        assertEquals("pytorch", model.producer());
        Map<String, Tensor> params = model.namedParameters();
        assertTrue(params.containsKey("stem.0.weight"), params.keySet().toString());
        assertTrue(params.containsKey("block.bn1.weight"));
        assertTrue(
                model.namedBuffers().containsKey("block.bn1.running_mean"),
                model.namedBuffers().keySet().toString());
        assertTrue(params.get("fc.weight").requiresGrad());
        model.freeze("stem.*", "block.*");
        assertTrue(!model.namedParameters().get("stem.0.weight").requiresGrad());
        assertTrue(model.namedParameters().get("fc.weight").requiresGrad());
        assertEquals(3, model.operatorCounts().get("BatchNormalization"));
    }

    @Test
    void gradientsFlowToInitializersAndMatchFiniteDifferences() throws IOException {
        OnnxModel model = OnnxModel.load(fixture("mlp_opset9.onnx"));
        Map<String, Tensor> golden = SafeTensors.read(fixture("mlp_opset9.safetensors"));
        Tensor x = golden.get("input.3");
        Tensor w = model.namedParameters().get("l1.weight");
        Tensor loss = model.call(x).pow(2f).sum();
        loss.backward();
        assertNotNull(w.grad());
        float[] grad = w.grad().toFloatArray();
        // central differences on a few weights; float32, so a step of 1e-2 and a relative tolerance of 2%
        float[] data = w.toFloatArray();
        int[] probe = {0, 17, 784 * 5 + 300, 784 * 63 + 783};
        for (int i : probe) {
            double[] f = new double[2];
            for (int s = 0; s < 2; s++) {
                float[] moved = data.clone();
                moved[i] += s == 0 ? 1e-2f : -1e-2f;
                w.copyFrom(Torch.tensor(moved, w.shape()));
                try (var g = Torch.noGrad()) {
                    f[s] = model.call(x).pow(2f).sum().itemDouble();
                }
            }
            w.copyFrom(Torch.tensor(data, w.shape()));
            double numeric = (f[0] - f[1]) / 2e-2;
            assertEquals(numeric, grad[i], 0.02 * Math.abs(numeric) + 1e-3, "d loss / d l1.weight[" + i + "]");
        }
    }

    @Test
    void badFilesAreNamed() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.onnx"), "this is not a model");
        var e1 = assertThrows(IOException.class, () -> OnnxModel.load(text));
        assertTrue(
                e1.getMessage().contains("not an ONNX model") || e1.getMessage().contains("has no graph"),
                e1.getMessage());

        byte[] full = Files.readAllBytes(fixture("small_cnn_opset17.onnx"));
        Path truncated = tmp.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(full, full.length / 2));
        var e2 = assertThrows(IOException.class, () -> OnnxModel.load(truncated));
        assertTrue(e2.getMessage().contains(truncated.toString()), e2.getMessage());

        var e3 = assertThrows(IOException.class, () -> OnnxModel.load(tmp.resolve("missing.onnx")));
        assertTrue(e3.getMessage().contains("no such file"), e3.getMessage());
    }

    private static ModelProto.Builder graph(int opset, NodeProto... nodes) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g");
        for (NodeProto n : nodes) {
            g.addNode(n);
        }
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(g);
    }

    private static NodeProto node(String op, String name) {
        return NodeProto.newBuilder()
                .setOpType(op)
                .setName(name)
                .addInput("x")
                .addOutput(name + "_out")
                .build();
    }

    @Test
    void unsupportedOperatorsAndOpsetsAreListedAtOnce() {
        byte[] bytes = graph(17, node("Relu", "r"), node("FancyOp", "f1"), node("OtherOp", "f2"))
                .build()
                .toByteArray();
        var e = assertThrows(IOException.class, () -> OnnxModel.load(bytes, null, "test.onnx"));
        assertTrue(
                e.getMessage().contains("2 unsupported operator node(s): FancyOp (node 'f1'), OtherOp (node 'f2')"),
                e.getMessage());

        byte[] newer = graph(21, node("Relu", "r")).build().toByteArray();
        var e2 = assertThrows(IOException.class, () -> OnnxModel.load(newer, null, "new.onnx"));
        assertTrue(e2.getMessage().contains("opset 21") && e2.getMessage().contains("7 to 17"), e2.getMessage());
    }

    @Test
    void externalDataIsReadNextToTheModelAndAMissingFileIsNamed() throws IOException {
        float[] values = {1.5f, -2f, 3.25f};
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 + 12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.putLong(0); // 8 bytes of something else before the tensor
        for (float v : values) {
            buf.putFloat(v);
        }
        Files.write(tmp.resolve("weights.bin"), buf.array());
        TensorProto bias = TensorProto.newBuilder()
                .setName("bias")
                .setDataType(OnnxTensors.FLOAT)
                .addDims(3)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(
                        StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                .addExternalData(
                        StringStringEntryProto.newBuilder().setKey("offset").setValue("8"))
                .addExternalData(
                        StringStringEntryProto.newBuilder().setKey("length").setValue("12"))
                .build();
        NodeProto add = NodeProto.newBuilder()
                .setOpType("Add")
                .setName("add")
                .addInput("x")
                .addInput("bias")
                .addOutput("y")
                .build();
        ModelProto.Builder m = graph(13, add);
        m.getGraphBuilder()
                .addInitializer(bias)
                .addInput(
                        dev.torchlet.onnx.proto.Onnx.ValueInfoProto.newBuilder().setName("x"))
                .addOutput(
                        dev.torchlet.onnx.proto.Onnx.ValueInfoProto.newBuilder().setName("y"));
        Path file = tmp.resolve("ext.onnx");
        Files.write(file, m.build().toByteArray());
        OnnxModel model = OnnxModel.load(file);
        Tensor y = model.run(Map.of("x", Torch.tensor(new float[] {1f, 1f, 1f}, 3)))
                .get("y");
        assertArrayEquals(new float[] {2.5f, -1f, 4.25f}, y.toFloatArray());

        Files.delete(tmp.resolve("weights.bin"));
        var e = assertThrows(IOException.class, () -> OnnxModel.load(file));
        assertTrue(e.getMessage().contains("weights.bin") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void aWrongInputShapeIsNamed() throws IOException {
        OnnxModel model = OnnxModel.load(fixture("small_cnn_opset17.onnx"));
        var e = assertThrows(IllegalArgumentException.class, () -> model.call(Torch.zeros(2, 3, 28, 28)));
        assertTrue(
                e.getMessage().contains("input 'input' has shape [2, 3, 28, 28]")
                        && e.getMessage().contains("[-1, 1, 28, 28]"),
                e.getMessage());
    }

    @Test
    void structuralFaultsFoundByFuzzingAreClearErrors() {
        // OnnxModelFuzzTest findings: an initializer without a name; a Conv without outputs feeding the optimizer
        ModelProto base = ModelProto.newBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(GraphProto.newBuilder()
                        .addNode(NodeProto.newBuilder()
                                .setOpType("Relu")
                                .addInput("x")
                                .addOutput("y"))
                        .addInitializer(TensorProto.newBuilder()
                                .setDataType(OnnxTensors.FLOAT)
                                .addDims(1)
                                .addFloatData(1f)))
                .build();
        var unnamed = assertThrows(IOException.class, () -> OnnxModel.load(base.toByteArray(), null, "unnamed"));
        assertTrue(unnamed.getMessage().contains("initializer #0 has no name"), unnamed.getMessage());
        ModelProto noOutput = base.toBuilder()
                .setGraph(base.getGraph().toBuilder()
                        .clearInitializer()
                        .addNode(NodeProto.newBuilder()
                                .setOpType("Conv")
                                .setName("c")
                                .addInput("y")
                                .addInput("w")))
                .build();
        var conv = assertThrows(IOException.class, () -> OnnxModel.load(noOutput.toByteArray(), null, "conv"));
        assertTrue(conv.getMessage().contains("Conv node 'c' has no (first) output"), conv.getMessage());
    }
}
