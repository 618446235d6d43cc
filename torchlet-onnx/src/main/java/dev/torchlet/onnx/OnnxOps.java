package dev.torchlet.onnx;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import dev.torchlet.ops.ConvOptions;
import dev.torchlet.ops.Convolution;
import dev.torchlet.ops.Pooling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ONNX operators Torchlet runs, each as Torchlet tensor ops (so gradients flow through an imported graph).
 * Semantics follow the operator documentation of the ONNX specification (github.com/onnx/onnx, Operators.md),
 * including the attribute forms of older opsets where noted. Optional inputs that a node leaves out are null.
 */
final class OnnxOps {
    private OnnxOps() {}

    /** One operator: inputs (null for omitted optional ones) -> outputs. */
    @FunctionalInterface
    interface Op {
        Tensor[] apply(OnnxNode node, Tensor[] in, boolean training);
    }

    /** Operator name -> implementation, sorted (for listings). */
    static final Map<String, Op> OPS = new TreeMap<>();

    private static void unary(String name, java.util.function.UnaryOperator<Tensor> f) {
        OPS.put(name, (n, in, t) -> new Tensor[] {f.apply(in[0])});
    }

    static {
        unary("Identity", x -> x);
        unary("Relu", F::relu);
        unary("Sigmoid", F::sigmoid);
        unary("Tanh", F::tanh);
        unary("Neg", Tensor::neg);
        unary("Exp", Tensor::exp);
        unary("Sqrt", Tensor::sqrt);
        unary("Erf", Tensor::erf);
        OPS.put("ReduceMean", (n, in, t) -> new Tensor[] {reduce(n, in, true)});
        OPS.put("ReduceSum", (n, in, t) -> new Tensor[] {reduce(n, in, false)});
        OPS.put("ReduceMax", (n, in, t) -> new Tensor[] {reduceExtreme(n, in, true)});
        OPS.put("ReduceMin", (n, in, t) -> new Tensor[] {reduceExtreme(n, in, false)});
        unary("Abs", Tensor::abs);
        unary("Log", Tensor::log);
        unary("Sin", Tensor::sin);
        unary("Cos", Tensor::cos);
        unary("Reciprocal", x -> x.pow(-1f));
        unary("Softsign", x -> x.div(x.abs().add(1f)));
        unary("Not", x -> x.eq(0f));
        OPS.put("HardSigmoid", (n, in, t) -> new Tensor[] {
            in[0].mul(n.f("alpha", 0.2f)).add(n.f("beta", 0.5f)).clamp(0f, 1f)
        });
        unary("HardSwish", F::hardswish); // x * max(0, min(1, x / 6 + 1 / 2)), as PyTorch's hardswish
        OPS.put("Elu", (n, in, t) -> new Tensor[] {F.elu(in[0], n.f("alpha", 1f))});
        OPS.put("Selu", (n, in, t) -> {
            float alpha = n.f("alpha", 1.67326319217681884765625f);
            float gamma = n.f("gamma", 1.05070102214813232421875f);
            return new Tensor[] {F.elu(in[0], alpha).mul(gamma)};
        });
        unary("Softplus", x -> F.softplus(x, 1f, 20f));
        OPS.put("PRelu", (n, in, t) -> new Tensor[] {
            in[0].clamp(0f, Float.POSITIVE_INFINITY).add(in[1].mul(in[0].clamp(Float.NEGATIVE_INFINITY, 0f)))
        });
        OPS.put("LogSoftmax", (n, in, t) -> new Tensor[] {logSoftmax(n, in[0])});
        OPS.put("GlobalMaxPool", (n, in, t) -> {
            Tensor x = in[0];
            Tensor flat = x.reshape(x.size(0), x.size(1), -1);
            int[] shape = x.shape().clone();
            for (int d = 2; d < shape.length; d++) {
                shape[d] = 1;
            }
            return new Tensor[] {flat.max(2, false).values().reshape(shape)};
        });
        OPS.put("LayerNormalization", OnnxOps::layerNorm);
        OPS.put("InstanceNormalization", (n, in, t) ->
                new Tensor[] {F.instanceNorm(in[0], null, null, in[1], in[2], true, 0.1, n.f("epsilon", 1e-5f))});
        OPS.put("ConvTranspose", OnnxOps::convTranspose);
        OPS.put("Equal", (n, in, t) -> new Tensor[] {in[0].eq(in[1])});
        OPS.put("Less", (n, in, t) -> new Tensor[] {in[0].lt(in[1])});
        OPS.put("LessOrEqual", (n, in, t) -> new Tensor[] {in[0].le(in[1])});
        OPS.put("Greater", (n, in, t) -> new Tensor[] {in[0].gt(in[1])});
        OPS.put("GreaterOrEqual", (n, in, t) -> new Tensor[] {in[0].ge(in[1])});
        OPS.put("Where", (n, in, t) -> new Tensor[] {Torch.where(in[0], in[1], in[2])});
        OPS.put("Max", (n, in, t) -> new Tensor[] {fold(in, Tensor::maximum)});
        OPS.put("Min", (n, in, t) -> new Tensor[] {fold(in, Tensor::minimum)});
        OPS.put("Sum", (n, in, t) -> new Tensor[] {fold(in, Tensor::add)});
        OPS.put("Mean", (n, in, t) -> new Tensor[] {fold(in, Tensor::add).div((float) in.length)});
        OPS.put("Expand", OnnxOps::expand);
        OPS.put("ConstantOfShape", (n, in, t) -> {
            Tensor value = n.tensor("value");
            int[] shape = Arrays.stream(longs(in[0])).mapToInt(Math::toIntExact).toArray();
            if (value == null) {
                return new Tensor[] {Torch.zeros(shape)};
            }
            return new Tensor[] {
                Torch.full(value.dtype(), value.reshape(-1).to(DType.FLOAT64).itemDouble(), shape)
            };
        });
        OPS.put("Range", (n, in, t) -> {
            if (in[0].dtype() == DType.INT64) {
                return new Tensor[] {Torch.arange(longs(in[0])[0], longs(in[1])[0], longs(in[2])[0])};
            }
            double start = in[0].to(DType.FLOAT64).itemDouble();
            double limit = in[1].to(DType.FLOAT64).itemDouble();
            double delta = in[2].to(DType.FLOAT64).itemDouble();
            return new Tensor[] {Torch.arange(start, limit, delta).to(in[0].dtype())};
        });
        OPS.put("ArgMax", (n, in, t) -> new Tensor[] {argExtreme(n, in[0], true)});
        OPS.put("ArgMin", (n, in, t) -> new Tensor[] {argExtreme(n, in[0], false)});
        OPS.put("Split", OnnxOps::split);
        OPS.put("Tile", (n, in, t) -> {
            long[] repeats = longs(in[1]);
            Tensor out = in[0];
            for (int d = 0; d < repeats.length; d++) {
                if (repeats[d] != 1) {
                    out = Torch.cat(java.util.Collections.nCopies((int) repeats[d], out), d);
                }
            }
            return new Tensor[] {out};
        });
        OPS.put("Trilu", OnnxOps::trilu);
        OPS.put("Resize", OnnxOps::resize);
        OPS.put("Upsample", OnnxOps::resize);
        OPS.put("DynamicQuantizeLinear", OnnxQuantization::dynamicQuantizeLinear);
        OPS.put("MatMulInteger", OnnxQuantization::matMulInteger);
        OPS.put("DequantizeLinear", OnnxQuantization::dequantizeLinear);
        OnnxQuantization.register(OPS);
        OnnxEinsum.register(OPS);
        OnnxControlFlow.register(OPS);
        OPS.put("LSTM", OnnxRecurrent.op(OnnxRecurrent.Kind.LSTM));
        OPS.put("GRU", OnnxRecurrent.op(OnnxRecurrent.Kind.GRU));
        OPS.put("RNN", OnnxRecurrent.op(OnnxRecurrent.Kind.RNN));
        OPS.put("LeakyRelu", (n, in, t) -> new Tensor[] {F.leakyRelu(in[0], n.f("alpha", 0.01f))});
        OPS.put("Add", (n, in, t) -> new Tensor[] {in[0].add(in[1])});
        OPS.put("Sub", (n, in, t) -> new Tensor[] {in[0].sub(in[1])});
        OPS.put("Mul", (n, in, t) -> new Tensor[] {in[0].mul(in[1])});
        OPS.put("Div", (n, in, t) -> new Tensor[] {in[0].div(in[1])});
        OPS.put("Pow", (n, in, t) -> new Tensor[] {in[0].pow(in[1])});
        OPS.put("MatMul", (n, in, t) -> new Tensor[] {matmul(in[0], in[1])});
        OPS.put("Gemm", OnnxOps::gemm);
        OPS.put("Conv", OnnxOps::conv);
        OPS.put("MaxPool", OnnxOps::maxPool);
        OPS.put("AveragePool", OnnxOps::avgPool);
        OPS.put(
                "GlobalAveragePool", (n, in, t) -> new Tensor[] {
                    in[0].dim() == 4 ? F.adaptiveAvgPool2d(in[0], 1, 1) : in[0].mean(spatialDims(in[0]), true)
                }); // 4-D: the pooling kernel reads a channels-last image in place
        OPS.put("BatchNormalization", OnnxOps::batchNorm);
        OPS.put("Clip", OnnxOps::clip);
        OPS.put("Softmax", (n, in, t) -> new Tensor[] {softmax(n, in[0])});
        OPS.put("Flatten", OnnxOps::flatten);
        OPS.put("Reshape", OnnxOps::reshape);
        OPS.put("Transpose", OnnxOps::transpose);
        OPS.put("Concat", (n, in, t) -> new Tensor[] {Torch.cat(Arrays.asList(in), axis(n.i("axis", 0), in[0].dim()))});
        OPS.put("Slice", OnnxOps::slice);
        OPS.put("Pad", OnnxOps::pad);
        OPS.put("Cast", (n, in, t) -> new Tensor[] {in[0].to(dtype(n, (int) n.i("to", OnnxTensors.FLOAT)))});
        OPS.put("Constant", OnnxOps::constant);
        OPS.put("Shape", (n, in, t) -> {
            long[] dims = Arrays.stream(in[0].shape()).asLongStream().toArray();
            return new Tensor[] {Torch.tensor(dims, dims.length)};
        });
        OPS.put("Gather", OnnxOps::gather);
        OPS.put("Unsqueeze", OnnxOps::unsqueeze);
        OPS.put("Squeeze", OnnxOps::squeeze);
        OPS.put("Dropout", (n, in, t) -> new Tensor[] {in[0]}); // inference: the identity (mask not produced)
    }

    // ---------------------------------------------------------------- helpers

    static int axis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    private static int[] spatialDims(Tensor x) {
        int[] dims = new int[x.dim() - 2];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = i + 2;
        }
        return dims;
    }

    static long[] longs(Tensor t) {
        return t.toLongArray();
    }

    private static DType dtype(OnnxNode n, int onnxType) {
        return switch (onnxType) {
            case OnnxTensors.FLOAT -> DType.FLOAT32;
            case OnnxTensors.DOUBLE -> DType.FLOAT64;
            case OnnxTensors.BOOL -> DType.BOOL;
            case OnnxTensors.INT64, OnnxTensors.INT32, OnnxTensors.INT16, OnnxTensors.INT8, OnnxTensors.UINT8 ->
                DType.INT64;
            default ->
                throw new IllegalArgumentException(n.describe() + ": cannot cast to " + OnnxTensors.typeName(onnxType));
        };
    }

    /** 2-D only for now: (N, C, H, W). */
    private static void require4d(OnnxNode n, Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(n.describe() + ": input of shape " + Arrays.toString(x.shape())
                    + "; Torchlet runs its 2-D form, (N, C, H, W)");
        }
    }

    /** ONNX pads [h_begin, w_begin, h_end, w_end] -> symmetric (pH, pW), or null when asymmetric. */
    private static int[] symmetric(int[] pads) {
        return pads[0] == pads[2] && pads[1] == pads[3] ? new int[] {pads[0], pads[1]} : null;
    }

    /** Pads computed for auto_pad SAME_UPPER / SAME_LOWER (output = ceil(input / stride)), NOTSET, VALID. */
    private static int[] pads(OnnxNode n, Tensor x, int[] kernel, int[] strides, int[] dilations) {
        String auto = n.s("auto_pad", "NOTSET");
        int[] pads = n.ints("pads", new int[4]);
        switch (auto) {
            case "NOTSET" -> {
                return pads;
            }
            case "VALID" -> {
                return new int[4];
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] out = new int[4];
                for (int d = 0; d < 2; d++) {
                    int in = x.size(2 + d);
                    int outSize = (in + strides[d] - 1) / strides[d];
                    int total = Math.max(0, (outSize - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - in);
                    int small = total / 2;
                    int big = total - small;
                    out[d] = auto.equals("SAME_UPPER") ? small : big;
                    out[d + 2] = auto.equals("SAME_UPPER") ? big : small;
                }
                return out;
            }
            default -> throw new IllegalArgumentException(n.describe() + ": unknown auto_pad '" + auto + "'");
        }
    }

    /** Constant padding of the last two dims: [h_begin, w_begin, h_end, w_end] with value. */
    private static Tensor padHw(Tensor x, int[] pads, float value) {
        int[] full = new int[2 * x.dim()];
        full[x.dim() - 2] = pads[0];
        full[x.dim() - 1] = pads[1];
        full[2 * x.dim() - 2] = pads[2];
        full[2 * x.dim() - 1] = pads[3];
        return constantPad(x, full, value);
    }

    /** ONNX pads layout: [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; negative values crop. */
    static Tensor constantPad(Tensor x, int[] pads, float value) {
        int rank = x.dim();
        Tensor out = x;
        for (int d = 0; d < rank; d++) {
            int begin = pads[d];
            int end = pads[d + rank];
            if (begin < 0 || end < 0) {
                int from = Math.max(0, -begin);
                int to = out.size(d) - Math.max(0, -end);
                out = out.slice(d, from, to);
                begin = Math.max(0, begin);
                end = Math.max(0, end);
            }
            if (begin == 0 && end == 0) {
                continue;
            }
            List<Tensor> parts = new ArrayList<>();
            if (begin > 0) {
                int[] shape = out.shape().clone();
                shape[d] = begin;
                parts.add(Torch.full(out.dtype(), value, shape));
            }
            parts.add(out);
            if (end > 0) {
                int[] shape = out.shape().clone();
                shape[d] = end;
                parts.add(Torch.full(out.dtype(), value, shape));
            }
            out = Torch.cat(parts, d);
        }
        return out;
    }

    // ---------------------------------------------------------------- operators

    /**
     * (..., N, K) @ (K, M): the rows of a contiguous a flattened into one (rows, K) @ (K, M) GEMM (a view, no copy;
     * matmul would run one GEMM per leading index and pack b each time). Other shapes: matmul's broadcasting.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() > 2 && b.dim() == 2 && a.isContiguous() && a.size(-1) == b.size(0) && a.numel() > 0) {
            int[] shape = a.shape();
            shape[shape.length - 1] = b.size(1);
            return a.reshape(-1, a.size(-1)).matmul(b).reshape(shape);
        }
        return a.matmul(b);
    }

    /** Y = alpha * A' B' + beta * C, A' = transA ? A^T : A, B' likewise. */
    private static Tensor[] gemm(OnnxNode n, Tensor[] in, boolean training) {
        Tensor a = n.i("transA", 0) != 0 ? in[0].t() : in[0];
        Tensor b = n.i("transB", 0) != 0 ? in[1].t() : in[1];
        float alpha = n.f("alpha", 1f);
        float beta = n.f("beta", 1f);
        Tensor y;
        if (n.i("transB", 0) != 0 && n.i("transA", 0) == 0 && alpha == 1f && beta == 1f) {
            y = F.linear(in[0], in[1], in.length > 2 ? in[2] : null); // the fused Linear kernel
        } else {
            y = a.matmul(b);
            if (alpha != 1f) {
                y = y.mul(alpha);
            }
            if (in.length > 2 && in[2] != null) {
                y = y.add(beta == 1f ? in[2] : in[2].mul(beta));
            }
        }
        return new Tensor[] {y};
    }

    static Tensor[] conv(OnnxNode n, Tensor[] in, boolean training) {
        return new Tensor[] {conv(n, in, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY)};
    }

    /**
     * Conv (auto_pad, asymmetric pads, groups, dilations) then clamp(lo, hi): inside the convolution kernels when
     * nothing needs a gradient ({@link Convolution#conv2dClamped}), else conv2d then relu/clamp.
     */
    static Tensor conv(OnnxNode n, Tensor[] in, float lo, float hi) {
        return conv(n, in, null, lo, hi);
    }

    /**
     * Conv then, with an addend (null for none), Add and clamp(lo, hi): inside the convolution kernels when nothing
     * needs a gradient and the addend has the output's shape ({@link Convolution#conv2dAddClamped}).
     */
    static Tensor conv(OnnxNode n, Tensor[] in, Tensor addend, float lo, float hi) {
        Tensor x = in[0];
        Tensor w = in[1];
        require4d(n, x);
        int[] kernel = n.ints("kernel_shape", new int[] {w.size(2), w.size(3)});
        int[] strides = n.ints("strides", new int[] {1, 1});
        int[] dilations = n.ints("dilations", new int[] {1, 1});
        int[] pads = pads(n, x, kernel, strides, dilations);
        int[] sym = symmetric(pads);
        if (sym == null) {
            x = padHw(x, pads, 0f);
            sym = new int[] {0, 0};
        }
        Tensor bias = in.length > 2 ? in[2] : null;
        ConvOptions options = ConvOptions.of(strides, sym, dilations, (int) n.i("group", 1));
        if (addend != null) {
            return Convolution.conv2dAddClamped(x, w, bias, options, addend, lo, hi);
        }
        if (lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY) {
            return F.conv2d(x, w, bias, strides, sym, dilations, (int) n.i("group", 1));
        }
        return Convolution.conv2dClamped(x, w, bias, options, lo, hi);
    }

    private static Tensor[] maxPool(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        require4d(n, x);
        int[] kernel = n.ints("kernel_shape", null);
        int[] strides = n.ints("strides", new int[] {1, 1});
        int[] dilations = n.ints("dilations", new int[] {1, 1});
        int[] pads = pads(n, x, kernel, strides, dilations);
        int[] sym = pooledSymmetric(pads, kernel);
        if (sym == null) {
            x = padHw(x, pads, Float.NEGATIVE_INFINITY);
            sym = new int[] {0, 0};
        }
        boolean ceil = n.i("ceil_mode", 0) != 0;
        return new Tensor[] {Pooling.maxPool2d(x, kernel, strides, sym, dilations, ceil)};
    }

    private static Tensor[] avgPool(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        require4d(n, x);
        int[] kernel = n.ints("kernel_shape", null);
        int[] strides = n.ints("strides", new int[] {1, 1});
        int[] pads = pads(n, x, kernel, strides, new int[] {1, 1});
        boolean countPad = n.i("count_include_pad", 0) != 0;
        boolean ceil = n.i("ceil_mode", 0) != 0;
        int[] sym = pooledSymmetric(pads, kernel);
        if (sym != null) {
            return new Tensor[] {Pooling.avgPool2d(x, kernel, strides, sym, ceil, countPad)};
        }
        // Pads PyTorch's pooling does not take (asymmetric, or over half the kernel): pad explicitly, then
        // mean = window sum / cells counted (every cell with count_include_pad, else the real ones).
        Tensor padded = padHw(x, pads, 0f);
        Tensor sums = Pooling.avgPool2d(padded, kernel, strides, new int[] {0, 0}, ceil, true);
        if (countPad) {
            return new Tensor[] {sums};
        }
        Tensor ones = padHw(Torch.full(x.dtype(), 1.0, 1, 1, x.size(2), x.size(3)), pads, 0f);
        Tensor share = Pooling.avgPool2d(ones, kernel, strides, new int[] {0, 0}, ceil, true);
        return new Tensor[] {sums.div(share)};
    }

    /** Symmetric pads of at most half the kernel (what Torchlet's pooling takes) as (pH, pW), else null. */
    private static int[] pooledSymmetric(int[] pads, int[] kernel) {
        int[] sym = symmetric(pads);
        return sym != null && sym[0] <= kernel[0] / 2 && sym[1] <= kernel[1] / 2 ? sym : null;
    }

    /** Inference uses the running statistics; in training mode (opset >= 14 style) they are updated. */
    private static Tensor[] batchNorm(OnnxNode n, Tensor[] in, boolean training) {
        double eps = n.f("epsilon", 1e-5f);
        double momentum = 1.0 - n.f("momentum", 0.9f); // ONNX: running = running * momentum + batch * (1 - momentum)
        return new Tensor[] {F.batchNorm(in[0], in[3], in[4], in[1], in[2], training, momentum, eps)};
    }

    private static Tensor[] clip(OnnxNode n, Tensor[] in, boolean training) {
        float min;
        float max;
        if (n.opset < 11) {
            min = n.f("min", Float.NEGATIVE_INFINITY);
            max = n.f("max", Float.POSITIVE_INFINITY);
        } else {
            min = in.length > 1 && in[1] != null ? in[1].to(DType.FLOAT32).item() : Float.NEGATIVE_INFINITY;
            max = in.length > 2 && in[2] != null ? in[2].to(DType.FLOAT32).item() : Float.POSITIVE_INFINITY;
        }
        return new Tensor[] {in[0].clamp(min, max)};
    }

    /** Opset 13+: softmax along axis (default -1). Before: over the flattened dims from axis on (default 1). */
    private static Tensor softmax(OnnxNode n, Tensor x) {
        return alongAxis(n, x, F::softmax);
    }

    /** Log-softmax, with Softmax's axis rules. */
    private static Tensor logSoftmax(OnnxNode n, Tensor x) {
        return alongAxis(n, x, F::logSoftmax);
    }

    /** f(x, dim) along ONNX's softmax axis: the axis itself from opset 13, the flattened axis.. before. */
    private static Tensor alongAxis(OnnxNode n, Tensor x, java.util.function.BiFunction<Tensor, Integer, Tensor> f) {
        if (n.opset >= 13) {
            return f.apply(x, axis(n.i("axis", -1), x.dim()));
        }
        int outer = leadingSize(x, axis(n.i("axis", 1), x.dim()));
        return f.apply(x.reshape(outer, -1), 1).reshape(x.shape());
    }

    /** The product of x's sizes before axis (1 for axis 0). */
    private static int leadingSize(Tensor x, int axis) {
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= x.size(d);
        }
        return outer;
    }

    private static Tensor[] flatten(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        int outer = leadingSize(x, axis(n.i("axis", 1), x.dim()));
        return new Tensor[] {x.reshape(outer, x.numel() / Math.max(outer, 1))};
    }

    private static Tensor[] reshape(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        long[] spec = n.opset < 5
                ? Arrays.stream(n.ints("shape", new int[0])).asLongStream().toArray()
                : longs(in[1]);
        boolean allowZero = n.i("allowzero", 0) != 0;
        int[] shape = new int[spec.length];
        for (int d = 0; d < spec.length; d++) {
            shape[d] = spec[d] == 0 && !allowZero ? x.size(d) : Math.toIntExact(spec[d]);
        }
        return new Tensor[] {x.reshape(shape)};
    }

    private static Tensor[] transpose(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        int[] perm = n.ints("perm", null);
        if (perm == null) {
            perm = new int[x.dim()];
            for (int d = 0; d < perm.length; d++) {
                perm[d] = x.dim() - 1 - d;
            }
        }
        return new Tensor[] {x.permute(perm)};
    }

    /** Opset 10+: starts, ends, axes, steps as inputs; before: attributes. Positive steps only. */
    private static Tensor[] slice(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps;
        if (n.opset < 10) {
            starts = Arrays.stream(n.ints("starts", new int[0])).asLongStream().toArray();
            ends = Arrays.stream(n.ints("ends", new int[0])).asLongStream().toArray();
            int[] a = n.ints("axes", null);
            axes = a == null ? null : Arrays.stream(a).asLongStream().toArray();
            steps = null;
        } else {
            starts = longs(in[1]);
            ends = longs(in[2]);
            axes = in.length > 3 && in[3] != null ? longs(in[3]) : null;
            steps = in.length > 4 && in[4] != null ? longs(in[4]) : null;
        }
        Tensor out = x;
        for (int k = 0; k < starts.length; k++) {
            int axis = axes == null ? k : axis(axes[k], x.dim());
            long step = steps == null ? 1 : steps[k];
            if (step <= 0) {
                throw new IllegalArgumentException(
                        n.describe() + ": step " + step + " is not supported (positive " + "steps only)");
            }
            long size = x.size(axis);
            long start = clampIndex(starts[k], size);
            long end = clampIndex(ends[k], size);
            out = out.slice(axis, (int) start, (int) Math.max(start, end), (int) step);
        }
        return new Tensor[] {out};
    }

    private static long clampIndex(long i, long size) {
        long v = i < 0 ? i + size : i;
        return Math.max(0, Math.min(size, v));
    }

    /** Constant mode only; opset 11+: pads (and constant_value) as inputs, before: attributes. */
    private static Tensor[] pad(OnnxNode n, Tensor[] in, boolean training) {
        String mode = n.s("mode", "constant");
        if (!mode.equals("constant")) {
            throw new IllegalArgumentException(n.describe() + ": mode '" + mode + "' is not supported (constant only)");
        }
        int[] pads;
        float value;
        if (n.opset < 11) {
            pads = n.ints(n.opset < 2 ? "paddings" : "pads", null);
            value = n.f("value", 0f);
        } else {
            pads = Arrays.stream(longs(in[1])).mapToInt(Math::toIntExact).toArray();
            value = in.length > 2 && in[2] != null && in[2].numel() > 0
                    ? in[2].to(DType.FLOAT32).item()
                    : 0f;
            if (in.length > 3 && in[3] != null) {
                throw new IllegalArgumentException(n.describe() + ": the axes input is not supported");
            }
        }
        return new Tensor[] {constantPad(in[0], pads, value)};
    }

    private static Tensor[] constant(OnnxNode n, Tensor[] in, boolean training) {
        Tensor value = n.tensor("value");
        if (value != null) {
            return new Tensor[] {value};
        }
        if (n.has("value_float")) {
            return new Tensor[] {Torch.tensor(new float[] {n.f("value_float", 0f)})};
        }
        if (n.has("value_int")) {
            return new Tensor[] {Torch.tensor(new long[] {n.i("value_int", 0)})};
        }
        if (n.has("value_floats")) {
            float[] f = n.floats("value_floats", new float[0]);
            return new Tensor[] {Torch.tensor(f, f.length)};
        }
        if (n.has("value_ints")) {
            long[] l = Arrays.stream(n.ints("value_ints", new int[0]))
                    .asLongStream()
                    .toArray();
            return new Tensor[] {Torch.tensor(l, l.length)};
        }
        throw new IllegalArgumentException(
                n.describe() + ": no supported value attribute (value, value_float(s), " + "value_int(s))");
    }

    /** Index along axis; a scalar index drops the axis. */
    private static Tensor[] gather(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        Tensor idx = in[1];
        int axis = axis(n.i("axis", 0), x.dim());
        long[] raw = longs(idx);
        long[] fixed = new long[raw.length];
        for (int k = 0; k < raw.length; k++) {
            fixed[k] = raw[k] < 0 ? raw[k] + x.size(axis) : raw[k];
        }
        if (idx.dim() == 0) {
            return new Tensor[] {x.select(axis, (int) fixed[0])};
        }
        Tensor picked = x.indexSelect(axis, Torch.tensor(fixed, fixed.length));
        int[] shape = new int[x.dim() - 1 + idx.dim()];
        int k = 0;
        for (int d = 0; d < axis; d++) {
            shape[k++] = x.size(d);
        }
        for (int d = 0; d < idx.dim(); d++) {
            shape[k++] = idx.size(d);
        }
        for (int d = axis + 1; d < x.dim(); d++) {
            shape[k++] = x.size(d);
        }
        return new Tensor[] {picked.reshape(shape)};
    }

    /**
     * ReduceMean / ReduceSum: axes as an attribute (ReduceMean before opset 18, ReduceSum before 13) or an input;
     * none means all axes (unless noop_with_empty_axes); keepdims defaults to 1.
     */
    private static Tensor reduce(OnnxNode n, Tensor[] in, boolean mean) {
        Tensor x = in[0];
        boolean axesAsInput = !mean && n.opset >= 13;
        long[] axes = axesAsInput
                ? (in.length > 1 && in[1] != null ? longs(in[1]) : null)
                : (n.has("axes")
                        ? Arrays.stream(n.ints("axes", null)).asLongStream().toArray()
                        : null);
        boolean keep = n.i("keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (n.i("noop_with_empty_axes", 0) != 0) {
                return x;
            }
            axes = new long[x.dim()];
            for (int d = 0; d < axes.length; d++) {
                axes[d] = d;
            }
        }
        int[] dims =
                Arrays.stream(axes).mapToInt(a -> axis(a, x.dim())).sorted().toArray();
        return mean ? x.mean(dims, keep) : x.sum(dims, keep);
    }

    private static Tensor reduceExtreme(OnnxNode n, Tensor[] in, boolean max) {
        Tensor x = in[0];
        boolean keep = n.i("keepdims", 1) != 0;
        int[] axes = n.ints("axes", null);
        if (axes == null) {
            Tensor all = max ? x.max() : x.min();
            if (!keep) {
                return all;
            }
            int[] ones = new int[x.dim()];
            Arrays.fill(ones, 1);
            return all.reshape(ones);
        }
        int[] dims = Arrays.stream(axes).map(a -> axis(a, x.dim())).sorted().toArray();
        Tensor out = x;
        for (int k = dims.length - 1; k >= 0; k--) {
            out = (max ? out.max(dims[k], keep) : out.min(dims[k], keep)).values();
        }
        return out;
    }

    private static Tensor argExtreme(OnnxNode n, Tensor x, boolean max) {
        if (n.i("select_last_index", 0) != 0) {
            throw new IllegalArgumentException(n.describe() + ": select_last_index=1 is not supported");
        }
        int axis = axis(n.i("axis", 0), x.dim());
        boolean keep = n.i("keepdims", 1) != 0;
        return max ? x.argmax(axis, keep) : x.argmin(axis, keep);
    }

    private static Tensor fold(Tensor[] in, java.util.function.BinaryOperator<Tensor> op) {
        Tensor out = in[0];
        for (int k = 1; k < in.length; k++) {
            out = op.apply(out, in[k]);
        }
        return out;
    }

    /** Opset 17: normalize over dims axis.. (default -1) with scale and optional bias. */
    private static Tensor[] layerNorm(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        int axis = axis(n.i("axis", -1), x.dim());
        int[] normalized = Arrays.copyOfRange(x.shape(), axis, x.dim());
        Tensor bias = in.length > 2 ? in[2] : null;
        return new Tensor[] {F.layerNorm(x, normalized, in[1], bias, n.f("epsilon", 1e-5f))};
    }

    /** Bidirectional broadcast of x to shape. */
    private static Tensor[] expand(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        long[] shape = longs(in[1]);
        int rank = Math.max(x.dim(), shape.length);
        int[] target = new int[rank];
        int[] xs = new int[rank];
        for (int d = 0; d < rank; d++) {
            int xi = d - (rank - x.dim());
            int si = d - (rank - shape.length);
            xs[d] = xi >= 0 ? x.size(xi) : 1;
            int want = si >= 0 ? (int) shape[si] : 1;
            target[d] = xs[d] == 1 ? want : xs[d];
            if (want != 1 && want != xs[d] && xs[d] != 1) {
                throw new IllegalArgumentException(n.describe() + ": cannot broadcast " + Arrays.toString(x.shape())
                        + " to " + Arrays.toString(shape));
            }
        }
        return new Tensor[] {x.reshape(xs).expand(target)};
    }

    /** Opset 13+: split sizes as an input; before: the attribute; neither: equal parts over the outputs. */
    private static Tensor[] split(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        int axis = axis(n.i("axis", 0), x.dim());
        long[] sizes = n.opset >= 13
                ? (in.length > 1 && in[1] != null ? longs(in[1]) : null)
                : (n.has("split")
                        ? Arrays.stream(n.ints("split", null)).asLongStream().toArray()
                        : null);
        int parts = n.proto.getOutputCount();
        if (sizes == null) {
            int size = x.size(axis);
            int chunk = (size + parts - 1) / parts;
            sizes = new long[parts];
            for (int k = 0; k < parts; k++) {
                sizes[k] = Math.max(0, Math.min(chunk, size - (long) k * chunk));
            }
        }
        Tensor[] out = new Tensor[sizes.length];
        int start = 0;
        for (int k = 0; k < sizes.length; k++) {
            out[k] = x.narrow(axis, start, (int) sizes[k]);
            start += (int) sizes[k];
        }
        return out;
    }

    /** Upper (default) or lower triangle of the last two dims, shifted by k (input, default 0). */
    private static Tensor[] trilu(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        long k = in.length > 1 && in[1] != null ? longs(in[1])[0] : 0;
        boolean upper = n.i("upper", 1) != 0;
        int rows = x.size(x.dim() - 2);
        int cols = x.size(x.dim() - 1);
        boolean[] keep = new boolean[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                keep[i * cols + j] = upper ? j - i >= k : j - i <= k;
            }
        }
        Tensor mask = Torch.tensor(keep, rows, cols);
        return new Tensor[] {Torch.where(mask, x, Torch.zeros(x.dtype(), 1))};
    }

    private static Tensor[] convTranspose(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        Tensor w = in[1];
        require4d(n, x);
        int[] strides = n.ints("strides", new int[] {1, 1});
        int[] dilations = n.ints("dilations", new int[] {1, 1});
        int[] pads = n.ints("pads", new int[4]);
        int[] sym = symmetric(pads);
        if (sym == null || n.has("output_shape") || !n.s("auto_pad", "NOTSET").equals("NOTSET")) {
            throw new IllegalArgumentException(n.describe() + ": only symmetric pads without output_shape or "
                    + "auto_pad are supported, got pads " + Arrays.toString(pads));
        }
        int[] outputPadding = n.ints("output_padding", new int[] {0, 0});
        Tensor bias = in.length > 2 ? in[2] : null;
        return new Tensor[] {
            F.convTranspose2d(x, w, bias, strides, sym, outputPadding, (int) n.i("group", 1), dilations)
        };
    }

    /**
     * Resize (and opset 7-9 Upsample) of (N, C, H, W) on the combinations PyTorch's interpolate computes: nearest
     * with asymmetric coordinates and floor rounding (torch's "nearest" export, and opset 10's only form), linear
     * with half_pixel / pytorch_half_pixel (bilinear, align_corners=False) or align_corners. Scales or sizes give
     * the output; N and C must keep their size. Cubic mode: {@link OnnxResizeCubic}.
     */
    private static Tensor[] resize(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        require4d(n, x);
        boolean old = n.op().equals("Upsample") || n.opset < 11; // (X, scales) and asymmetric/floor semantics
        String mode = n.s("mode", "nearest");
        String coordinates = old ? "asymmetric" : n.s("coordinate_transformation_mode", "half_pixel");
        String nearest = old ? "floor" : n.s("nearest_mode", "round_prefer_floor");
        Tensor scalesIn = old ? (in.length > 1 ? in[1] : null) : (in.length > 2 ? in[2] : null);
        Tensor sizesIn = old ? null : (in.length > 3 ? in[3] : null);
        if (old && n.op().equals("Upsample") && n.opset < 9) {
            float[] attr = n.floats("scales", null);
            scalesIn = attr == null ? null : Torch.tensor(attr, attr.length);
        }
        if (mode.equals("cubic")) {
            return new Tensor[] {OnnxResizeCubic.resize(n, x, scalesIn, sizesIn, coordinates)};
        }
        boolean linear = mode.equals("linear") || mode.equals("bilinear");
        boolean alignCorners = coordinates.equals("align_corners");
        boolean supported = linear
                ? alignCorners || coordinates.equals("half_pixel") || coordinates.equals("pytorch_half_pixel")
                : mode.equals("nearest") && coordinates.equals("asymmetric") && nearest.equals("floor");
        if (!supported) {
            throw new IllegalArgumentException(n.describe() + ": mode '" + mode
                    + "' with coordinate_transformation_mode"
                    + " '" + coordinates + "' and nearest_mode '" + nearest + "' is not supported (nearest/asymmetric/"
                    + "floor, linear/half_pixel|pytorch_half_pixel|align_corners)");
        }
        String torchMode = linear ? "bilinear" : "nearest";
        if (sizesIn != null && sizesIn.numel() > 0) {
            long[] sizes = longs(sizesIn);
            if (sizes[0] != x.size(0) || sizes[1] != x.size(1)) {
                throw new IllegalArgumentException(
                        n.describe() + ": only H and W can be resized, sizes " + Arrays.toString(sizes));
            }
            int[] size = {(int) sizes[2], (int) sizes[3]};
            return new Tensor[] {F.interpolate(x, size, null, torchMode, linear && alignCorners)};
        }
        if (scalesIn == null || scalesIn.numel() != 4) {
            throw new IllegalArgumentException(n.describe() + ": needs 4 scales or 4 sizes");
        }
        float[] scales = scalesIn.to(DType.FLOAT32).toFloatArray();
        if (scales[0] != 1f || scales[1] != 1f) {
            throw new IllegalArgumentException(
                    n.describe() + ": only H and W can be scaled, scales " + Arrays.toString(scales));
        }
        double[] factor = {scales[2], scales[3]};
        return new Tensor[] {F.interpolate(x, null, factor, torchMode, linear && alignCorners)};
    }

    private static long[] axesOf(OnnxNode n, Tensor[] in) {
        if (n.opset < 13) {
            int[] a = n.ints("axes", null);
            return a == null ? null : Arrays.stream(a).asLongStream().toArray();
        }
        return in.length > 1 && in[1] != null ? longs(in[1]) : null;
    }

    private static Tensor[] unsqueeze(OnnxNode n, Tensor[] in, boolean training) {
        long[] axes = axesOf(n, in);
        int rank = in[0].dim() + axes.length;
        int[] sorted = Arrays.stream(axes).mapToInt(a -> axis(a, rank)).sorted().toArray();
        Tensor out = in[0];
        for (int a : sorted) {
            out = out.unsqueeze(a);
        }
        return new Tensor[] {out};
    }

    private static Tensor[] squeeze(OnnxNode n, Tensor[] in, boolean training) {
        long[] axes = axesOf(n, in);
        Tensor x = in[0];
        if (axes == null) {
            return new Tensor[] {x.squeeze()};
        }
        int[] sorted =
                Arrays.stream(axes).mapToInt(a -> axis(a, x.dim())).sorted().toArray();
        Tensor out = x;
        for (int k = sorted.length - 1; k >= 0; k--) {
            out = out.squeeze(sorted[k]);
        }
        return new Tensor[] {out};
    }
}
