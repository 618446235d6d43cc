package dev.torchlet.onnx;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Node;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One recorded Torchlet op (an autograd node, named as PyTorch names it) -> the ONNX opset-17 nodes that compute
 * the same tensor. Attributes come from {@link Node#attributes()}; shapes from the traced tensors.
 */
final class ExportOps {
    private ExportOps() {}

    /** Node names this exporter translates (for the error that lists what a model used and is missing). */
    static final java.util.Set<String> SUPPORTED = new TreeSet<>(List.of(
            "AbsBackward0",
            "AddBackward0",
            "AddBackward1",
            "AddmmBackward0",
            "AdaptiveAvgPool2DBackward0",
            "AttentionBackward",
            "AvgPool2DBackward0",
            "BmmBackward0",
            "CatBackward0",
            "ClampBackward1",
            "CloneBackward0",
            "ConvolutionAddBackward",
            "ConvolutionBackward0",
            "CosBackward0",
            "DivBackward0",
            "DivBackward1",
            "EluBackward0",
            "ErfBackward0",
            "ExpBackward0",
            "ExpandBackward0",
            "GeluBackward0",
            "HardsigmoidBackward0",
            "HardswishBackward0",
            "HardtanhBackward0",
            "IndexSelectBackward0",
            "LeakyReluBackward0",
            "LogBackward0",
            "LogSoftmaxBackward0",
            "MaxPool2DWithIndicesBackward0",
            "MaximumBackward0",
            "MinimumBackward0",
            "MmBackward0",
            "MulBackward0",
            "MulBackward1",
            "NativeBatchNormBackward0",
            "NativeLayerNormBackward0",
            "NegBackward0",
            "PermuteBackward0",
            "PowBackward0",
            "ReluBackward0",
            "RsqrtBackward0",
            "SelectBackward0",
            "SelfAttentionBackward",
            "SigmoidBackward0",
            "SiluBackward0",
            "SinBackward0",
            "SliceBackward0",
            "SoftmaxBackward0",
            "SoftplusBackward0",
            "SqrtBackward0",
            "SqueezeBackward0",
            "SqueezeBackward1",
            "SubBackward0",
            "SumBackward0",
            "SumBackward1",
            "TanhBackward0",
            "ToCopyBackward0",
            "UnsafeViewBackward0",
            "UnsqueezeBackward0",
            "UpsampleBilinear2DBackward0",
            "UpsampleNearest2DBackward0",
            "ViewBackward0"));

    /** Emits the nodes computing {@code out}; returns its value name. */
    static String emit(ExportTracer tr, Tensor out, Node node) {
        ExportGraph g = tr.graph;
        List<Tensor> inputs = node.inputList();
        Map<String, Object> at = node.attributes();
        String[] in = new String[inputs.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = tr.valueOf(inputs.get(i));
        }
        Tensor x = inputs.isEmpty() ? null : inputs.get(0);
        DType dt = out.dtype();
        return switch (node.name()) {
            case "ReluBackward0" -> g.node("Relu", in);
            case "SigmoidBackward0" -> g.node("Sigmoid", in);
            case "TanhBackward0" -> g.node("Tanh", in);
            case "ExpBackward0" -> g.node("Exp", in);
            case "LogBackward0" -> g.node("Log", in);
            case "SqrtBackward0" -> g.node("Sqrt", in);
            case "RsqrtBackward0" -> g.node("Reciprocal", new String[] {g.node("Sqrt", in)});
            case "AbsBackward0" -> g.node("Abs", in);
            case "ErfBackward0" -> g.node("Erf", in);
            case "SinBackward0" -> g.node("Sin", in);
            case "CosBackward0" -> g.node("Cos", in);
            case "NegBackward0" -> g.node("Neg", in);
            case "CloneBackward0" -> g.node("Identity", in);
            case "EmbeddingPaddingBackward0" -> in[0]; // masks the padding rows' gradient only
            case "ToCopyBackward0" ->
                g.node("Cast", in, "to", dt == DType.FLOAT64 ? OnnxTensors.DOUBLE : OnnxTensors.FLOAT);
            case "AddBackward0" -> g.node("Add", in);
            case "SubBackward0" -> g.node("Sub", in);
            case "MulBackward0" -> g.node("Mul", in);
            case "DivBackward0" -> g.node("Div", in);
            case "MaximumBackward0" -> g.node("Max", in);
            case "MinimumBackward0" -> g.node("Min", in);
            case "AddBackward1" -> g.node("Add", new String[] {in[0], g.scalar(num(at, "other"), dt)});
            case "MulBackward1" -> g.node("Mul", new String[] {in[0], g.scalar(num(at, "other"), dt)});
            case "DivBackward1" -> g.node("Div", new String[] {in[0], g.scalar(num(at, "other"), dt)});
            case "PowBackward0" -> g.node("Pow", new String[] {in[0], g.scalar(num(at, "exponent"), dt)});
            case "SiluBackward0" -> g.node("Mul", new String[] {in[0], g.node("Sigmoid", in)});
            case "HardsigmoidBackward0" -> g.node("HardSigmoid", in, "alpha", 1f / 6f, "beta", 0.5f);
            case "HardswishBackward0" -> g.node("HardSwish", in);
            case "LeakyReluBackward0" -> g.node("LeakyRelu", in, "alpha", (float) num(at, "negative_slope"));
            case "EluBackward0" -> g.node("Elu", in, "alpha", (float) num(at, "alpha"));
            case "HardtanhBackward0", "ClampBackward1" -> clip(g, in[0], at, dt);
            case "SoftplusBackward0" -> softplus(g, in[0], (float) num(at, "beta"), dt);
            case "GeluBackward0" -> gelu(g, in[0], "tanh".equals(at.get("approximate")), dt);
            case "SoftmaxBackward0" -> g.node("Softmax", in, "axis", (int) at.get("dim"));
            case "LogSoftmaxBackward0" -> g.node("LogSoftmax", in, "axis", (int) at.get("dim"));
            case "ViewBackward0", "UnsafeViewBackward0", "SqueezeBackward0", "SqueezeBackward1", "UnsqueezeBackward0" ->
                g.node("Reshape", new String[] {in[0], tr.reshapeTarget(x.shape(), out.shape())});
            case "PermuteBackward0" -> g.node("Transpose", in, "perm", (int[]) at.get("dims"));
            case "ExpandBackward0" -> expand(tr, in[0], x, out);
            case "SliceBackward0" ->
                g.node("Slice", new String[] {
                    in[0],
                    g.int64s((int) at.get("start")),
                    g.int64s((int) at.get("end")),
                    g.int64s((int) at.get("dim")),
                    g.int64s((int) at.get("step"))
                });
            case "SelectBackward0" ->
                g.node("Gather", new String[] {in[0], g.int64Scalar((int) at.get("index"))}, "axis", at.get("dim"));
            case "CatBackward0" -> g.node("Concat", in, "axis", at.get("dim"));
            case "IndexSelectBackward0" ->
                g.node("Gather", new String[] {in[0], tr.valueOf((Tensor) at.get("index"))}, "axis", at.get("dim"));
            case "SumBackward0", "SumBackward1" -> reduceSum(g, in[0], at);
            case "MmBackward0", "AddmmBackward0" ->
                at.containsKey("linear") ? linear(tr, in, x, out) : g.node("MatMul", new String[] {in[0], in[1]});
            case "BmmBackward0" -> g.node("MatMul", in);
            case "ConvolutionBackward0" -> ExportLayers.conv(g, in, inputs.get(1), at);
            case "ConvolutionAddBackward" -> // conv2d with its residual addition fused (Convolution.conv2dAddClamped)
                g.node("Add", new String[] {ExportLayers.conv(g, Arrays.copyOf(in, 3), inputs.get(1), at), in[3]});
            case "NativeBatchNormBackward0" -> ExportLayers.batchNorm(tr, in, inputs, at, out);
            case "NativeLayerNormBackward0" -> ExportLayers.layerNorm(g, in, at, out);
            case "MaxPool2DWithIndicesBackward0" -> ExportLayers.maxPool(g, in[0], at);
            case "AvgPool2DBackward0" -> ExportLayers.avgPool(g, in[0], at);
            case "AdaptiveAvgPool2DBackward0" -> ExportLayers.adaptiveAvgPool(g, in[0], x, at);
            case "UpsampleBilinear2DBackward0", "UpsampleNearest2DBackward0" ->
                ExportLayers.upsample(g, in[0], x, out, at);
            case "SelfAttentionBackward", "AttentionBackward" -> ExportLayers.attention(tr, in, inputs, at);
            default ->
                throw new IllegalArgumentException("ONNX export: Torchlet op " + node.name()
                        + " (output shape " + java.util.Arrays.toString(out.shape()) + ") has no ONNX translation yet; "
                        + "translated ops: " + SUPPORTED);
        };
    }

    private static double num(Map<String, Object> at, String key) {
        Object v = at.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalStateException("ONNX export: the traced op did not record '" + key + "'");
        }
        return n.doubleValue();
    }

    private static String clip(ExportGraph g, String x, Map<String, Object> at, DType dt) {
        double min = num(at, "min");
        double max = num(at, "max");
        return g.node("Clip", new String[] {
            x, Double.isNaN(min) ? "" : g.scalar(min, dt), Double.isNaN(max) ? "" : g.scalar(max, dt)
        });
    }

    /** log(1 + e^(beta x)) / beta (ONNX Softplus has no threshold; the linear branch differs by < e^-threshold). */
    private static String softplus(ExportGraph g, String x, float beta, DType dt) {
        if (beta == 1f) {
            return g.node("Softplus", new String[] {x});
        }
        String scaled = g.node("Mul", new String[] {x, g.scalar(beta, dt)});
        return g.node("Div", new String[] {g.node("Softplus", new String[] {scaled}), g.scalar(beta, dt)});
    }

    /** Exact: 0.5 x (1 + erf(x / sqrt 2)); tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    private static String gelu(ExportGraph g, String x, boolean tanh, DType dt) {
        String inner;
        if (tanh) {
            String cube = g.node("Pow", new String[] {x, g.scalar(3, dt)});
            String sum = g.node("Add", new String[] {x, g.node("Mul", new String[] {cube, g.scalar(0.044715, dt)})});
            inner = g.node("Tanh", new String[] {g.node("Mul", new String[] {sum, g.scalar(Math.sqrt(2 / Math.PI), dt)})
            });
        } else {
            inner = g.node("Erf", new String[] {g.node("Div", new String[] {x, g.scalar(Math.sqrt(2), dt)})});
        }
        String onePlus = g.node("Add", new String[] {inner, g.scalar(1, dt)});
        return g.node("Mul", new String[] {g.node("Mul", new String[] {x, onePlus}), g.scalar(0.5, dt)});
    }

    /** Expand to out's shape; a size-1 leading dim expanded to the traced batch follows the input's batch. */
    private static String expand(ExportTracer tr, String x, Tensor in, Tensor out) {
        ExportGraph g = tr.graph;
        int[] to = out.shape();
        long[] rest = new long[Math.max(0, to.length - 1)];
        for (int i = 1; i < to.length; i++) {
            rest[i - 1] = to[i];
        }
        int lead = to.length - in.dim();
        boolean batchDim =
                tr.dynamicBatch && to.length > 0 && to[0] == tr.traceBatch() && (lead > 0 || in.size(0) == 1);
        if (!batchDim) {
            long[] all = new long[to.length];
            for (int i = 0; i < to.length; i++) {
                all[i] = to[i];
            }
            return g.node("Expand", new String[] {x, g.int64s(all)});
        }
        String shape = g.node("Concat", new String[] {tr.batchSize(), g.int64s(rest)}, "axis", 0);
        return g.node("Expand", new String[] {x, shape});
    }

    private static String reduceSum(ExportGraph g, String x, Map<String, Object> at) {
        int[] dims = (int[]) at.get("dims");
        boolean keep = (boolean) at.get("keepdim");
        if (dims == null) {
            return g.node("ReduceSum", new String[] {x}, "keepdims", keep ? 1 : 0);
        }
        long[] axes = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            axes[i] = dims[i];
        }
        return g.node("ReduceSum", new String[] {x, g.int64s(axes)}, "keepdims", keep ? 1 : 0);
    }

    /** F.linear: x (.., in) @ weight (out, in)^T + bias; Gemm when x is 2-D. */
    private static String linear(ExportTracer tr, String[] in, Tensor x, Tensor out) {
        ExportGraph g = tr.graph;
        boolean hasBias = in.length > 2 && in[2] != null;
        if (x.dim() == 2) {
            return g.node(
                    "Gemm", hasBias ? new String[] {in[0], in[1], in[2]} : new String[] {in[0], in[1]}, "transB", 1);
        }
        String wt = g.node("Transpose", new String[] {in[1]}, "perm", new int[] {1, 0});
        String y = g.node("MatMul", new String[] {in[0], wt});
        return hasBias ? g.node("Add", new String[] {y, in[2]}) : y;
    }
}
