package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.InferenceMode;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.PoolKernels;
import dev.torchlet.kernels.PoolReference;
import java.util.Arrays;

/**
 * Max, average and adaptive pooling over (N, C, H, W) or unbatched (C, H, W) inputs, and 1-D max
 * pooling over (N, C, L) or (C, L), with PyTorch's output sizes (floor or ceil mode), padding,
 * dilation and index conventions (flat {@code h * W + w} per plane). float32 runs the fast
 * {@link PoolKernels}; float64 (gradient checks) runs {@link PoolReference}. Backward is a fused
 * scatter kernel (through the saved argmax indices for max pooling).
 */
public final class Pooling {
    private Pooling() {}

    // ---------------------------------------------------------------- max pooling

    /** MaxPool2d(k): kernel k, stride k, no padding. */
    public static Tensor maxPool2d(Tensor x, int kernel) {
        return maxPool2d(x, new int[] {kernel}, null, new int[] {0}, new int[] {1}, false);
    }

    /**
     * 2-D max pooling. Each of kernel, stride, padding, dilation has 1 (square) or 2 entries;
     * stride null means stride = kernel. Output (N, C, OH, OW) with
     * OH = floor-or-ceil((H + 2p - d(k - 1) - 1) / s) + 1 (a ceil-mode window must start inside
     * the input or left padding).
     */
    public static Tensor maxPool2d(
            Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return maxPool(
                        "max_pool2d",
                        "MaxPool2DWithIndicesBackward0",
                        x,
                        kernel,
                        stride,
                        padding,
                        dilation,
                        ceilMode,
                        false)
                .values();
    }

    /** 2-D max pooling that also returns the int64 argmax indices (flat h * W + w within each plane). */
    public static Tensor.ValuesIndices maxPool2dWithIndices(
            Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return maxPool(
                "max_pool2d", "MaxPool2DWithIndicesBackward0", x, kernel, stride, padding, dilation, ceilMode, true);
    }

    /** 1-D max pooling over (N, C, L) or (C, L); stride 0 means stride = kernel. */
    public static Tensor maxPool1d(Tensor x, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return maxPool1dWithIndices(x, kernel, stride, padding, dilation, ceilMode, false)
                .values();
    }

    /** 1-D max pooling with int64 indices (positions along L). */
    public static Tensor.ValuesIndices maxPool1dWithIndices(
            Tensor x, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return maxPool1dWithIndices(x, kernel, stride, padding, dilation, ceilMode, true);
    }

    private static Tensor.ValuesIndices maxPool1dWithIndices(
            Tensor x, int kernel, int stride, int padding, int dilation, boolean ceilMode, boolean wantIndices) {
        if (x.dim() != 2 && x.dim() != 3) {
            throw new IllegalArgumentException("max_pool1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape "
                    + Shape.str(TensorInternals.shapeRef(x)));
        }
        // (..., L) -> (..., 1, L): a 1 x kernel window on a height-1 plane; indices along L are h*W + w = w
        Tensor.ValuesIndices r = maxPool(
                "max_pool1d",
                "MaxPool2DWithIndicesBackward0",
                x.unsqueeze(-2),
                new int[] {1, kernel},
                new int[] {1, stride == 0 ? kernel : stride},
                new int[] {0, padding},
                new int[] {1, dilation},
                ceilMode,
                wantIndices);
        return new Tensor.ValuesIndices(
                r.values().squeeze(-2), r.indices() == null ? null : r.indices().squeeze(-2));
    }

    private static Tensor.ValuesIndices maxPool(
            String op,
            String node,
            Tensor x,
            int[] kernel,
            int[] stride,
            int[] padding,
            int[] dilation,
            boolean ceilMode,
            boolean wantIndices) {
        Input in = input(op, x);
        PoolKernels.Geometry g = geometry(op, in, kernel, stride, padding, dilation, ceilMode, true);
        boolean grad = Autograd.needsGrad(x);
        DType dt = x.dtype();
        if (!grad && !wantIndices && dt == DType.FLOAT32 && in.batched() && Ops.isChannelsLast(x)) {
            return new Tensor.ValuesIndices(maxPoolChannelsLast(x, in, g), null);
        }
        Tensor xd = dense(x, dt);
        Tensor out = Tensor.empty(dt, in.outShape(g.outH(), g.outW()));
        long[] idx = grad || wantIndices ? new long[in.planes() * g.outPlane()] : null;
        if (dt == DType.FLOAT32) {
            PoolKernels.maxForward(
                    TensorInternals.storage(xd).floats(),
                    in.planes(),
                    g,
                    TensorInternals.storage(out).floats(),
                    idx);
        } else {
            PoolReference.maxForward(
                    TensorInternals.storage(xd).doubles(),
                    in.planes(),
                    g,
                    TensorInternals.storage(out).doubles(),
                    idx);
        }
        Tensor indices = idx == null ? null : TensorInternals.wrap(Storage.of(idx), TensorInternals.shapeRef(out));
        recordMaxBackward(node, x, out, indices, in.planes(), g.inPlane(), g.outPlane());
        describe(out, g, ceilMode, "dilation", new int[] {g.dH(), g.dW()});
        return new Tensor.ValuesIndices(out, wantIndices ? indices : null);
    }

    /**
     * Inference max pooling of a channels-last batch ({@link dev.torchlet.MemoryFormat}); the output is
     * channels-last too, as in PyTorch.
     */
    private static Tensor maxPoolChannelsLast(Tensor x, Input in, PoolKernels.Geometry g) {
        int n = in.shape()[0];
        int c = in.shape()[1];
        Storage out = InferenceMode.unrecordedOutputStorage(n * c * g.outPlane()); // written whole
        PoolKernels.maxForwardChannelsLast(TensorInternals.storage(x).floats(), x.offset(), n, c, g, out.floats());
        int[] shape = {n, c, g.outH(), g.outW()};
        int[] strides = {g.outPlane() * c, 1, g.outW() * c, c};
        return TensorInternals.wrap(out, 0, shape, strides);
    }

    private static void recordMaxBackward(
            String node, Tensor x, Tensor out, Tensor indices, int planes, int inPlane, int outPlane) {
        int[] inShape = x.shape();
        DType dt = x.dtype();
        Autograd.record(node, out, new Tensor[] {x}, new Tensor[] {indices}, (gOut, s) -> {
            long[] idx = TensorInternals.storage(s[0]).longs();
            Tensor gd = dense(gOut, dt);
            Tensor gx = Tensor.empty(dt, inShape);
            if (dt == DType.FLOAT32) {
                PoolKernels.maxBackward(
                        TensorInternals.storage(gd).floats(),
                        idx,
                        planes,
                        inPlane,
                        outPlane,
                        TensorInternals.storage(gx).floats());
            } else {
                PoolReference.maxBackward(
                        TensorInternals.storage(gd).doubles(),
                        idx,
                        planes,
                        inPlane,
                        outPlane,
                        TensorInternals.storage(gx).doubles());
            }
            return new Tensor[] {gx};
        });
    }

    // ---------------------------------------------------------------- average pooling

    /** AvgPool2d(k): kernel k, stride k, no padding, countIncludePad true. */
    public static Tensor avgPool2d(Tensor x, int kernel) {
        return avgPool2d(x, new int[] {kernel}, null, new int[] {0}, false, true);
    }

    /**
     * 2-D average pooling. The divisor is the window clipped to the padded input when
     * countIncludePad, else the number of real input elements in the window (PyTorch's rule).
     */
    public static Tensor avgPool2d(
            Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        String op = "avg_pool2d";
        Input in = input(op, x);
        PoolKernels.Geometry g = geometry(op, in, kernel, stride, padding, new int[] {1}, ceilMode, false);
        DType dt = x.dtype();
        Tensor xd = dense(x, dt);
        Tensor out = Tensor.empty(dt, in.outShape(g.outH(), g.outW()));
        if (dt == DType.FLOAT32) {
            PoolKernels.avgForward(
                    TensorInternals.storage(xd).floats(),
                    in.planes(),
                    g,
                    countIncludePad,
                    TensorInternals.storage(out).floats());
        } else {
            PoolReference.avgForward(
                    TensorInternals.storage(xd).doubles(),
                    in.planes(),
                    g,
                    countIncludePad,
                    TensorInternals.storage(out).doubles());
        }
        int[] inShape = x.shape();
        int planes = in.planes();
        Autograd.record("AvgPool2DBackward0", out, new Tensor[] {x}, new Tensor[0], (gOut, s) -> {
            Tensor gd = dense(gOut, dt);
            Tensor gx = Tensor.empty(dt, inShape);
            if (dt == DType.FLOAT32) {
                PoolKernels.avgBackward(
                        TensorInternals.storage(gd).floats(),
                        planes,
                        g,
                        countIncludePad,
                        TensorInternals.storage(gx).floats());
            } else {
                PoolReference.avgBackward(
                        TensorInternals.storage(gd).doubles(),
                        planes,
                        g,
                        countIncludePad,
                        TensorInternals.storage(gx).doubles());
            }
            return new Tensor[] {gx};
        });
        return describe(out, g, ceilMode, "count_include_pad", countIncludePad);
    }

    // ---------------------------------------------------------------- adaptive pooling

    /**
     * Adaptive average pooling to (outH, outW): output (i, j) averages rows
     * [floor(i*H/outH), ceil((i+1)*H/outH)) and the same for columns.
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        String op = "adaptive_avg_pool2d";
        Input in = input(op, x);
        checkAdaptive(op, x, outH, outW);
        DType dt = x.dtype();
        Tensor out = Tensor.empty(dt, in.outShape(outH, outW));
        int h = in.h();
        int w = in.w();
        int planes = in.planes();
        if (outH == 1 && outW == 1 && dt == DType.FLOAT32 && Ops.isChannelsLast(x)) {
            // a CNN's global pooling of channels-last features: read in place, channels across the lanes
            int[] s = TensorInternals.shapeRef(x);
            PoolKernels.globalAvgChannelsLast(
                    TensorInternals.storage(x).floats(),
                    x.offset(),
                    s[0],
                    h * w,
                    s[1],
                    TensorInternals.storage(out).floats());
        } else if (dt == DType.FLOAT32) {
            Tensor xd = dense(x, dt);
            PoolKernels.adaptiveAvgForward(
                    TensorInternals.storage(xd).floats(),
                    planes,
                    h,
                    w,
                    outH,
                    outW,
                    TensorInternals.storage(out).floats());
        } else {
            Tensor xd = dense(x, dt);
            PoolReference.adaptiveAvgForward(
                    TensorInternals.storage(xd).doubles(),
                    planes,
                    h,
                    w,
                    outH,
                    outW,
                    TensorInternals.storage(out).doubles());
        }
        int[] inShape = x.shape();
        Autograd.record("AdaptiveAvgPool2DBackward0", out, new Tensor[] {x}, new Tensor[0], (gOut, s) -> {
            Tensor gd = dense(gOut, dt);
            Tensor gx = Tensor.empty(dt, inShape);
            if (dt == DType.FLOAT32) {
                PoolKernels.adaptiveAvgBackward(
                        TensorInternals.storage(gd).floats(),
                        planes,
                        h,
                        w,
                        outH,
                        outW,
                        TensorInternals.storage(gx).floats());
            } else {
                PoolReference.adaptiveAvgBackward(
                        TensorInternals.storage(gd).doubles(),
                        planes,
                        h,
                        w,
                        outH,
                        outW,
                        TensorInternals.storage(gx).doubles());
            }
            return new Tensor[] {gx};
        });
        return Autograd.annotate(out, "output_size", new int[] {outH, outW});
    }

    /** Adaptive max pooling over the same bins as {@link #adaptiveAvgPool2d}. */
    public static Tensor adaptiveMaxPool2d(Tensor x, int outH, int outW) {
        return adaptiveMax(x, outH, outW, false).values();
    }

    /** Adaptive max pooling with int64 indices (flat h * W + w within each plane). */
    public static Tensor.ValuesIndices adaptiveMaxPool2dWithIndices(Tensor x, int outH, int outW) {
        return adaptiveMax(x, outH, outW, true);
    }

    private static Tensor.ValuesIndices adaptiveMax(Tensor x, int outH, int outW, boolean wantIndices) {
        String op = "adaptive_max_pool2d";
        Input in = input(op, x);
        checkAdaptive(op, x, outH, outW);
        DType dt = x.dtype();
        Tensor xd = dense(x, dt);
        Tensor out = Tensor.empty(dt, in.outShape(outH, outW));
        long[] idx = wantIndices || Autograd.needsGrad(x) ? new long[in.planes() * outH * outW] : null;
        if (dt == DType.FLOAT32) {
            PoolKernels.adaptiveMaxForward(
                    TensorInternals.storage(xd).floats(),
                    in.planes(),
                    in.h(),
                    in.w(),
                    outH,
                    outW,
                    TensorInternals.storage(out).floats(),
                    idx);
        } else {
            PoolReference.adaptiveMaxForward(
                    TensorInternals.storage(xd).doubles(),
                    in.planes(),
                    in.h(),
                    in.w(),
                    outH,
                    outW,
                    TensorInternals.storage(out).doubles(),
                    idx);
        }
        Tensor indices = idx == null ? null : TensorInternals.wrap(Storage.of(idx), TensorInternals.shapeRef(out));
        recordMaxBackward("AdaptiveMaxPool2DBackward0", x, out, indices, in.planes(), in.h() * in.w(), outH * outW);
        return new Tensor.ValuesIndices(out, wantIndices ? indices : null);
    }

    private static void checkAdaptive(String op, Tensor x, int outH, int outW) {
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException(op + ": output size must be positive, got " + outH + "x" + outW
                    + " for input " + Shape.str(TensorInternals.shapeRef(x)));
        }
    }

    // ---------------------------------------------------------------- shapes and arguments

    /** A validated pooling input: (N, C, H, W) or unbatched (C, H, W), as planes = N*C of H x W. */
    private record Input(int[] shape, boolean batched, int planes, int h, int w) {
        int[] outShape(int oh, int ow) {
            return batched ? new int[] {shape[0], shape[1], oh, ow} : new int[] {shape[0], oh, ow};
        }
    }

    private static Input input(String op, Tensor x) {
        int[] s = TensorInternals.shapeRef(x);
        if (s.length != 3 && s.length != 4) {
            throw new IllegalArgumentException(
                    op + ": expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape " + Shape.str(s));
        }
        Ops.requireFloat(op, x);
        int h = s[s.length - 2];
        int w = s[s.length - 1];
        int c = s[s.length - 3];
        if (h == 0 || w == 0 || c == 0) {
            throw new IllegalArgumentException(
                    op + ": expected non-empty channel and spatial dims, got shape " + Shape.str(s));
        }
        int planes = s.length == 4 ? s[0] * c : c;
        return new Input(s.clone(), s.length == 4, planes, h, w);
    }

    /** A 1- or 2-entry argument as (h, w); null gives the default. */
    private static int[] pair(String op, String what, int[] v, int[] dflt) {
        if (v == null) {
            return dflt;
        }
        if (v.length == 1) {
            return new int[] {v[0], v[0]};
        }
        if (v.length != 2) {
            throw new IllegalArgumentException(
                    op + ": " + what + " must have 1 or 2 entries, got " + Arrays.toString(v));
        }
        return v.clone();
    }

    private static String hw(int[] v) {
        return v[0] == v[1] ? String.valueOf(v[0]) : v[0] + "x" + v[1];
    }

    /**
     * The geometry of max_pool2d over an (n, c, h, w) input, checked as {@link #maxPool2d} checks it (the fused
     * convolution + pooling computes it before the convolution's output exists).
     */
    static PoolKernels.Geometry maxPool2dGeometry(
            int n, int c, int h, int w, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        Input in = new Input(new int[] {n, c, h, w}, true, n * c, h, w);
        return geometry("max_pool2d", in, kernel, stride, padding, dilation, ceilMode, true);
    }

    private static PoolKernels.Geometry geometry(
            String op,
            Input in,
            int[] kernel,
            int[] stride,
            int[] padding,
            int[] dilation,
            boolean ceilMode,
            boolean dilated) {
        int[] k = pair(op, "kernel", kernel, null);
        if (k == null) {
            throw new IllegalArgumentException(op + ": kernel size is required");
        }
        int[] st = pair(op, "stride", stride, k);
        int[] p = pair(op, "padding", padding, new int[] {0, 0});
        int[] d = pair(op, "dilation", dilation, new int[] {1, 1});
        if (k[0] <= 0 || k[1] <= 0) {
            throw new IllegalArgumentException(op + ": kernel size must be positive, got " + hw(k));
        }
        if (st[0] <= 0 || st[1] <= 0) {
            throw new IllegalArgumentException(op + ": stride must be positive, got " + hw(st));
        }
        if (d[0] <= 0 || d[1] <= 0) {
            throw new IllegalArgumentException(op + ": dilation must be positive, got " + hw(d));
        }
        if (p[0] < 0 || p[1] < 0 || p[0] > k[0] / 2 || p[1] > k[1] / 2) {
            throw new IllegalArgumentException(
                    op + ": padding " + hw(p) + " must be non-negative and at most half " + "of kernel " + hw(k));
        }
        int oh = outSize(in.h(), k[0], p[0], st[0], d[0], ceilMode);
        int ow = outSize(in.w(), k[1], p[1], st[1], d[1], ceilMode);
        if (oh < 1 || ow < 1) {
            if (op.endsWith("1d")) { // (..., 1, L) internally: report the 1-D sizes
                String dil = d[1] != 1 ? " (dilation " + d[1] + ")" : "";
                throw new IllegalArgumentException(op + ": kernel " + k[1] + dil
                        + " is larger than padded input length " + (in.w() + 2 * p[1]) + " (padding " + p[1] + ")");
            }
            String dil = dilated && (d[0] != 1 || d[1] != 1) ? " (dilation " + hw(d) + ")" : "";
            throw new IllegalArgumentException(op + ": kernel " + hw(k) + dil + " is larger than padded input "
                    + (in.h() + 2 * p[0]) + "x" + (in.w() + 2 * p[1]) + " (input " + Shape.str(in.shape())
                    + ", padding " + hw(p) + ")");
        }
        return new PoolKernels.Geometry(in.h(), in.w(), oh, ow, k[0], k[1], st[0], st[1], p[0], p[1], d[0], d[1]);
    }

    /** PyTorch's pooling_output_shape (ceil mode: the last window must start inside the input or left padding). */
    /** Names the window on out's graph node (for tracers such as the ONNX exporter). */
    private static Tensor describe(Tensor out, PoolKernels.Geometry g, boolean ceilMode, String key, Object value) {
        return Autograd.annotate(
                out,
                "kernel",
                new int[] {g.kH(), g.kW()},
                "stride",
                new int[] {g.sH(), g.sW()},
                "padding",
                new int[] {g.pH(), g.pW()},
                "ceil_mode",
                ceilMode,
                key,
                value);
    }

    public static int outSize(int in, int k, int pad, int stride, int dil, boolean ceil) {
        long num = (long) in + 2L * pad - (long) dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
        long out = Math.floorDiv(num, stride) + 1;
        if (ceil && (out - 1) * stride >= (long) in + pad) {
            out--;
        }
        return (int) Math.max(out, 0);
    }

    /** t's values as a contiguous, offset-0 tensor of dtype dt (t itself when it already is one). No autograd. */
    static Tensor dense(Tensor t, DType dt) {
        if (t.dtype() == dt && t.isDense()) {
            return t;
        }
        return Conversion.rawCopy(t, dt);
    }
}
