package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.InferenceMode;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.ConvGeometry;
import dev.torchlet.kernels.ConvInvertedResidualChannelsLast;
import dev.torchlet.kernels.ConvKernels;
import dev.torchlet.kernels.ConvPointwiseDepthwise;
import dev.torchlet.kernels.ConvReference;
import dev.torchlet.kernels.PoolKernels;

/**
 * conv1d, conv2d and convTranspose2d with PyTorch's argument order and weight layouts:
 * conv weight (cout, cin/groups, kh, kw), transposed weight (cin, cout/groups, kh, kw).
 *
 * <pre>
 * conv2d:  out[b][co][y][x] = bias[co]
 *                 + sum_{c,i,j} w[co][c][i][j] * in[b][g*cinG + c][y*sh - ph + i*dh][x*sw - pw + j*dw]
 *          (g = co / coutG; out size floor((in + 2p - d(k-1) - 1) / s) + 1)
 * convTranspose2d: the adjoint of conv2d in its input (the input gradient of a conv with the same
 *          weight), out size (in - 1)*s - 2p + d(k-1) + outputPadding + 1
 * </pre>
 * Float32 runs on the fast kernels ({@link ConvKernels}: depthwise direct loops; a Vector API direct
 * kernel for stride 1; im2col + GEMM otherwise). Float64 (for gradcheck) runs on the plain-loop reference. The backward
 * is fused (first derivatives only: the gradients it returns do not themselves record a graph).
 */
public final class Convolution {
    private Convolution() {}

    // ---------------------------------------------------------------- public ops

    /** conv2d(x (n, cin, h, w) or (cin, h, w), w (cout, cin/groups, kh, kw), bias (cout) or null). */
    public static Tensor conv2d(
            Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return conv2d(x, w, bias, ConvOptions.of(stride, padding, dilation, groups));
    }

    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvOptions o) {
        String op = "conv2d";
        checkTypes(op, x, w, bias);
        if (x.dim() == 3) {
            return conv2d(x.unsqueeze(0), w, bias, o).squeeze(0); // unbatched (cin, h, w)
        }
        if (x.dim() != 4 || w.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected input (N, C, H, W) or (C, H, W) and weight "
                    + "(Cout, Cin/groups, kH, kW), got input " + Shape.str(TensorInternals.shapeRef(x)) + " and weight "
                    + Shape.str(TensorInternals.shapeRef(w)));
        }
        ConvGeometry g = geometry(op, TensorInternals.shapeRef(x), TensorInternals.shapeRef(w), bias, o);
        if (ConvolutionChannelsLast.applies(g, x, w, bias, null)) {
            return ConvolutionChannelsLast.forward(
                    g, x, w, bias, null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
        }
        return describe(convolve(g, x, w, bias), o, false);
    }

    /**
     * clamp(conv2d(x, w, bias), lo, hi) (ReLU: 0 and +inf; ReLU6: 0 and 6), for graph fusers such as the ONNX
     * importer's Conv + Relu/Clip. Without autograd (no-grad mode, or no input requires grad) a float32 batch runs the
     * clamp inside the convolution kernels, as each output tile is stored, with no second pass over the output;
     * otherwise it is conv2d then relu or clamp, recorded as the two ops they are (so the graph, its gradients and
     * an ONNX export are those of the unfused pair).
     */
    public static Tensor conv2dClamped(Tensor x, Tensor w, Tensor bias, ConvOptions o, float lo, float hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("conv2dClamped: expected lo <= hi, got " + lo + " and " + hi);
        }
        boolean relu = lo == 0f && hi == Float.POSITIVE_INFINITY;
        if (Autograd.needsGrad(x, w, bias) || x.dtype() != DType.FLOAT32 || x.dim() != 4) {
            Tensor y = conv2d(x, w, bias, o);
            return relu ? Activations.relu(y) : Unary.clamp(y, lo, hi);
        }
        String op = "conv2d";
        checkTypes(op, x, w, bias);
        if (w.dim() != 4) {
            return conv2d(x, w, bias, o); // its message names the shapes
        }
        ConvGeometry g = geometry(op, TensorInternals.shapeRef(x), TensorInternals.shapeRef(w), bias, o);
        if (ConvolutionChannelsLast.applies(g, x, w, bias, null)) {
            return ConvolutionChannelsLast.forward(g, x, w, bias, null, lo, hi);
        }
        Tensor out = Tensor.empty(x.dtype(), g.n(), g.cout(), g.oh(), g.ow());
        ConvKernels.forward(
                g,
                TensorInternals.storage(dense(x)).floats(),
                0,
                TensorInternals.storage(dense(w)).floats(),
                bias == null ? null : TensorInternals.storage(dense(bias)).floats(),
                TensorInternals.storage(out).floats(),
                lo,
                hi);
        return out;
    }

    /**
     * max_pool2d(clamp(conv2d(x, w, bias), lo, hi)) with the pooling's kernel, stride (null: the kernel), padding,
     * dilation and ceil mode as {@link Pooling#maxPool2d} takes them: ResNet's and DenseNet's stem (convolution,
     * folded batch norm, ReLU, 3x3 stride-2 max pooling). Without autograd, on a float32 channels-last batch and a
     * convolution the direct channels-last kernel runs, it is one pass over strips of rows and the convolution's
     * output is never stored whole ({@link dev.torchlet.kernels.ConvMaxPoolChannelsLast}); otherwise the two ops
     * in turn, recorded as they are. The same values either way.
     */
    public static Tensor conv2dClampedMaxPool(
            Tensor x,
            Tensor w,
            Tensor bias,
            ConvOptions o,
            float lo,
            float hi,
            int[] poolKernel,
            int[] poolStride,
            int[] poolPadding,
            int[] poolDilation,
            boolean ceilMode) {
        if (!Autograd.needsGrad(x, w, bias) && x.dtype() == DType.FLOAT32 && x.dim() == 4 && w.dim() == 4 && lo <= hi) {
            String op = "conv2d";
            checkTypes(op, x, w, bias);
            ConvGeometry g = geometry(op, TensorInternals.shapeRef(x), TensorInternals.shapeRef(w), bias, o);
            PoolKernels.Geometry p = Pooling.maxPool2dGeometry(
                    g.n(), g.cout(), g.oh(), g.ow(), poolKernel, poolStride, poolPadding, poolDilation, ceilMode);
            if (ConvolutionChannelsLast.appliesWithMaxPool(g, x, w, bias, p)) {
                return ConvolutionChannelsLast.forwardMaxPool(g, x, w, bias, lo, hi, p);
            }
        }
        Tensor y = conv2dClamped(x, w, bias, o, lo, hi);
        Tensor out = Pooling.maxPool2d(y, poolKernel, poolStride, poolPadding, poolDilation, ceilMode);
        InferenceMode.recycleUnrecorded(y, x, out); // the convolution's output is this method's own
        return out;
    }

    /**
     * clamp(conv2d(x, w, bias) + addend, lo, hi): a residual block's last convolution, shortcut addition and ReLU
     * (lo = 0, hi = +inf), as oneDNN's "sum" post-op. On a float32 batch and an addend of exactly the output's shape,
     * the addition and clamp run inside the convolution kernels as each output tile is stored (two passes over the
     * activations fewer): without autograd always, with autograd when there is no clamp (lo = -inf, hi = +inf: a
     * diffusion U-Net's or MobileNet's residual ending), recorded as one op whose gradients are the convolution's and,
     * for the addend, the output's gradient itself ({@code ConvolutionAddBackward}). Otherwise it is conv2d, add
     * (broadcasting) and relu/clamp, recorded as the ops they are.
     */
    public static Tensor conv2dAddClamped(
            Tensor x, Tensor w, Tensor bias, ConvOptions o, Tensor addend, float lo, float hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("conv2dAddClamped: expected lo <= hi, got " + lo + " and " + hi);
        }
        if (addend == null) {
            throw new IllegalArgumentException("conv2dAddClamped: the addend must not be null");
        }
        checkTypes("conv2d", x, w, bias);
        boolean relu = lo == 0f && hi == Float.POSITIVE_INFINITY;
        boolean unclamped = lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY;
        boolean recorded = Autograd.needsGrad(x, w, bias, addend);
        boolean fusable = (unclamped || !recorded)
                && x.dtype() == DType.FLOAT32
                && addend.dtype() == DType.FLOAT32
                && x.dim() == 4
                && w.dim() == 4;
        ConvGeometry g =
                fusable ? geometry("conv2d", TensorInternals.shapeRef(x), TensorInternals.shapeRef(w), bias, o) : null;
        if (g == null
                || !java.util.Arrays.equals(
                        TensorInternals.shapeRef(addend), new int[] {g.n(), g.cout(), g.oh(), g.ow()})) {
            Tensor y = conv2d(x, w, bias, o).add(addend);
            if (lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY) {
                return y;
            }
            return relu ? Activations.relu(y) : Unary.clamp(y, lo, hi);
        }
        if (ConvolutionChannelsLast.applies(g, x, w, bias, addend)) {
            return ConvolutionChannelsLast.forward(g, x, w, bias, addend, lo, hi);
        }
        Tensor xc = dense(x);
        Tensor wc = dense(w);
        Tensor out = Tensor.empty(x.dtype(), g.n(), g.cout(), g.oh(), g.ow());
        float[] b = bias == null ? null : floats(bias);
        if (recorded && keepsPaddedInput(g, x, w)) {
            Tensor padded = paddedInput(g);
            ConvKernels.forwardKeepingPaddedInput(
                    g, floats(xc), 0, floats(wc), b, floats(addend), floats(out), floats(padded));
            return describe(
                    keepingPaddedInput(record(g, false, x, w, bias, xc, wc, out, addend, padded), padded), o, false);
        }
        ConvKernels.forwardResidual(g, floats(xc), 0, floats(wc), b, floats(addend), floats(out), lo, hi);
        return recorded ? describe(record(g, false, x, w, bias, xc, wc, out, addend, null), o, false) : out;
    }

    /**
     * MobileNet's expansion then depthwise convolution, each with its activation:
     * {@code clamp(dw(clamp(conv1x1(x, we, be), lo1, hi1), wd, bd), lo2, hi2)} with we (hidden, cin, 1, 1) and wd
     * (hidden, 1, 3, 3) at the given stride, padding 1. Without autograd, on a float32 batch whose expanded tensor
     * is large ({@link ConvPointwiseDepthwise#pays}), the two run as one pass over strips of rows and the expanded
     * tensor is never stored whole; otherwise (and for a channels-last x, which the two calls keep channels-last)
     * they are two {@link #conv2dClamped} calls.
     */
    public static Tensor pointwiseDepthwise(
            Tensor x,
            Tensor we,
            Tensor be,
            float lo1,
            float hi1,
            Tensor wd,
            Tensor bd,
            int stride,
            float lo2,
            float hi2) {
        int[] ws = TensorInternals.shapeRef(we);
        int[] ds = TensorInternals.shapeRef(wd);
        int[] xs = TensorInternals.shapeRef(x);
        int hidden = ws.length == 4 ? ws[0] : -1;
        boolean fusable = !Autograd.needsGrad(x, we, be, wd, bd)
                && !Ops.isChannelsLast(x) // the two convolutions run on the channels-last kernels instead
                && (stride == 1 || stride == 2)
                && xs.length == 4
                && java.util.Arrays.equals(ws, new int[] {hidden, xs[1], 1, 1})
                && java.util.Arrays.equals(ds, new int[] {hidden, 1, 3, 3})
                && allFloat32(x, we, be, wd, bd)
                && (be == null || java.util.Arrays.equals(TensorInternals.shapeRef(be), new int[] {hidden}))
                && (bd == null || java.util.Arrays.equals(TensorInternals.shapeRef(bd), new int[] {hidden}))
                && lo1 <= hi1
                && lo2 <= hi2
                && ConvPointwiseDepthwise.pays(xs[0], hidden, xs[2], xs[3], stride);
        if (!fusable) {
            int[] one = {1, 1};
            Tensor e = conv2dClamped(x, we, be, ConvOptions.of(one, new int[] {0, 0}, one, 1), lo1, hi1);
            int[] s = {stride, stride};
            Tensor out = conv2dClamped(e, wd, bd, ConvOptions.of(s, one, one, Math.max(1, hidden)), lo2, hi2);
            InferenceMode.recycle(e, x, out); // the expanded tensor is this method's own
            return out;
        }
        int oh = ConvPointwiseDepthwise.outSize(xs[2], stride);
        int ow = ConvPointwiseDepthwise.outSize(xs[3], stride);
        Tensor out = Tensor.empty(DType.FLOAT32, xs[0], hidden, oh, ow);
        ConvPointwiseDepthwise.forward(
                xs[0],
                new ConvPointwiseDepthwise.Call(
                        xs[1],
                        xs[2],
                        xs[3],
                        hidden,
                        stride,
                        floats(x),
                        floats(we),
                        be == null ? null : floats(be),
                        lo1,
                        hi1,
                        floats(wd),
                        bd == null ? null : floats(bd),
                        lo2,
                        hi2,
                        TensorInternals.storage(out).floats()));
        return out;
    }

    /**
     * MobileNetV2's inverted residual block in inference:
     * <pre>
     *   e = clamp(conv1x1(x, we, be), lo1, hi1)                    we (hidden, cin, 1, 1); we null: e = x
     *   d = clamp(dwconv3x3(e, wd, bd, stride, padding 1), lo2, hi2)  wd (hidden, 1, 3, 3)
     *   y = conv1x1(d, wp, bp) (+ x when addInput)                   wp (cout, hidden, 1, 1)
     * </pre>
     * Without autograd, on a float32 channels-last batch, the three convolutions run as one pass over strips of
     * rows whose expanded and depthwise rows stay in the core's cache
     * ({@link dev.torchlet.kernels.ConvInvertedResidualChannelsLast}; same values as the layers one by one); otherwise
     * (and for an NCHW x, through {@link #pointwiseDepthwise}) they are the layers' own calls.
     *
     * @throws IllegalArgumentException when addInput is asked of a block whose output is not x's shape
     */
    public static Tensor invertedResidual(
            Tensor x,
            Tensor we,
            Tensor be,
            float lo1,
            float hi1,
            Tensor wd,
            Tensor bd,
            int stride,
            float lo2,
            float hi2,
            Tensor wp,
            Tensor bp,
            boolean addInput) {
        if (x == null || wd == null || wp == null) {
            throw new IllegalArgumentException("invertedResidual: x, the depthwise and the projection weights must "
                    + "not be null (only the expansion is optional)");
        }
        if (fusesInvertedResidual(x, we, be, lo1, hi1, wd, bd, stride, lo2, hi2, wp, bp, addInput)) {
            return ConvolutionChannelsLast.invertedResidual(
                    x, we, be, lo1, hi1, wd, bd, stride, lo2, hi2, wp, bp, addInput);
        }
        int[] one = {1, 1};
        int[] zero = {0, 0};
        Tensor d;
        if (we == null) {
            int[] s = {stride, stride};
            d = conv2dClamped(x, wd, bd, ConvOptions.of(s, one, one, Math.max(1, wd.size(0))), lo2, hi2);
        } else {
            d = pointwiseDepthwise(x, we, be, lo1, hi1, wd, bd, stride, lo2, hi2);
        }
        ConvOptions pw = ConvOptions.of(one, zero, one, 1);
        Tensor y;
        if (addInput) {
            if (!java.util.Arrays.equals(
                    TensorInternals.shapeRef(x), new int[] {d.size(0), wp.size(0), d.size(2), d.size(3)})) {
                throw new IllegalArgumentException("invertedResidual: addInput needs an output of the input's shape "
                        + Shape.str(TensorInternals.shapeRef(x)) + ", got " + wp.size(0) + " channels at "
                        + d.size(2) + "x" + d.size(3));
            }
            y = conv2dAddClamped(d, wp, bp, pw, x, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
        } else {
            y = conv2d(d, wp, bp, pw);
        }
        InferenceMode.recycle(d, x, y); // the depthwise output is this method's own
        return y;
    }

    /** Whether {@link #invertedResidual}'s operands take the one-pass channels-last kernel. */
    static boolean fusesInvertedResidual(
            Tensor x,
            Tensor we,
            Tensor be,
            float lo1,
            float hi1,
            Tensor wd,
            Tensor bd,
            int stride,
            float lo2,
            float hi2,
            Tensor wp,
            Tensor bp,
            boolean addInput) {
        int[] xs = TensorInternals.shapeRef(x);
        if (xs.length != 4
                || wd.dim() != 4
                || wp.dim() != 4
                || !Ops.isChannelsLast(x)
                || Autograd.needsGrad(x, we, be, wd, bd, wp, bp)
                || !allFloat32(x, we, be, wd, bd, wp, bp)
                || (stride != 1 && stride != 2)
                || !(lo1 <= hi1)
                || !(lo2 <= hi2)) {
            return false;
        }
        int cin = xs[1];
        int hidden = wd.size(0);
        int cout = wp.size(0);
        boolean expansionFits = we == null
                ? hidden == cin
                : java.util.Arrays.equals(TensorInternals.shapeRef(we), new int[] {hidden, cin, 1, 1})
                        && (be == null || java.util.Arrays.equals(TensorInternals.shapeRef(be), new int[] {hidden}));
        return expansionFits
                && java.util.Arrays.equals(TensorInternals.shapeRef(wd), new int[] {hidden, 1, 3, 3})
                && (bd == null || java.util.Arrays.equals(TensorInternals.shapeRef(bd), new int[] {hidden}))
                && java.util.Arrays.equals(TensorInternals.shapeRef(wp), new int[] {cout, hidden, 1, 1})
                && (bp == null || java.util.Arrays.equals(TensorInternals.shapeRef(bp), new int[] {cout}))
                && (!addInput || (stride == 1 && cin == cout))
                && ConvInvertedResidualChannelsLast.pays(xs[0], xs[2], stride);
    }

    private static boolean allFloat32(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && t.dtype() != DType.FLOAT32) {
                return false;
            }
        }
        return true;
    }

    /** t's float32 values in row-major order: its storage's array when t is that whole array, else a copy. */
    static float[] floats(Tensor t) {
        return TensorInternals.storage(dense(t)).floats();
    }

    /** conv1d(x (n, cin, l) or (cin, l), w (cout, cin/groups, k), bias (cout) or null): conv2d on height 1. */
    public static Tensor conv1d(Tensor x, Tensor w, Tensor bias, int stride, int padding, int dilation, int groups) {
        String op = "conv1d";
        checkTypes(op, x, w, bias);
        if (x.dim() == 2) {
            return conv1d(x.unsqueeze(0), w, bias, stride, padding, dilation, groups)
                    .squeeze(0);
        }
        if (x.dim() != 3 || w.dim() != 3) {
            throw new IllegalArgumentException(op + ": expected input (N, C, L) or (C, L) and weight "
                    + "(Cout, Cin/groups, k), got input " + Shape.str(TensorInternals.shapeRef(x)) + " and weight "
                    + Shape.str(TensorInternals.shapeRef(w)));
        }
        ConvOptions o = ConvOptions.of(new int[] {1, stride}, new int[] {0, padding}, new int[] {1, dilation}, groups);
        ConvGeometry g = geometry(
                op, TensorInternals.shapeRef(x), TensorInternals.shapeRef(w), bias, o); // messages name the 1-D shapes
        return describe(convolve(g, x.unsqueeze(2), w.unsqueeze(2), bias), o, false)
                .squeeze(2);
    }

    /**
     * convTranspose2d(x (n, cin, h, w) or (cin, h, w), w (cin, cout/groups, kh, kw), bias (cout) or
     * null), PyTorch's argument order.
     */
    public static Tensor convTranspose2d(
            Tensor x,
            Tensor w,
            Tensor bias,
            int[] stride,
            int[] padding,
            int[] outputPadding,
            int groups,
            int[] dilation) {
        return convTranspose2d(x, w, bias, ConvOptions.transposed(stride, padding, outputPadding, groups, dilation));
    }

    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvOptions o) {
        String op = "convTranspose2d";
        checkTypes(op, x, w, bias);
        if (x.dim() == 3) {
            return convTranspose2d(x.unsqueeze(0), w, bias, o).squeeze(0);
        }
        if (x.dim() != 4 || w.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected input (N, C, H, W) or (C, H, W) and weight "
                    + "(Cin, Cout/groups, kH, kW), got input " + Shape.str(TensorInternals.shapeRef(x)) + " and weight "
                    + Shape.str(TensorInternals.shapeRef(w)));
        }
        int[] xs = TensorInternals.shapeRef(x);
        int[] ws = TensorInternals.shapeRef(w);
        int groups = o.groups();
        if (ws[0] % groups != 0) {
            throw new IllegalArgumentException(op + ": weight " + Shape.str(ws) + " has " + ws[0]
                    + " input channels, not divisible by groups " + groups);
        }
        if (xs[1] != ws[0]) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(xs) + " has " + xs[1]
                    + " channels but weight " + Shape.str(ws) + " expects " + ws[0] + " (groups " + groups + ")");
        }
        int cout = ws[1] * groups;
        checkBias(op, bias, cout, ws);
        int[] s = o.stride();
        int[] p = o.padding();
        int[] d = o.dilation();
        int[] op2 = o.outputPadding();
        int outH = (xs[2] - 1) * s[0] - 2 * p[0] + d[0] * (ws[2] - 1) + op2[0] + 1;
        int outW = (xs[3] - 1) * s[1] - 2 * p[1] + d[1] * (ws[3] - 1) + op2[1] + 1;
        if (outH <= 0 || outW <= 0 || xs[2] == 0 || xs[3] == 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(xs) + " with weight " + Shape.str(ws)
                    + ", stride " + str(s) + ", padding " + str(p) + ", dilation " + str(d)
                    + " gives an empty output of size " + outH + "x" + outW);
        }
        // the conv whose input gradient this is: input (n, cout, outH, outW), output (n, cin, h, w)
        ConvGeometry g = new ConvGeometry(
                xs[0], cout, outH, outW, ws[0], ws[2], ws[3], s[0], s[1], p[0], p[1], d[0], d[1], groups, xs[2], xs[3]);
        Tensor xc = dense(x);
        Tensor wc = dense(w);
        Tensor out = Tensor.empty(x.dtype(), xs[0], cout, outH, outW);
        inputGrad(g, xc, wc, out);
        if (bias != null) {
            addBias(out, dense(bias), g.n(), cout, outH * outW);
        }
        return describe(record(g, true, x, w, bias, xc, wc, out, null, null), o, true);
    }

    /** Names the options on out's graph node (for tracers such as the ONNX exporter). */
    private static Tensor describe(Tensor out, ConvOptions o, boolean transposed) {
        return Autograd.annotate(
                out,
                "stride",
                o.stride(),
                "padding",
                o.padding(),
                "dilation",
                o.dilation(),
                "groups",
                o.groups(),
                "transposed",
                transposed,
                "output_padding",
                o.outputPadding());
    }

    // ---------------------------------------------------------------- conv2d core

    private static Tensor convolve(ConvGeometry g, Tensor x, Tensor w, Tensor bias) {
        Tensor xc = dense(x);
        Tensor wc = dense(w);
        Tensor out = Tensor.empty(x.dtype(), g.n(), g.cout(), g.oh(), g.ow());
        if (!keepsPaddedInput(g, x, w)) {
            forward(g, xc, wc, bias == null ? null : dense(bias), out);
            return record(g, false, x, w, bias, xc, wc, out, null, null);
        }
        Tensor padded = paddedInput(g);
        ConvKernels.forwardKeepingPaddedInput(
                g, floats(xc), 0, floats(wc), bias == null ? null : floats(bias), null, floats(out), floats(padded));
        return keepingPaddedInput(record(g, false, x, w, bias, xc, wc, out, null, padded), padded);
    }

    /**
     * A pooled buffer for the padded channels-last copy of g's input that the forward makes and the weight gradient
     * reads ({@link ConvKernels#forwardKeepingPaddedInput}): made once instead of twice.
     */
    private static Tensor paddedInput(ConvGeometry g) {
        int length = ConvKernels.paddedInputLength(g);
        return TensorInternals.wrap(InferenceMode.unrecordedOutputStorage(length), new int[] {length});
    }

    /** recorded, whose op hands padded back to the pool once a backward pass has freed its saved tensors. */
    private static Tensor keepingPaddedInput(Tensor recorded, Tensor padded) {
        Autograd.onRelease(recorded, () -> InferenceMode.recycleUnrecorded(padded));
        return recorded;
    }

    /** True when x's padded copy is kept for the weight gradient: a float32 Winograd forward whose w needs a grad. */
    private static boolean keepsPaddedInput(ConvGeometry g, Tensor x, Tensor w) {
        return x.dtype() == DType.FLOAT32
                && w.dtype() == DType.FLOAT32
                && Autograd.needsGrad(w)
                && ConvKernels.keepsPaddedInput(g);
    }

    /**
     * Records the fused backward of out (n, c, oh, ow). A conv and a transposed conv share the three
     * kernels with the roles exchanged; g is the conv itself, or for a transposed conv the conv whose
     * input gradient it computes:
     * <pre>
     *   conv2d            gx = inputGrad(g, gy, w)    gw = weightGrad(g, gradOut = gy, input = x)
     *   convTranspose2d   gx = forward(g, gy, w)      gw = weightGrad(g, gradOut = x, input = gy)
     *   both              gb = sum of gy over n, oh, ow
     * </pre>
     * With an addend (out = conv + addend, {@link #conv2dAddClamped}), the op is {@code ConvolutionAddBackward} and
     * the addend's gradient is gy itself, as add's. padded: the padded input the forward kept for the weight
     * gradient ({@link ConvKernels#forwardKeepingPaddedInput}), or null.
     */
    private static Tensor record(
            ConvGeometry g,
            boolean transposed,
            Tensor x,
            Tensor w,
            Tensor bias,
            Tensor xc,
            Tensor wc,
            Tensor out,
            Tensor addend,
            Tensor padded) {
        DType dt = x.dtype();
        int[] xs = x.shape();
        int[] ws = w.shape();
        int n = out.size(0);
        int channels = out.size(1);
        int pixels = out.size(2) * out.size(3);
        String name = addend == null ? "ConvolutionBackward0" : "ConvolutionAddBackward";
        Tensor[] inputs = addend == null ? new Tensor[] {x, w, bias} : new Tensor[] {x, w, bias, addend};
        return Autograd.record(name, out, inputs, new Tensor[] {xc, wc}, (gy, sv) -> {
            Tensor gc = dense(gy);
            Tensor gx = x.requiresGrad() ? Ops.output(dt, xs) : null; // written whole
            Tensor gw = w.requiresGrad() ? Ops.output(dt, ws) : null;
            if (!transposed && dt == DType.FLOAT32) { // the two gradients sharing their work
                ConvKernels.backward(
                        g,
                        floats(gc),
                        floats(sv[1]),
                        floats(sv[0]),
                        0,
                        padded == null ? null : floats(padded),
                        gx == null ? null : floats(gx),
                        gw == null ? null : floats(gw));
            } else {
                if (gx != null && transposed) {
                    forward(g, gc, sv[1], null, gx);
                } else if (gx != null) {
                    inputGrad(g, gc, sv[1], gx);
                }
                if (gw != null && transposed) {
                    weightGrad(g, sv[0], gc, gw);
                } else if (gw != null) {
                    weightGrad(g, gc, sv[0], gw);
                }
            }
            Tensor gb = bias != null && bias.requiresGrad() ? channelSum(gc, n, channels, pixels) : null;
            return addend == null ? new Tensor[] {gx, gw, gb} : new Tensor[] {gx, gw, gb, gy};
        });
    }

    /** out = conv(x, w) + b for contiguous offset-0 tensors of one dtype; out is fresh. */
    private static void forward(ConvGeometry g, Tensor x, Tensor w, Tensor b, Tensor out) {
        if (x.dtype() == DType.FLOAT64) {
            ConvReference.forward(
                    g,
                    TensorInternals.storage(x).doubles(),
                    TensorInternals.storage(w).doubles(),
                    b == null ? null : TensorInternals.storage(b).doubles(),
                    TensorInternals.storage(out).doubles());
            return;
        }
        ConvKernels.forward(
                g,
                TensorInternals.storage(x).floats(),
                0,
                TensorInternals.storage(w).floats(),
                b == null ? null : TensorInternals.storage(b).floats(),
                TensorInternals.storage(out).floats());
    }

    /** gradIn = input gradient of the conv g for gradOut (all contiguous, offset 0). */
    private static void inputGrad(ConvGeometry g, Tensor gradOut, Tensor w, Tensor gradIn) {
        if (gradOut.dtype() == DType.FLOAT64) {
            ConvReference.backwardInput(
                    g,
                    TensorInternals.storage(gradOut).doubles(),
                    TensorInternals.storage(w).doubles(),
                    TensorInternals.storage(gradIn).doubles());
            return;
        }
        ConvKernels.backwardInput(
                g,
                TensorInternals.storage(gradOut).floats(),
                TensorInternals.storage(w).floats(),
                TensorInternals.storage(gradIn).floats());
    }

    /** gradW = weight gradient of the conv g (all contiguous, offset 0). */
    private static void weightGrad(ConvGeometry g, Tensor gradOut, Tensor x, Tensor gradW) {
        if (gradOut.dtype() == DType.FLOAT64) {
            ConvReference.backwardWeight(
                    g,
                    TensorInternals.storage(gradOut).doubles(),
                    TensorInternals.storage(x).doubles(),
                    TensorInternals.storage(gradW).doubles());
            return;
        }
        ConvKernels.backwardWeight(
                g,
                TensorInternals.storage(gradOut).floats(),
                TensorInternals.storage(x).floats(),
                0,
                TensorInternals.storage(gradW).floats());
    }

    /** (c) sums of t (n, c, p) over n and p. */
    private static Tensor channelSum(Tensor t, int n, int c, int p) {
        Tensor out = Tensor.empty(t.dtype(), c);
        if (t.dtype() == DType.FLOAT64) {
            ConvReference.channelSum(
                    TensorInternals.storage(t).doubles(),
                    n,
                    c,
                    p,
                    TensorInternals.storage(out).doubles());
        } else {
            ConvKernels.channelSum(
                    TensorInternals.storage(t).floats(),
                    n,
                    c,
                    p,
                    TensorInternals.storage(out).floats());
        }
        return out;
    }

    /** out (n, c, p) += bias[c]. */
    private static void addBias(Tensor out, Tensor bias, int n, int c, int p) {
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (b * c + ch) * p;
                if (out.dtype() == DType.FLOAT64) {
                    double[] o = TensorInternals.storage(out).doubles();
                    double v = TensorInternals.storage(bias).doubles()[ch];
                    for (int q = 0; q < p; q++) {
                        o[base + q] += v;
                    }
                } else {
                    float[] o = TensorInternals.storage(out).floats();
                    float v = TensorInternals.storage(bias).floats()[ch];
                    for (int q = 0; q < p; q++) {
                        o[base + q] += v;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- validation

    private static void checkTypes(String op, Tensor x, Tensor w, Tensor bias) {
        if (x == null || w == null) {
            throw new IllegalArgumentException(op + ": input and weight must not be null");
        }
        Ops.requireSameFloat(op, x, w, bias);
    }

    private static void checkBias(String op, Tensor bias, int cout, int[] ws) {
        if (bias != null && (bias.dim() != 1 || bias.size(0) != cout)) {
            throw new IllegalArgumentException(op + ": bias " + Shape.str(TensorInternals.shapeRef(bias))
                    + " must have shape [" + cout + "] to match weight " + Shape.str(ws));
        }
    }

    /**
     * Validates a conv on the caller's shapes, 1-D (input (N, C, L), weight (Cout, C/groups, k)) or
     * 2-D (N, C, H, W), so messages name what was passed, and returns the 2-D geometry the kernels
     * run (a 1-D conv is a 2-D one of height 1; its options hold the length axis at index 1).
     */
    private static ConvGeometry geometry(String op, int[] xs, int[] ws, Tensor bias, ConvOptions o) {
        int groups = o.groups();
        if (ws[0] % groups != 0) {
            throw new IllegalArgumentException(op + ": weight " + Shape.str(ws) + " has " + ws[0]
                    + " output channels, not divisible by groups " + groups);
        }
        if (xs[1] % groups != 0) {
            throw new IllegalArgumentException(
                    op + ": input " + Shape.str(xs) + " has " + xs[1] + " channels, not divisible by groups " + groups);
        }
        if (xs[1] != ws[1] * groups) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(xs) + " has " + xs[1]
                    + " channels but weight " + Shape.str(ws) + " expects " + ws[1] * groups
                    + " (groups " + groups + ")");
        }
        checkBias(op, bias, ws[0], ws);
        int[] s = o.stride();
        int[] p = o.padding();
        int[] d = o.dilation();
        int spatial = xs.length - 2;
        for (int a = 0; a < spatial; a++) {
            int axis = 2 - spatial + a; // index into the options
            int padded = xs[2 + a] + 2 * p[axis];
            int extent = d[axis] * (ws[2 + a] - 1) + 1;
            if (ws[2 + a] < 1 || padded < extent) {
                throw new IllegalArgumentException(op + ": kernel " + Shape.str(ws) + " (dilated size " + extent
                        + ") is larger than the padded input " + Shape.str(xs) + " (size " + padded + " with padding "
                        + p[axis] + ")");
            }
        }
        int h = spatial == 2 ? xs[2] : 1;
        int kh = spatial == 2 ? ws[2] : 1;
        return ConvGeometry.of(
                xs[0],
                xs[1],
                h,
                xs[xs.length - 1],
                ws[0],
                kh,
                ws[ws.length - 1],
                s[0],
                s[1],
                p[0],
                p[1],
                d[0],
                d[1],
                groups);
    }

    private static String str(int[] v) {
        return java.util.Arrays.toString(v);
    }

    /** t detached and dense (contiguous, offset 0 of a storage of exactly its size): the kernels' operands. */
    private static Tensor dense(Tensor t) {
        Tensor d = t.detach();
        return d.isDense() ? d : d.contiguousCopy();
    }
}
