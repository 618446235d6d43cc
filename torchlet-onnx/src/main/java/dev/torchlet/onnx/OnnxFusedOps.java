package dev.torchlet.onnx;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.functional.F;
import dev.torchlet.ops.Attention;
import dev.torchlet.ops.ConvOptions;
import dev.torchlet.ops.Convolution;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * The operators {@link OnnxGraphOptimizer} fuses exported subgraphs into, in the Torchlet-private domain
 * {@value #DOMAIN}. Each runs Torchlet's fused kernels through differentiable ops (so gradients reach the original
 * ONNX initializers, which keep their names) and computes what the original nodes compute, up to float rounding.
 * Where a run-time condition the fused kernel needs does not hold (an unexpected rank, a per-head mask, training
 * mode for batch norm, ...) the op runs the original nodes instead ({@link OnnxNode#replaced()}), so a fusion never
 * changes what a graph means.
 *
 * <p>Inputs: each op's leading inputs are listed on it; after them come the remaining inputs the original nodes
 * read (constants, mostly), which only the fallback uses.
 */
final class OnnxFusedOps {
    private OnnxFusedOps() {}

    /** The domain of fused nodes; operator counts show them as "torchlet.LayerNorm" etc. */
    static final String DOMAIN = "torchlet";

    /** Fused operator name -> implementation. */
    static final Map<String, OnnxOps.Op> OPS = new TreeMap<>();

    static {
        OPS.put("LayerNorm", OnnxFusedOps::layerNorm);
        OPS.put("Gelu", OnnxFusedOps::gelu);
        OPS.put("Linear", OnnxFusedOps::linear);
        OPS.put("Attention", OnnxFusedOps::attention);
        OPS.put("ConvBatchNorm", OnnxFusedOps::convBatchNorm);
        OPS.put("ConvClamp", OnnxFusedOps::convClamp);
        OPS.put("ConvClampMaxPool", OnnxFusedOps::convClampMaxPool);
        OPS.put("ConvAddClamp", OnnxFusedOps::convAddClamp);
        OPS.put("PointwiseDepthwise", OnnxFusedOps::pointwiseDepthwise);
        OPS.put("InvertedResidual", OnnxFusedOps::invertedResidual);
    }

    /**
     * Attributes of a fused node that read scalar parameters (one-element float initializers, e.g. the constants of
     * Torchlet's own exports): the input indices and the values the fusion assumed.
     */
    static final String ASSUMED_INPUTS = "torchlet_assumed_inputs";

    static final String ASSUMED_VALUES = "torchlet_assumed_values";

    /**
     * The implementation of a node: the ONNX operator, or the fused one for the {@value #DOMAIN} domain. A fused
     * node that assumed scalar parameters runs its original nodes once one has another value, or when it would
     * need a gradient (the fused kernels give none for them).
     */
    static OnnxOps.Op lookup(OnnxNode node) {
        boolean fused = DOMAIN.equals(node.proto.getDomain());
        OnnxOps.Op op = fused ? OPS.get(node.op()) : OnnxOps.OPS.get(node.op());
        if (op == null) {
            throw new IllegalStateException("no implementation of " + node.describe());
        }
        if (!fused || !node.has(ASSUMED_INPUTS)) {
            return op;
        }
        int[] inputs = node.ints(ASSUMED_INPUTS, new int[0]);
        float[] values = node.floats(ASSUMED_VALUES, new float[0]);
        return (n, in, training) -> {
            for (int k = 0; k < inputs.length; k++) {
                Tensor t = in[inputs[k]];
                boolean holds = t.numel() == 1
                        && t.dtype() == DType.FLOAT32
                        && t.item() == values[k]
                        && !(t.requiresGrad() && Torch.isGradEnabled());
                if (!holds) {
                    return fallback(n, in, training);
                }
            }
            return op.apply(n, in, training);
        };
    }

    /** Runs the original nodes a fused node stands for, on its inputs; returns its outputs. */
    static Tensor[] fallback(OnnxNode n, Tensor[] in, boolean training) {
        Map<String, Tensor> values = new HashMap<>();
        for (int k = 0; k < n.proto.getInputCount(); k++) {
            if (!n.proto.getInput(k).isEmpty()) {
                values.put(n.proto.getInput(k), in[k]);
            }
        }
        OnnxGraph.run(n.replaced(), values, training);
        Tensor[] out = new Tensor[n.proto.getOutputCount()];
        for (int k = 0; k < out.length; k++) {
            out[k] = values.get(n.proto.getOutput(k));
        }
        return out;
    }

    private static boolean isFloat(Tensor... ts) {
        DType dt = ts[0].dtype();
        for (Tensor t : ts) {
            if (t.dtype() != dt || (dt != DType.FLOAT32 && dt != DType.FLOAT64)) {
                return false;
            }
        }
        return true;
    }

    /**
     * LayerNorm(x, gamma, beta), attributes axis and epsilon, for the decomposed form
     * {@code d = x - mean(x); y = d / sqrt(mean(d^2) + eps) * gamma + beta} over axis (ReduceMean, Sub, Pow,
     * ReduceMean, Add, Sqrt, Div, Mul, Add). Fused when axis is x's last dim and gamma, beta are (E) vectors.
     */
    private static Tensor[] layerNorm(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        Tensor gamma = in[1];
        Tensor beta = in[2];
        int e = x.dim() == 0 ? -1 : x.size(-1);
        boolean fits = x.dim() > 0
                && OnnxOps.axis(n.i("axis", -1), x.dim()) == x.dim() - 1
                && isFloat(x, gamma, beta)
                && gamma.dim() == 1
                && gamma.size(0) == e
                && beta.dim() == 1
                && beta.size(0) == e;
        if (!fits) {
            return fallback(n, in, training);
        }
        return new Tensor[] {F.layerNorm(x, new int[] {e}, gamma, beta, n.f("epsilon", 1e-5f))};
    }

    /** Gelu(x) = x * 0.5 * (1 + erf(x / sqrt 2)) (exact GELU: Div, Erf, Add, Mul, Mul). */
    private static Tensor[] gelu(OnnxNode n, Tensor[] in, boolean training) {
        return isFloat(in[0]) ? new Tensor[] {F.gelu(in[0])} : fallback(n, in, training);
    }

    /**
     * Linear(x, W, b), attribute transposed: x @ W + b (MatMul then Add) with x (..., K), W (K, N), b (N); with
     * transposed = 1, W is (N, K) and y = x @ W^T + b (the MatMul read Transpose(W)). Runs as F.linear (one GEMM
     * with the bias pre-filled, W read in place in either layout; rows of x flattened), instead of a batched matmul
     * plus a broadcast add.
     */
    private static Tensor[] linear(OnnxNode n, Tensor[] in, boolean training) {
        Tensor x = in[0];
        Tensor w = in[1].dim() == 2 && n.i("transposed", 0) == 0 ? in[1].t() : in[1]; // (N, K)
        Tensor b = in[2];
        boolean fits = x.dim() >= 2
                && w.dim() == 2
                && b.dim() == 1
                && b.size(0) == w.size(0)
                && x.size(-1) == w.size(1)
                && isFloat(x, w, b);
        return fits ? new Tensor[] {F.linear(x, w, b)} : fallback(n, in, training);
    }

    /**
     * Attention(q, k, v, mask), attribute divisor, for the exported multi-head attention
     * <pre>
     *   q, k, v (B, T, H, hd) (the heads split by Reshape)
     *   scores = Transpose(q, 0 2 1 3) @ Transpose(k, 0 2 3 1) / divisor [+ mask]     (B, H, Tq, Tk)
     *   out = Transpose(Softmax(scores) @ Transpose(v, 0 2 1 3), 0 2 1 3)                (B, Tq, H, hd)
     * </pre>
     * Fused ({@link Attention#attention} on (B*T, H*hd) rows, no transposes or (B, H, T, T) score tensors) when
     * divisor is sqrt(hd) and the mask, if any, is the same for every head (broadcasts from (B or 1, 1, Tq or 1,
     * Tk)) and needs no gradient (a mask stored as a float initializer is a parameter: fused under noGrad only).
     */
    private static Tensor[] attention(OnnxNode n, Tensor[] in, boolean training) {
        Tensor q = in[0];
        Tensor k = in[1];
        Tensor v = in[2];
        Tensor mask = in[3];
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4 || q == k || k == v || q == v || !isFloat(q, k, v)) {
            return fallback(n, in, training);
        }
        int b = q.size(0);
        int tq = q.size(1);
        int heads = q.size(2);
        int hd = q.size(3);
        int tk = k.size(1);
        boolean fits = k.size(0) == b
                && k.size(2) == heads
                && k.size(3) == hd
                && java.util.Arrays.equals(k.shape(), v.shape())
                && Math.abs(n.f("divisor", 0f) - Math.sqrt(hd)) <= 1e-6 * Math.sqrt(hd);
        Tensor m = null;
        if (fits && mask != null) {
            m = headlessMask(mask, q.dtype(), b, tq, tk);
            fits = m != null;
        }
        if (!fits) {
            return fallback(n, in, training);
        }
        int e = heads * hd;
        Tensor out = Attention.attention(
                q.reshape(b * tq, e), k.reshape(b * tk, e), v.reshape(b * tk, e), b, heads, m, 0.0, training);
        return new Tensor[] {out.reshape(b, tq, heads, hd)};
    }

    /** An additive mask broadcasting to (B, H, Tq, Tk) the same for every head as (B or 1, Tq, Tk), else null. */
    private static Tensor headlessMask(Tensor mask, DType dtype, int b, int tq, int tk) {
        if (mask.requiresGrad() && Torch.isGradEnabled() || mask.dtype() != dtype || mask.dim() > 4) {
            return null;
        }
        int[] s = {1, 1, 1, 1};
        int[] ms = mask.shape();
        System.arraycopy(ms, 0, s, 4 - ms.length, ms.length);
        boolean fits = (s[0] == 1 || s[0] == b) && s[1] == 1 && (s[2] == 1 || s[2] == tq) && (s[3] == 1 || s[3] == tk);
        if (!fits) {
            return null;
        }
        return mask.reshape(s[0], s[2], s[3]).expand(s[0], tq, tk);
    }

    /** Each ConvBatchNorm node's folded weight and bias from its last call without gradients. */
    private static final Map<OnnxNode, Folded> FOLDED = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * A ConvBatchNorm's folded weight and bias and what they were folded from: the same tensors (W, b, scale, bias,
     * mean, var; b may be null) at the same storage versions (see {@code Storage.version()}: loading new values or
     * an optimizer step changes it) give the same fold, so inference reuses it, and the convolution's channels-last
     * kernel its packed weights.
     */
    private record Folded(Tensor[] sources, int[] versions, Tensor weight, Tensor bias) {
        static int[] versions(Tensor[] ts) {
            int[] v = new int[ts.length];
            for (int i = 0; i < ts.length; i++) {
                v[i] = ts[i] == null ? -1 : TensorInternals.storage(ts[i]).version();
            }
            return v;
        }

        boolean foldedFrom(Tensor[] now) {
            for (int i = 0; i < now.length; i++) {
                if (now[i] != sources[i]
                        || now[i] != null && TensorInternals.storage(now[i]).version() != versions[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * ConvBatchNorm(x, W, b, scale, bias, mean, var), Conv's attributes plus epsilon and relu (0 or 1): Conv then
     * BatchNormalization with the running statistics (then Relu). In eval mode the statistics fold into the
     * convolution, in differentiable tensor ops, so W, b, scale and bias keep their gradients; without gradients
     * the fold is kept and reused while its inputs are unchanged ({@link Folded}):
     * <pre>
     *   s = scale / sqrt(var + eps)      (C)
     *   W' = W * s[:, None, None, None]; b' = (b - mean) * s + bias;  y = conv(x, W', b') [relu]
     * </pre>
     * In training mode batch norm uses and updates batch statistics: the original nodes run.
     */
    private static Tensor[] convBatchNorm(OnnxNode n, Tensor[] in, boolean training) {
        Tensor w = in[1];
        Tensor[] stats = {in[3], in[4], in[5], in[6]};
        int c = w.dim() == 4 ? w.size(0) : -1;
        boolean fits = !training && w.dim() == 4 && isFloat(in[0], w);
        for (Tensor t : stats) {
            fits = fits && t.dim() == 1 && t.size(0) == c && t.dtype() == w.dtype();
        }
        if (fits && in[2] != null) {
            fits = in[2].dim() == 1 && in[2].size(0) == c && in[2].dtype() == w.dtype();
        }
        if (!fits) {
            return fallback(n, in, training);
        }
        Tensor[] sources = {w, in[2], in[3], in[4], in[5], in[6]};
        boolean constant = !Autograd.needsGrad(sources); // no gradient to carry: fold once, reuse while unchanged
        Folded f = constant ? FOLDED.get(n) : null;
        if (f == null || !f.foldedFrom(sources)) {
            Tensor s = in[3].div(in[6].add(n.f("epsilon", 1e-5f)).sqrt()); // (C)
            Tensor folded = w.mul(s.reshape(c, 1, 1, 1));
            Tensor shift = in[2] == null ? in[5].neg() : in[2].sub(in[5]);
            f = new Folded(
                    sources, Folded.versions(sources), folded, shift.mul(s).add(in[4]));
            if (constant) {
                FOLDED.put(n, f);
            }
        }
        Tensor[] convIn = {in[0], f.weight(), f.bias()};
        return new Tensor[] {
            n.i("relu", 0) != 0
                    ? OnnxOps.conv(n, convIn, 0f, Float.POSITIVE_INFINITY)
                    : OnnxOps.conv(n, convIn, training)[0]
        };
    }

    /**
     * ConvClamp(x, W[, b]), Conv's attributes plus lo and hi: {@code Relu(Conv(...))} (lo 0, hi +inf) or
     * {@code Clip(Conv(...), min, max)} (ReLU6 in MobileNets) with constant bounds. Without gradients the clamp
     * runs inside the convolution kernels as each output tile is stored (no second pass over the output);
     * with them, conv then relu/clamp as the original nodes.
     */
    private static Tensor[] convClamp(OnnxNode n, Tensor[] in, boolean training) {
        Tensor[] convIn =
                in.length > 2 && in[2] != null ? new Tensor[] {in[0], in[1], in[2]} : new Tensor[] {in[0], in[1]};
        return new Tensor[] {
            OnnxOps.conv(n, convIn, n.f("lo", Float.NEGATIVE_INFINITY), n.f("hi", Float.POSITIVE_INFINITY))
        };
    }

    /**
     * ConvClampMaxPool(x, W[, b]), Conv's attributes, lo, hi and the MaxPool's as pool_kernel_shape, pool_strides,
     * pool_pads (top and left: the optimizer takes symmetric pads only), pool_dilations and pool_ceil_mode:
     * {@code MaxPool(Relu(Conv(...)))}, ResNet's stem. Without gradients, on a channels-last batch, the rows of the
     * convolution are pooled as they are computed ({@link Convolution#conv2dClampedMaxPool}); otherwise the ops in
     * turn. Not a 4-D image batch: the original nodes.
     */
    private static Tensor[] convClampMaxPool(OnnxNode n, Tensor[] in, boolean training) {
        if (in[0].dim() != 4 || in[1].dim() != 4) {
            return fallback(n, in, training);
        }
        int[] pads = n.ints("pads", new int[4]);
        ConvOptions options = ConvOptions.of(
                n.ints("strides", new int[] {1, 1}),
                new int[] {pads[0], pads[1]},
                n.ints("dilations", new int[] {1, 1}),
                (int) n.i("group", 1));
        return new Tensor[] {
            Convolution.conv2dClampedMaxPool(
                    in[0],
                    in[1],
                    in.length > 2 ? in[2] : null,
                    options,
                    n.f("lo", Float.NEGATIVE_INFINITY),
                    n.f("hi", Float.POSITIVE_INFINITY),
                    n.ints("pool_kernel_shape", null),
                    n.ints("pool_strides", new int[] {1, 1}),
                    n.ints("pool_pads", new int[] {0, 0}),
                    n.ints("pool_dilations", new int[] {1, 1}),
                    n.i("pool_ceil_mode", 0) != 0)
        };
    }

    /**
     * ConvAddClamp(x, W, b or "", r), Conv's attributes plus lo and hi: {@code Relu(Add(Conv(...), r))} (lo 0) or
     * {@code Add(Conv(...), r)} (lo -inf), hi +inf. Without gradients and with r of the output's shape, the addition
     * and clamp run inside the convolution kernels ({@link dev.torchlet.ops.Convolution#conv2dAddClamped}); else
     * conv, add (broadcasting as ONNX's Add) and relu, as the original nodes.
     */
    private static Tensor[] convAddClamp(OnnxNode n, Tensor[] in, boolean training) {
        Tensor[] convIn = in[2] != null ? new Tensor[] {in[0], in[1], in[2]} : new Tensor[] {in[0], in[1]};
        return new Tensor[] {
            OnnxOps.conv(n, convIn, in[3], n.f("lo", Float.NEGATIVE_INFINITY), n.f("hi", Float.POSITIVE_INFINITY))
        };
    }

    /**
     * PointwiseDepthwise(x, We, be or "", Wd, bd or ""), attributes stride, lo1, hi1, lo2, hi2: MobileNet's
     * {@code clamp(dwconv3x3(clamp(conv1x1(x, We, be), lo1, hi1), Wd, bd, stride, pad 1), lo2, hi2)}, over strips
     * of rows without autograd on large maps, else the two convolutions ({@link Convolution#pointwiseDepthwise}).
     */
    private static Tensor[] pointwiseDepthwise(OnnxNode n, Tensor[] in, boolean training) {
        return new Tensor[] {
            Convolution.pointwiseDepthwise(
                    in[0],
                    in[1],
                    in[2],
                    n.f("lo1", Float.NEGATIVE_INFINITY),
                    n.f("hi1", Float.POSITIVE_INFINITY),
                    in[3],
                    in[4],
                    (int) n.i("stride", 1),
                    n.f("lo2", Float.NEGATIVE_INFINITY),
                    n.f("hi2", Float.POSITIVE_INFINITY))
        };
    }

    /**
     * InvertedResidual(x, We or "", be or "", Wd, bd or "", Wp, bp or ""), attributes stride, lo1, hi1, lo2, hi2,
     * add_input: MobileNetV2's block, {@code conv1x1(clamp(dwconv3x3(clamp(conv1x1(x, We, be), lo1, hi1), Wd, bd,
     * stride, pad 1), lo2, hi2), Wp, bp)} plus x when add_input (no expansion when We is absent). One pass over strips
     * of rows on a channels-last batch without autograd, else the layers' own ops
     * ({@link Convolution#invertedResidual}).
     */
    private static Tensor[] invertedResidual(OnnxNode n, Tensor[] in, boolean training) {
        return new Tensor[] {
            Convolution.invertedResidual(
                    in[0],
                    in[1],
                    in[2],
                    n.f("lo1", Float.NEGATIVE_INFINITY),
                    n.f("hi1", Float.POSITIVE_INFINITY),
                    in[3],
                    in[4],
                    (int) n.i("stride", 1),
                    n.f("lo2", Float.NEGATIVE_INFINITY),
                    n.f("hi2", Float.POSITIVE_INFINITY),
                    in[5],
                    in[6],
                    n.i("add_input", 0) == 1)
        };
    }

    /** The fused operators, for listings. */
    static List<String> names() {
        return OPS.keySet().stream().map(s -> DOMAIN + "." + s).toList();
    }
}
