package dev.torchlet.onnx;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.List;
import java.util.Map;

/** ONNX translations of Torchlet's layer ops: convolution, normalization, pooling, resizing and attention. */
final class ExportLayers {
    private ExportLayers() {}

    /** Conv (or ConvTranspose): x (N, C, H, W), weight, optional bias. ONNX pads are (top, left, bottom, right). */
    static String conv(ExportGraph g, String[] in, Tensor weight, Map<String, Object> at) {
        int[] pad = (int[]) at.get("padding");
        int[] kernel = {weight.size(2), weight.size(3)};
        String[] inputs = in[2] == null ? new String[] {in[0], in[1]} : in;
        Object[] attributes = {
            "kernel_shape", kernel,
            "strides", at.get("stride"),
            "pads", new int[] {pad[0], pad[1], pad[0], pad[1]},
            "dilations", at.get("dilation"),
            "group", at.get("groups")
        };
        if ((boolean) at.get("transposed")) {
            Object[] withPadding = java.util.Arrays.copyOf(attributes, attributes.length + 2);
            withPadding[attributes.length] = "output_padding";
            withPadding[attributes.length + 1] = at.get("output_padding");
            return g.node("ConvTranspose", inputs, withPadding);
        }
        return g.node("Conv", inputs, attributes);
    }

    /** Inference batch norm over (N, C, ...) with the running statistics; missing affine terms are 1 and 0. */
    static String batchNorm(ExportTracer tr, String[] in, List<Tensor> inputs, Map<String, Object> at, Tensor out) {
        if ((boolean) at.get("training") || at.get("running_mean") == null) {
            throw new IllegalArgumentException("ONNX export: a batch norm ran in training mode or without running "
                    + "statistics; call model.eval() (the exporter does) and keep track_running_stats on");
        }
        ExportGraph g = tr.graph;
        int c = out.size(1);
        DType dt = out.dtype();
        String scale =
                in[1] != null ? in[1] : g.constant("bn_ones", Torch.ones(c).to(dt));
        String bias =
                in[2] != null ? in[2] : g.constant("bn_zeros", Torch.zeros(c).to(dt));
        String mean = tr.valueOf((Tensor) at.get("running_mean"));
        String var = tr.valueOf((Tensor) at.get("running_var"));
        return g.node(
                "BatchNormalization",
                new String[] {in[0], scale, bias, mean, var},
                "epsilon",
                ((Number) at.get("eps")).floatValue());
    }

    /** LayerNormalization (opset 17) over the trailing normalized dims. */
    static String layerNorm(ExportGraph g, String[] in, Map<String, Object> at, Tensor out) {
        int[] normalized = (int[]) at.get("normalized_shape");
        int n = 1;
        for (int d : normalized) {
            n *= d;
        }
        DType dt = out.dtype();
        String scale = in[1] != null
                ? in[1]
                : g.constant("ln_ones", Torch.ones(normalized).to(dt));
        String bias = in[2] != null
                ? in[2]
                : g.constant("ln_zeros", Torch.zeros(normalized).to(dt));
        return g.node(
                "LayerNormalization",
                new String[] {in[0], scale, bias},
                "axis",
                -normalized.length,
                "epsilon",
                ((Number) at.get("eps")).floatValue());
    }

    static String maxPool(ExportGraph g, String x, Map<String, Object> at) {
        int[] pad = (int[]) at.get("padding");
        return g.node(
                "MaxPool",
                new String[] {x},
                "kernel_shape",
                at.get("kernel"),
                "strides",
                at.get("stride"),
                "pads",
                new int[] {pad[0], pad[1], pad[0], pad[1]},
                "dilations",
                at.get("dilation"),
                "ceil_mode",
                (boolean) at.get("ceil_mode") ? 1 : 0);
    }

    static String avgPool(ExportGraph g, String x, Map<String, Object> at) {
        int[] pad = (int[]) at.get("padding");
        return g.node(
                "AveragePool",
                new String[] {x},
                "kernel_shape",
                at.get("kernel"),
                "strides",
                at.get("stride"),
                "pads",
                new int[] {pad[0], pad[1], pad[0], pad[1]},
                "ceil_mode",
                (boolean) at.get("ceil_mode") ? 1 : 0,
                "count_include_pad",
                (boolean) at.get("count_include_pad") ? 1 : 0);
    }

    /** GlobalAveragePool for a 1x1 output, an AveragePool when the output size divides the input's. */
    static String adaptiveAvgPool(ExportGraph g, String x, Tensor in, Map<String, Object> at) {
        int[] size = (int[]) at.get("output_size");
        int h = in.size(in.dim() - 2);
        int w = in.size(in.dim() - 1);
        if (size[0] == 1 && size[1] == 1) {
            return g.node("GlobalAveragePool", new String[] {x});
        }
        if (h % size[0] != 0 || w % size[1] != 0) { // uneven (or overlapping) windows: rows, then columns
            return adaptiveMean(g, adaptiveMean(g, x, in.dim() - 2, h, size[0]), in.dim() - 1, w, size[1]);
        }
        int[] window = {h / size[0], w / size[1]};
        return g.node("AveragePool", new String[] {x}, "kernel_shape", window, "strides", window);
    }

    /**
     * Adaptive averaging along one axis: output i is the mean of inputs [floor(i*n/out), ceil((i+1)*n/out)), as
     * PyTorch's adaptive_avg_pool2d windows. A rectangle's mean is the mean of its rows' means (equal row lengths),
     * so the 2-D pooling is this along H, then along W: one Slice + ReduceMean per output index, then a Concat.
     */
    private static String adaptiveMean(ExportGraph g, String x, int axis, int n, int out) {
        String[] parts = new String[out];
        for (int i = 0; i < out; i++) {
            int start = Math.floorDiv(i * n, out);
            int end = -Math.floorDiv(-(i + 1) * n, out);
            String window = g.node("Slice", new String[] {x, g.int64s(start), g.int64s(end), g.int64s(axis)});
            parts[i] = g.node("ReduceMean", new String[] {window}, "axes", new int[] {axis}, "keepdims", 1);
        }
        return out == 1 ? parts[0] : g.node("Concat", parts, "axis", axis);
    }

    /** Resize by the traced scale (out / in) on H and W. */
    static String upsample(ExportGraph g, String x, Tensor in, Tensor out, Map<String, Object> at) {
        boolean bilinear = "bilinear".equals(at.get("mode"));
        boolean align = (boolean) at.get("align_corners");
        Tensor scales =
                Torch.tensor(new float[] {1f, 1f, (float) out.size(2) / in.size(2), (float) out.size(3) / in.size(3)});
        return g.node(
                "Resize",
                new String[] {x, "", g.constant("resize_scales", scales)},
                "mode",
                bilinear ? "linear" : "nearest",
                "coordinate_transformation_mode",
                bilinear ? (align ? "align_corners" : "pytorch_half_pixel") : "asymmetric",
                "nearest_mode",
                "floor");
    }

    /**
     * Multi-head scaled dot-product attention on (B*T, E) rows:
     * softmax(Q K^T / sqrt(hd) + mask [+ causal]) V per head, heads joined back to (B*Tq, E).
     */
    static String attention(ExportTracer tr, String[] in, List<Tensor> inputs, Map<String, Object> at) {
        ExportGraph g = tr.graph;
        boolean packed = (boolean) at.get("packed");
        int b = (int) at.get("batch");
        int heads = (int) at.get("heads");
        Tensor first = inputs.get(0);
        int e = packed ? first.size(1) / 3 : first.size(1);
        int tq = first.size(0) / b;
        int tk = packed ? tq : inputs.get(1).size(0) / b;
        int hd = e / heads;
        DType dt = first.dtype();
        String q;
        String k;
        String v;
        if (packed) {
            String[] qkv = g.nodeWithOutputs("Split", new String[] {in[0], g.int64s(e, e, e)}, 3, "axis", 1);
            q = qkv[0];
            k = qkv[1];
            v = qkv[2];
        } else {
            q = in[0];
            k = in[1];
            v = in[2];
        }
        // (B*T, E) -> (B, heads, T, hd); keys as (B, heads, hd, Tk)
        q = g.node(
                "Transpose",
                new String[] {g.node("Reshape", new String[] {q, g.int64s(-1, tq, heads, hd)})},
                "perm",
                new int[] {0, 2, 1, 3});
        k = g.node(
                "Transpose",
                new String[] {g.node("Reshape", new String[] {k, g.int64s(-1, tk, heads, hd)})},
                "perm",
                new int[] {0, 2, 3, 1});
        v = g.node(
                "Transpose",
                new String[] {g.node("Reshape", new String[] {v, g.int64s(-1, tk, heads, hd)})},
                "perm",
                new int[] {0, 2, 1, 3});
        String scores =
                g.node("Mul", new String[] {g.node("MatMul", new String[] {q, k}), g.scalar(1 / Math.sqrt(hd), dt)});
        Tensor mask = (Tensor) at.get("mask");
        if (mask != null) { // additive (1 or B, Tq, Tk) -> (1 or B, 1, Tq, Tk)
            String m = g.node("Unsqueeze", new String[] {tr.valueOf(mask), g.int64s(1)});
            if (mask.dtype() != dt) {
                m = g.node(
                        "Cast", new String[] {m}, "to", dt == DType.FLOAT64 ? OnnxTensors.DOUBLE : OnnxTensors.FLOAT);
            }
            scores = g.node("Add", new String[] {scores, m});
        }
        if ((boolean) at.get("causal")) { // key j hidden from query i when j > i
            float[] hidden = new float[tq * tk];
            for (int i = 0; i < tq; i++) {
                for (int j = i + 1; j < tk; j++) {
                    hidden[i * tk + j] = Float.NEGATIVE_INFINITY;
                }
            }
            Tensor causal = Torch.tensor(hidden).reshape(tq, tk).to(dt);
            scores = g.node("Add", new String[] {scores, g.constant("causal_mask", causal)});
        }
        String probs = g.node("Softmax", new String[] {scores}, "axis", -1);
        String context = g.node("MatMul", new String[] {probs, v}); // (B, heads, Tq, hd)
        String joined = g.node("Transpose", new String[] {context}, "perm", new int[] {0, 2, 1, 3});
        return g.node("Reshape", new String[] {joined, g.int64s(-1, e)});
    }
}
