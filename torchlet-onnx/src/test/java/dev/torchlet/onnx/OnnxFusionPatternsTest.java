package dev.torchlet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.MemoryFormat;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.onnx.proto.Onnx.AttributeProto;
import dev.torchlet.onnx.proto.Onnx.GraphProto;
import dev.torchlet.onnx.proto.Onnx.ModelProto;
import dev.torchlet.onnx.proto.Onnx.NodeProto;
import dev.torchlet.onnx.proto.Onnx.OperatorSetIdProto;
import dev.torchlet.onnx.proto.Onnx.TensorProto;
import dev.torchlet.onnx.proto.Onnx.TensorShapeProto;
import dev.torchlet.onnx.proto.Onnx.TypeProto;
import dev.torchlet.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fusion patterns on small hand-built graphs: the exported attention form fuses and, where a run-time condition of
 * the fused kernel fails (a per-head mask, a divisor other than sqrt(head dim)), runs the original nodes; gradients
 * through the fused node equal the original graph's; Shape chains of a fully static input fold.
 */
class OnnxFusionPatternsTest {
    private static final OnnxModel.Options PLAIN = new OnnxModel.Options(false);

    private static NodeProto node(String op, List<String> in, String out, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder()
                .setOpType(op)
                .setName(out)
                .addAllInput(in)
                .addOutput(out);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static AttributeProto intAttribute(String name, long v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    /** A Constant node: a float scalar. */
    private static NodeProto constant(String out, float value) {
        TensorProto t = TensorProto.newBuilder()
                .setDataType(OnnxTensors.FLOAT)
                .addFloatData(value)
                .build();
        return node(
                "Constant",
                List.of(),
                out,
                AttributeProto.newBuilder()
                        .setName("value")
                        .setType(AttributeProto.AttributeType.TENSOR)
                        .setT(t)
                        .build());
    }

    /** A Constant node: an int64 vector, or a scalar when {@code scalar}. */
    private static NodeProto constant(String out, boolean scalar, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setDataType(OnnxTensors.INT64);
        if (!scalar) {
            t.addDims(values.length);
        }
        for (long v : values) {
            t.addInt64Data(v);
        }
        return node(
                "Constant",
                List.of(),
                out,
                AttributeProto.newBuilder()
                        .setName("value")
                        .setType(AttributeProto.AttributeType.TENSOR)
                        .setT(t)
                        .build());
    }

    /** A float input of any shape. */
    private static ValueInfoProto input(String name) {
        return ValueInfoProto.newBuilder().setName(name).build();
    }

    /** A float input with the given dims (-1: dynamic). */
    private static ValueInfoProto input(String name, int d0, int... more) {
        int[] dims = new int[more.length + 1];
        dims[0] = d0;
        System.arraycopy(more, 0, dims, 1, more.length);
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : dims) {
            shape.addDim(
                    d < 0
                            ? TensorShapeProto.Dimension.newBuilder().setDimParam("n")
                            : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(OnnxTensors.FLOAT)
                                .setShape(shape)))
                .build();
    }

    private static byte[] model(List<ValueInfoProto> inputs, String output, List<NodeProto> nodes) {
        return model(inputs, output, nodes, List.of());
    }

    /** A float initializer (a trainable parameter once imported). */
    private static TensorProto initializer(String name, Tensor value) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(OnnxTensors.FLOAT);
        for (int d : value.shape()) {
            t.addDims(d);
        }
        for (float f : value.toFloatArray()) {
            t.addFloatData(f);
        }
        return t.build();
    }

    private static byte[] model(
            List<ValueInfoProto> inputs, String output, List<NodeProto> nodes, List<TensorProto> initializers) {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addAllInitializer(initializers)
                .setName("g")
                .addAllInput(inputs)
                .addOutput(ValueInfoProto.newBuilder().setName(output))
                .addAllNode(nodes);
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(g)
                .build()
                .toByteArray();
    }

    /**
     * PyTorch's export of BERT self-attention after the head split: q, k, v (B, T, H, hd), an additive mask, the
     * scores divided by the constant {@code divisor}.
     */
    private static byte[] attention(float divisor) {
        List<NodeProto> nodes = List.of(
                node("Transpose", List.of("q"), "qT", ints("perm", 0, 2, 1, 3)),
                node("Transpose", List.of("k"), "kT", ints("perm", 0, 2, 3, 1)),
                node("MatMul", List.of("qT", "kT"), "scores"),
                constant("divisor", divisor),
                node("Div", List.of("scores", "divisor"), "scaled"),
                node("Add", List.of("scaled", "mask"), "masked"),
                node("Softmax", List.of("masked"), "probs", intAttribute("axis", 3)),
                node("Transpose", List.of("v"), "vT", ints("perm", 0, 2, 1, 3)),
                node("MatMul", List.of("probs", "vT"), "heads"),
                node("Transpose", List.of("heads"), "out", ints("perm", 0, 2, 1, 3)));
        return model(
                List.of(input("q", -1, -1, 4, 8), input("k", -1, -1, 4, 8), input("v", -1, -1, 4, 8), input("mask")),
                "out",
                nodes);
    }

    /** Runs both models on (B=2, Tq=5, Tk=6, H=4, hd=8) inputs; compares outputs and input gradients. */
    private static void assertSameForwardAndBackward(OnnxModel fast, OnnxModel plain, Tensor mask, float atol) {
        Torch.manualSeed(3);
        Tensor q = Torch.randn(2, 5, 4, 8);
        Tensor k = Torch.randn(2, 6, 4, 8);
        Tensor v = Torch.randn(2, 6, 4, 8);
        Tensor probe = Torch.randn(2, 5, 4, 8);
        Tensor[][] grads = new Tensor[2][];
        Tensor[] outs = new Tensor[2];
        OnnxModel[] models = {fast, plain};
        for (int m = 0; m < 2; m++) {
            Tensor[] leaves = {
                q.detach().requiresGrad(true),
                k.detach().requiresGrad(true),
                v.detach().requiresGrad(true)
            };
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            feeds.put("q", leaves[0]);
            feeds.put("k", leaves[1]);
            feeds.put("v", leaves[2]);
            feeds.put("mask", mask);
            outs[m] = models[m].run(feeds).get("out");
            outs[m].mul(probe).sum().backward();
            grads[m] = new Tensor[] {leaves[0].grad(), leaves[1].grad(), leaves[2].grad()};
        }
        assertArrayEquals(outs[1].shape(), outs[0].shape());
        assertArrayEquals(outs[1].toFloatArray(), outs[0].toFloatArray(), atol, "output");
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(
                    grads[1][i].toFloatArray(), grads[0][i].toFloatArray(), atol, "gradient of " + "qkv".charAt(i));
        }
    }

    /**
     * Conv then Relu, Clip(0, 6) with Constant bounds, and Clip with only a max: each fuses into one ConvClamp node
     * (a depthwise and a stride-2 conv too), gives the unfused graph's output exactly in no-grad inference, and with
     * gradients the unfused graph's gradients.
     */
    @ParameterizedTest
    @ValueSource(strings = {"relu", "relu6", "clip-max", "depthwise-relu6", "stride2-relu"})
    void convThenReluOrClipFusesIntoConvClamp(String kind) throws IOException {
        Torch.manualSeed(9);
        boolean depthwise = kind.startsWith("depthwise");
        int cout = depthwise ? 4 : 6;
        int stride = kind.startsWith("stride2") ? 2 : 1;
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(constant("lo", 0f));
        nodes.add(constant("hi", 6f));
        nodes.add(node(
                "Conv",
                List.of("x", "W", "b"),
                "conv",
                ints("kernel_shape", 3, 3),
                ints("pads", 1, 1, 1, 1),
                ints("strides", stride, stride),
                intAttribute("group", depthwise ? 4 : 1)));
        if (kind.endsWith("relu")) {
            nodes.add(node("Relu", List.of("conv"), "y"));
        } else if (kind.equals("clip-max")) {
            nodes.add(node("Clip", List.of("conv", "", "hi"), "y"));
        } else {
            nodes.add(node("Clip", List.of("conv", "lo", "hi"), "y"));
        }
        byte[] bytes = model(
                List.of(input("x", -1, 4, 9, 10)),
                "y",
                nodes,
                List.of(
                        initializer("W", Torch.randn(cout, depthwise ? 1 : 4, 3, 3)),
                        initializer("b", Torch.randn(cout))));
        OnnxModel fast = OnnxModel.load(bytes, null, kind);
        OnnxModel plain = OnnxModel.load(bytes, null, kind, PLAIN);
        assertEquals(Map.of("torchlet.ConvClamp", 1), fast.fusedOperatorCounts());
        Tensor x = Torch.randn(2, 4, 9, 10).mul(3f);
        try (var g = Torch.noGrad()) {
            assertArrayEquals(plain.call(x).toFloatArray(), fast.call(x).toFloatArray(), 0f, "fused in the kernel");
        }
        Tensor a = fast.call(x);
        Tensor b = plain.call(x);
        assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 0f);
        a.pow(2f).sum().backward();
        b.pow(2f).sum().backward();
        Map<String, Tensor> fastParams = fast.namedParameters();
        plain.namedParameters()
                .forEach((name, p) -> assertArrayEquals(
                        p.grad().toFloatArray(), fastParams.get(name).grad().toFloatArray(), 0f, name));
    }

    /**
     * ResNet's stem, Conv 7x7 stride 2 then Relu then MaxPool 3x3 stride 2 with pads 1: one ConvClampMaxPool node
     * (over a channels-last batch large enough for strips of rows, the one-pass kernel), the unfused graph's output
     * exactly in no-grad inference and its gradients with autograd. Pads the fused node does not take (asymmetric)
     * leave the MaxPool a node of its own.
     */
    @ParameterizedTest
    @ValueSource(strings = {"stem", "ceil", "asymmetric"})
    void convReluMaxPoolFusesIntoConvClampMaxPool(String kind) throws IOException {
        Torch.manualSeed(12);
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(node(
                "Conv",
                List.of("x", "W", "b"),
                "conv",
                ints("kernel_shape", 7, 7),
                ints("pads", 3, 3, 3, 3),
                ints("strides", 2, 2)));
        nodes.add(node("Relu", List.of("conv"), "act"));
        nodes.add(node(
                "MaxPool",
                List.of("act"),
                "y",
                ints("kernel_shape", 3, 3),
                kind.equals("asymmetric") ? ints("pads", 0, 0, 1, 1) : ints("pads", 1, 1, 1, 1),
                ints("strides", 2, 2),
                intAttribute("ceil_mode", kind.equals("ceil") ? 1 : 0)));
        byte[] bytes = model(
                List.of(input("x", -1, 3, 45, 38)),
                "y",
                nodes,
                List.of(initializer("W", Torch.randn(64, 3, 7, 7)), initializer("b", Torch.randn(64))));
        OnnxModel fast = OnnxModel.load(bytes, null, kind);
        OnnxModel plain = OnnxModel.load(bytes, null, kind, PLAIN);
        Map<String, Integer> counts = kind.equals("asymmetric")
                ? Map.of("torchlet.ConvClamp", 1, "MaxPool", 1)
                : Map.of("torchlet.ConvClampMaxPool", 1);
        assertEquals(counts, fast.fusedOperatorCounts());
        assertExactlyUnfused(fast, plain, Torch.randn(2, 3, 45, 38), "fused in the kernel");
    }

    /**
     * Conv then Add of a shortcut (either operand order), then Relu or nothing (ResNet's and MobileNetV2's block
     * endings): one ConvAddClamp node, the unfused graph's output exactly in no-grad inference and its gradients
     * with autograd. A per-channel addend (broadcast by Add) runs the unfused ops inside the fused node.
     */
    @ParameterizedTest
    @ValueSource(strings = {"relu", "none", "shortcut-first", "broadcast", "no-bias"})
    void convThenAddFusesIntoConvAddClamp(String kind) throws IOException {
        Torch.manualSeed(10);
        boolean bias = !kind.equals("no-bias");
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(node(
                "Conv",
                bias ? List.of("x", "W", "b") : List.of("x", "W"),
                "conv",
                ints("kernel_shape", 3, 3),
                ints("pads", 1, 1, 1, 1)));
        String shortcut = kind.equals("broadcast") ? "perChannel" : "x";
        nodes.add(node(
                "Add",
                kind.equals("shortcut-first") ? List.of(shortcut, "conv") : List.of("conv", shortcut),
                kind.equals("none") ? "y" : "sum"));
        if (!kind.equals("none")) {
            nodes.add(node("Relu", List.of("sum"), "y"));
        }
        List<TensorProto> initializers = new ArrayList<>(List.of(initializer("W", Torch.randn(4, 4, 3, 3))));
        if (shortcut.equals("perChannel")) {
            initializers.add(initializer("perChannel", Torch.randn(1, 4, 1, 1)));
        }
        if (bias) {
            initializers.add(initializer("b", Torch.randn(4)));
        }
        byte[] bytes = model(List.of(input("x", -1, 4, 9, 10)), "y", nodes, initializers);
        OnnxModel fast = OnnxModel.load(bytes, null, kind);
        OnnxModel plain = OnnxModel.load(bytes, null, kind, PLAIN);
        assertEquals(Map.of("torchlet.ConvAddClamp", 1), fast.fusedOperatorCounts());
        assertExactlyUnfused(fast, plain, Torch.randn(2, 4, 9, 10).mul(3f), "fused in the kernel");
    }

    /**
     * The fused model's output on x equals the unfused one's exactly, in no-grad inference (the fused kernels) and
     * with autograd, where the input's and every parameter's gradient of sum(y^2) are equal too.
     */
    private static void assertExactlyUnfused(OnnxModel fast, OnnxModel plain, Tensor x, String inference) {
        try (var g = Torch.noGrad()) {
            assertArrayEquals(plain.call(x).toFloatArray(), fast.call(x).toFloatArray(), 0f, inference);
        }
        Tensor xa = x.detach().requiresGrad(true);
        Tensor xb = x.detach().requiresGrad(true);
        Tensor a = fast.call(xa);
        Tensor b = plain.call(xb);
        assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 0f);
        a.pow(2f).sum().backward();
        b.pow(2f).sum().backward();
        assertArrayEquals(xb.grad().toFloatArray(), xa.grad().toFloatArray(), 0f, "input gradient");
        Map<String, Tensor> fastParams = fast.namedParameters();
        plain.namedParameters()
                .forEach((name, p) -> assertArrayEquals(
                        p.grad().toFloatArray(), fastParams.get(name).grad().toFloatArray(), 0f, name));
    }

    /**
     * MobileNetV2's expansion 1x1 and depthwise 3x3 convolutions, each followed by a ReLU6 (Clip 0..6): after the two
     * ConvClamp fusions, one PointwiseDepthwise node. Its expanded map (160 x 40 x 41 floats, 1 MB, 2 images) takes
     * the strip-wise kernel on 2 threads: the unfused graph's output exactly in no-grad inference, and its gradients
     * with autograd (where the node runs the two convolutions).
     */
    @ParameterizedTest
    @ValueSource(strings = {"stride1", "stride2", "no-bias"})
    void expansionThenDepthwiseFusesIntoPointwiseDepthwise(String kind) throws IOException {
        Torch.manualSeed(11);
        boolean bias = !kind.equals("no-bias");
        int stride = kind.equals("stride2") ? 2 : 1;
        int hidden = 160;
        List<NodeProto> nodes = new ArrayList<>(List.of(constant("zero", 0f), constant("six", 6f)));
        nodes.add(node("Conv", bias ? List.of("x", "We", "be") : List.of("x", "We"), "e", ints("kernel_shape", 1, 1)));
        nodes.add(node("Clip", List.of("e", "zero", "six"), "e6"));
        nodes.add(node(
                "Conv",
                bias ? List.of("e6", "Wd", "bd") : List.of("e6", "Wd"),
                "d",
                ints("kernel_shape", 3, 3),
                ints("pads", 1, 1, 1, 1),
                ints("strides", stride, stride),
                intAttribute("group", hidden)));
        nodes.add(node("Clip", List.of("d", "zero", "six"), "y"));
        List<TensorProto> initializers = new ArrayList<>(List.of(
                initializer("We", Torch.randn(hidden, 8, 1, 1)), initializer("Wd", Torch.randn(hidden, 1, 3, 3))));
        if (bias) {
            initializers.add(initializer("be", Torch.randn(hidden)));
            initializers.add(initializer("bd", Torch.randn(hidden)));
        }
        byte[] bytes = model(List.of(input("x", -1, 8, -1, -1)), "y", nodes, initializers);
        OnnxModel fast = OnnxModel.load(bytes, null, kind);
        OnnxModel plain = OnnxModel.load(bytes, null, kind, PLAIN);
        assertEquals(Map.of("torchlet.PointwiseDepthwise", 1), fast.fusedOperatorCounts());
        assertExactlyUnfused(fast, plain, Torch.randn(2, 8, 40, 41), "strip-wise kernel");
    }

    /**
     * MobileNetV2's whole inverted residual block, ReLU6 as Clip 0..6: expansion (or none, as in its first block),
     * depthwise, linear projection, and the input added back at stride 1. After the ConvClamp, ConvAddClamp and
     * PointwiseDepthwise fusions, one InvertedResidual node, whose channels-last one-pass kernel (in eval) gives the
     * unfused graph's output on a channels-last input exactly (24 and 16 output channels take the direct kernel,
     * which adds the shortcut after the sum as the separate Add does; 32 take the GEMM), and whose fallback to the
     * layers (training mode) gives the same outputs and gradients.
     */
    @ParameterizedTest
    @ValueSource(strings = {"expand-residual", "expand-stride2", "no-expansion"})
    void mobileNetBlockFusesIntoInvertedResidual(String kind) throws IOException {
        Torch.manualSeed(12);
        boolean expands = !kind.equals("no-expansion");
        boolean residual = kind.equals("expand-residual");
        int stride = kind.equals("expand-stride2") ? 2 : 1;
        int cin = residual ? 24 : kind.equals("no-expansion") ? 32 : 16;
        int hidden = expands ? 6 * cin : cin;
        int cout = residual ? 24 : kind.equals("no-expansion") ? 16 : 32;
        List<NodeProto> nodes = new ArrayList<>(List.of(constant("zero", 0f), constant("six", 6f)));
        List<TensorProto> initializers = new ArrayList<>();
        String e = "x";
        if (expands) {
            nodes.add(node("Conv", List.of("x", "We", "be"), "e", ints("kernel_shape", 1, 1)));
            nodes.add(node("Clip", List.of("e", "zero", "six"), "e6"));
            initializers.add(initializer("We", Torch.randn(hidden, cin, 1, 1).mul(0.3f)));
            initializers.add(initializer("be", Torch.randn(hidden)));
            e = "e6";
        }
        nodes.add(node(
                "Conv",
                List.of(e, "Wd", "bd"),
                "d",
                ints("kernel_shape", 3, 3),
                ints("pads", 1, 1, 1, 1),
                ints("strides", stride, stride),
                intAttribute("group", hidden)));
        nodes.add(node("Clip", List.of("d", "zero", "six"), "d6"));
        nodes.add(node("Conv", List.of("d6", "Wp", "bp"), residual ? "p" : "y", ints("kernel_shape", 1, 1)));
        if (residual) {
            nodes.add(node("Add", List.of("p", "x"), "y"));
        }
        initializers.add(initializer("Wd", Torch.randn(hidden, 1, 3, 3)));
        initializers.add(initializer("bd", Torch.randn(hidden)));
        initializers.add(initializer("Wp", Torch.randn(cout, hidden, 1, 1).mul(0.2f)));
        initializers.add(initializer("bp", Torch.randn(cout)));
        byte[] bytes = model(List.of(input("x", -1, cin, -1, -1)), "y", nodes, initializers);
        OnnxModel fast = OnnxModel.load(bytes, null, kind);
        OnnxModel plain = OnnxModel.load(bytes, null, kind, PLAIN);
        assertEquals(Map.of("torchlet.InvertedResidual", 1), fast.fusedOperatorCounts());
        Tensor x = Torch.randn(2, cin, 20, 21);
        assertExactlyUnfused(fast, plain, x, "the layers' NCHW kernels in training mode");
        fast.eval(); // in eval the graph input goes in channels-last: the one-pass kernel runs
        try (var g = Torch.noGrad()) {
            Tensor y = fast.call(x);
            assertTrue(y.isContiguous(MemoryFormat.CHANNELS_LAST), "a channels-last output");
            Tensor unfused = plain.call(x.contiguous(MemoryFormat.CHANNELS_LAST)); // the layers' channels-last kernels
            assertArrayEquals(unfused.toFloatArray(), y.toFloatArray(), 0f, "one pass over strips of rows");
        }
    }

    @Test
    void attentionFusesAndMatchesTheOriginalNodesForwardAndBackward() throws IOException {
        byte[] bytes = attention((float) Math.sqrt(8));
        OnnxModel fast = OnnxModel.load(bytes, null, "attention");
        OnnxModel plain = OnnxModel.load(bytes, null, "attention", PLAIN);
        assertEquals(Map.of("torchlet.Attention", 1), fast.fusedOperatorCounts());
        float[] hidden = new float[12];
        hidden[4] = hidden[5] = hidden[11] = -10000f; // keys 4, 5 of the first sequence and 5 of the second hidden
        Tensor padding = Torch.tensor(hidden, 2, 1, 1, 6);
        assertSameForwardAndBackward(fast, plain, padding, 1e-5f);
        assertSameForwardAndBackward(fast, plain, Torch.randn(1, 5, 6), 1e-5f); // (Tq, Tk), every batch
    }

    @Test
    void attentionRunsTheOriginalNodesWhereTheFusedKernelDoesNotApply() throws IOException {
        byte[] bytes = attention((float) Math.sqrt(8));
        OnnxModel fast = OnnxModel.load(bytes, null, "attention");
        OnnxModel plain = OnnxModel.load(bytes, null, "attention", PLAIN);
        // a mask per head: the fused kernel takes one mask for all heads, so the original nodes run, bit for bit
        assertSameForwardAndBackward(fast, plain, Torch.randn(2, 4, 5, 6), 0f);
        // scores divided by 3 instead of sqrt(8): still fused at load, unfused at run time
        byte[] other = attention(3f);
        OnnxModel fastOther = OnnxModel.load(other, null, "attention");
        assertEquals(Map.of("torchlet.Attention", 1), fastOther.fusedOperatorCounts());
        assertSameForwardAndBackward(fastOther, OnnxModel.load(other, null, "attention", PLAIN), Torch.zeros(1), 0f);
    }

    @Test
    void transposedWeightMatMulAndBiasFuseIntoLinearWithTheSameGradients() throws IOException {
        // Torchlet's own export of a Linear layer: y = MatMul(x, Transpose(W)) + b, W (N, K) = (5, 3)
        Torch.manualSeed(4);
        byte[] bytes = model(
                List.of(input("x", -1, 4, 3)),
                "y",
                List.of(
                        node("Transpose", List.of("W"), "Wt", ints("perm", 1, 0)),
                        node("MatMul", List.of("x", "Wt"), "xw"),
                        node("Add", List.of("xw", "b"), "y")),
                List.of(initializer("W", Torch.randn(5, 3)), initializer("b", Torch.randn(5))));
        OnnxModel fast = OnnxModel.load(bytes, null, "linear");
        OnnxModel plain = OnnxModel.load(bytes, null, "linear", PLAIN);
        assertEquals(Map.of("torchlet.Linear", 1), fast.fusedOperatorCounts());
        Tensor x = Torch.randn(2, 4, 3);
        Tensor probe = Torch.randn(2, 4, 5);
        Tensor a = fast.call(x);
        Tensor b = plain.call(x);
        assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 1e-5f);
        a.mul(probe).sum().backward();
        b.mul(probe).sum().backward();
        for (String name : List.of("W", "b")) {
            assertArrayEquals(
                    plain.namedParameters().get(name).grad().toFloatArray(),
                    fast.namedParameters().get(name).grad().toFloatArray(),
                    1e-5f,
                    name);
        }
    }

    @Test
    void scalarParametersAreCheckedAtRunTime() throws IOException {
        // Torchlet's own export of the exact GELU keeps its scalars as float initializers, i.e. parameters:
        // y = Mul(Mul(x, Add(Erf(Div(x, c)), one)), half)
        byte[] bytes = model(
                List.of(input("x", -1, 6)),
                "y",
                List.of(
                        node("Div", List.of("x", "c"), "d"),
                        node("Erf", List.of("d"), "e"),
                        node("Add", List.of("e", "one"), "a"),
                        node("Mul", List.of("x", "a"), "m"),
                        node("Mul", List.of("m", "half"), "y")),
                List.of(
                        initializer("c", Torch.full((float) Math.sqrt(2), 1)),
                        initializer("one", Torch.full(1f, 1)),
                        initializer("half", Torch.full(0.5f, 1))));
        OnnxModel fast = OnnxModel.load(bytes, null, "gelu");
        OnnxModel plain = OnnxModel.load(bytes, null, "gelu", PLAIN);
        assertEquals(Map.of("torchlet.Gelu", 1), fast.fusedOperatorCounts());
        Tensor x = Torch.randn(3, 6).mul(3f);
        try (var g = Torch.noGrad()) { // the fused kernel: equal up to its float erf
            assertArrayEquals(plain.call(x).toFloatArray(), fast.call(x).toFloatArray(), 2e-6f);
        }
        // with gradients recorded, the scalars (parameters) need theirs: the original nodes run, bit for bit
        Tensor a = fast.call(x);
        Tensor b = plain.call(x);
        assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 0f);
        a.sum().backward();
        b.sum().backward();
        assertEquals(
                plain.namedParameters().get("c").grad().item(),
                fast.namedParameters().get("c").grad().item());
        // a fine-tuned scalar is no longer sqrt 2: the original nodes run again
        try (var g = Torch.noGrad()) {
            for (OnnxModel m : List.of(fast, plain)) {
                m.namedParameters().get("c").copyFrom(Torch.full(1.3f, 1));
            }
            assertArrayEquals(plain.call(x).toFloatArray(), fast.call(x).toFloatArray(), 0f);
        }
    }

    @Test
    void shapeChainsOfAFullyStaticInputFold() throws IOException {
        // y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): (2, 3, 4) -> (2, 12)
        List<NodeProto> nodes = List.of(
                node("Shape", List.of("x"), "shape"),
                constant("zero", true, 0L),
                node("Gather", List.of("shape", "zero"), "n"),
                constant("axes", false, 0L),
                node("Unsqueeze", List.of("n", "axes"), "n1"),
                constant("rest", false, -1L),
                node("Concat", List.of("n1", "rest"), "target", intAttribute("axis", 0)),
                node("Reshape", List.of("x", "target"), "y"));
        OnnxModel fixed = OnnxModel.load(model(List.of(input("x", 2, 3, 4)), "y", nodes), null, "static");
        assertEquals(Map.of("Reshape", 1), fixed.fusedOperatorCounts());
        Tensor x = Torch.randn(2, 3, 4);
        assertArrayEquals(new int[] {2, 12}, fixed.call(x).shape());
        assertArrayEquals(x.toFloatArray(), fixed.call(x).toFloatArray());
        var e = assertThrows(IllegalArgumentException.class, () -> fixed.call(Torch.randn(3, 3, 4)));
        assertTrue(e.getMessage().contains("expects [2, 3, 4]"), e.getMessage());
        // a dynamic first dim: the chain stays and follows the input
        OnnxModel dynamic = OnnxModel.load(model(List.of(input("x", -1, 3, 4)), "y", nodes), null, "dynamic");
        assertEquals(1, dynamic.fusedOperatorCounts().get("Shape"));
        assertArrayEquals(new int[] {5, 12}, dynamic.call(Torch.randn(5, 3, 4)).shape());
    }
}
