package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.MemoryFormat;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.NormKernels;
import dev.torchlet.kernels.NormReference;
import java.util.Arrays;

/**
 * Batch, layer and group normalization with fused forward and backward kernels. float32 runs
 * {@link NormKernels}; float64 (gradient checks) runs {@link NormReference}. Inputs are read as
 * (N, C, S) with S the product of the trailing dims, or as (rows, D) for layer norm.
 */
public final class Normalization {
    private Normalization() {}

    /**
     * Batch norm over (N, C), (N, C, L) or (N, C, H, W), like {@code torch.nn.functional.batch_norm}.
     *
     * <p>training: normalizes with the batch mean and biased variance over (N, *) per channel and,
     * when running stats are given, updates them in place:
     * {@code running = (1 - momentum) * running + momentum * stat}, with the unbiased variance
     * (M / (M - 1)) for runningVar. eval: normalizes with runningMean / runningVar (required).
     * y = (x - mean) / sqrt(var + eps) * weight + bias; weight, bias (C) may be null.
     */
    public static Tensor batchNorm(
            Tensor x,
            Tensor runningMean,
            Tensor runningVar,
            Tensor weight,
            Tensor bias,
            boolean training,
            double momentum,
            double eps) {
        return batchNormAddClamped(
                x,
                runningMean,
                runningVar,
                weight,
                bias,
                training,
                momentum,
                eps,
                null,
                Float.NEGATIVE_INFINITY,
                Float.POSITIVE_INFINITY);
    }

    /**
     * clamp({@link #batchNorm} + addend, lo, hi); addend (x's shape) may be null. When nothing needs a gradient and
     * x is float32 channels-last (a frozen network: transfer learning's backbone, batch norms on batch statistics),
     * the addition and the clamp happen as the normalized values are stored, one pass over x instead of three, with
     * the same values; otherwise they are the separate ops.
     */
    public static Tensor batchNormAddClamped(
            Tensor x,
            Tensor runningMean,
            Tensor runningVar,
            Tensor weight,
            Tensor bias,
            boolean training,
            double momentum,
            double eps,
            Tensor addend,
            float lo,
            float hi) {
        String op = "batch_norm";
        int[] s = channelInput(op, x);
        int n = s[0];
        int c = s[1];
        int sp = Shape.numel(s) / Math.max(1, n * c);
        checkVector(op, "weight", weight, c);
        checkVector(op, "bias", bias, c);
        checkVector(op, "running_mean", runningMean, c);
        checkVector(op, "running_var", runningVar, c);
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(
                    op + ": running_mean and running_var must both be given or both " + "be null");
        }
        if (!training && runningMean == null) {
            throw new IllegalArgumentException(op + ": eval mode (training=false) needs running_mean and running_var");
        }
        boolean unrecorded = !Autograd.needsGrad(x, weight, bias, addend);
        if (addend != null && !Arrays.equals(TensorInternals.shapeRef(addend), s)) {
            throw new IllegalArgumentException(
                    op + ": the addend's shape " + Shape.str(addend.shape()) + " is not the input's " + Shape.str(s));
        }
        if (Ops.isChannelsLast(x) && unrecorded) {
            // channels-last in inference (or a frozen network): batch norm of the (N*H*W, C) rows, channels-last out
            int[] nhwc = TensorInternals.shapeRef(Ops.nhwcView(x));
            Tensor rows = Ops.nhwcView(x).reshape(nhwc[0] * nhwc[1] * nhwc[2], c);
            Tensor addRows = addend == null
                    ? null
                    : Ops.nhwcView(addend.contiguous(MemoryFormat.CHANNELS_LAST))
                            .reshape(rows.shape());
            Tensor y = batchNormAddClamped(
                    rows, runningMean, runningVar, weight, bias, training, momentum, eps, addRows, lo, hi);
            return Ops.nchwView(y.reshape(nhwc));
        }
        boolean epilogue = addend != null || lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        boolean fusedEpilogue =
                epilogue && unrecorded && sp == 1 && f32(x) && (addend == null || addend.dtype() == DType.FLOAT32);
        if (epilogue && !fusedEpilogue) {
            Tensor y = batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
            y = addend == null ? y : y.add(addend);
            if (lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY) {
                return y;
            }
            return lo == 0f && hi == Float.POSITIVE_INFINITY ? y.relu() : y.clamp(lo, hi);
        }
        Tensor addDense = fusedEpilogue && addend != null ? dense(addend, DType.FLOAT32) : null;
        long m = (long) n * sp;
        if (training && m <= 1) {
            throw new IllegalArgumentException(
                    op + ": expected more than 1 value per channel when training, got input " + "size " + Shape.str(s));
        }
        Tensor normalized = normalize(
                "NativeBatchNormBackward0",
                x,
                weight,
                bias,
                new int[] {c},
                c,
                (xd, wd, bd, out, mean, invstd) -> {
                    if (training) {
                        double[] var = new double[c];
                        if (f32(xd)) {
                            NormKernels.batchStats(TensorInternals.storage(xd).floats(), n, c, sp, mean, var);
                        } else {
                            NormReference.batchStats(TensorInternals.storage(xd).doubles(), n, c, sp, mean, var);
                        }
                        for (int ch = 0; ch < c; ch++) {
                            invstd[ch] = 1.0 / Math.sqrt(var[ch] + eps);
                        }
                        if (runningMean != null) {
                            updateRunning(runningMean, mean, momentum, 1.0);
                            updateRunning(runningVar, var, momentum, (double) m / (m - 1));
                        }
                    } else {
                        double[] rm = runningMean.toDoubleArray();
                        double[] rv = runningVar.toDoubleArray();
                        for (int ch = 0; ch < c; ch++) {
                            mean[ch] = rm[ch];
                            invstd[ch] = 1.0 / Math.sqrt(rv[ch] + eps);
                        }
                    }
                    if (fusedEpilogue) {
                        NormKernels.batchNormApplyAddClamped(
                                TensorInternals.storage(xd).floats(),
                                n,
                                c,
                                mean,
                                invstd,
                                floats(wd),
                                floats(bd),
                                floats(addDense),
                                lo,
                                hi,
                                TensorInternals.storage(out).floats());
                    } else if (f32(xd)) {
                        NormKernels.batchNormApply(
                                TensorInternals.storage(xd).floats(),
                                n,
                                c,
                                sp,
                                mean,
                                invstd,
                                floats(wd),
                                floats(bd),
                                TensorInternals.storage(out).floats());
                    } else {
                        NormReference.batchNormApply(
                                TensorInternals.storage(xd).doubles(),
                                n,
                                c,
                                sp,
                                mean,
                                invstd,
                                doubles(wd),
                                doubles(bd),
                                TensorInternals.storage(out).doubles());
                    }
                },
                (gd, xs, ws, mean, invstd, gx, gw, gb) -> {
                    if (f32(xs)) {
                        NormKernels.batchNormBackward(
                                TensorInternals.storage(gd).floats(),
                                TensorInternals.storage(xs).floats(),
                                n,
                                c,
                                sp,
                                mean,
                                invstd,
                                floats(ws),
                                training,
                                floats(gx),
                                floats(gw),
                                floats(gb));
                    } else {
                        NormReference.batchNormBackward(
                                TensorInternals.storage(gd).doubles(),
                                TensorInternals.storage(xs).doubles(),
                                n,
                                c,
                                sp,
                                mean,
                                invstd,
                                doubles(ws),
                                training,
                                doubles(gx),
                                doubles(gw),
                                doubles(gb));
                    }
                });
        return Autograd.annotate(
                normalized, "eps", eps, "training", training, "running_mean", runningMean, "running_var", runningVar);
    }

    /** running = (1 - momentum) * running + momentum * stat * correction, in place (any float dtype, strided). */
    private static void updateRunning(Tensor running, double[] stat, double momentum, double correction) {
        int stride = running.dim() == 0 ? 0 : TensorInternals.stridesRef(running)[0];
        int off = running.offset();
        var st = TensorInternals.storage(running);
        st.bumpVersion();
        for (int ch = 0; ch < stat.length; ch++) {
            int p = off + ch * stride;
            st.setDouble(p, (1 - momentum) * st.getDouble(p) + momentum * stat[ch] * correction);
        }
    }

    /**
     * Layer norm over the trailing dims given by normalizedShape, like
     * {@code torch.nn.functional.layer_norm}: y = (x - mean) / sqrt(var + eps) * weight + bias with
     * biased var per row; weight and bias (normalizedShape) may be null.
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        String op = "layer_norm";
        Ops.requireFloat(op, x);
        int[] s = TensorInternals.shapeRef(x);
        int k = normalizedShape.length;
        boolean ok = k >= 1
                && k <= s.length
                && Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape);
        if (!ok) {
            throw new IllegalArgumentException(op + ": normalized shape " + Arrays.toString(normalizedShape)
                    + " must be a non-empty suffix of the input shape " + Shape.str(s));
        }
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && !Arrays.equals(TensorInternals.shapeRef(t), normalizedShape)) {
                throw new IllegalArgumentException(op + ": " + (t == weight ? "weight" : "bias") + " shape "
                        + Shape.str(TensorInternals.shapeRef(t)) + " must equal the normalized shape "
                        + Arrays.toString(normalizedShape));
            }
        }
        int d = Shape.numel(normalizedShape);
        int rows = d == 0 ? 0 : Shape.numel(s) / d;
        Tensor normalized = normalize(
                "NativeLayerNormBackward0",
                x,
                weight,
                bias,
                normalizedShape.clone(),
                rows,
                (xd, wd, bd, out, mean, rstd) -> {
                    if (f32(xd)) {
                        NormKernels.layerNormForward(
                                TensorInternals.storage(xd).floats(),
                                rows,
                                d,
                                floats(wd),
                                floats(bd),
                                eps,
                                TensorInternals.storage(out).floats(),
                                mean,
                                rstd);
                    } else {
                        NormReference.layerNormForward(
                                TensorInternals.storage(xd).doubles(),
                                rows,
                                d,
                                doubles(wd),
                                doubles(bd),
                                eps,
                                TensorInternals.storage(out).doubles(),
                                mean,
                                rstd);
                    }
                },
                (gd, xs, ws, mean, rstd, gx, gw, gb) -> {
                    if (f32(xs)) {
                        NormKernels.layerNormBackward(
                                TensorInternals.storage(gd).floats(),
                                TensorInternals.storage(xs).floats(),
                                rows,
                                d,
                                mean,
                                rstd,
                                floats(ws),
                                floats(gx),
                                floats(gw),
                                floats(gb));
                    } else {
                        NormReference.layerNormBackward(
                                TensorInternals.storage(gd).doubles(),
                                TensorInternals.storage(xs).doubles(),
                                rows,
                                d,
                                mean,
                                rstd,
                                doubles(ws),
                                doubles(gx),
                                doubles(gw),
                                doubles(gb));
                    }
                });
        return Autograd.annotate(normalized, "normalized_shape", normalizedShape.clone(), "eps", eps);
    }

    /**
     * Group norm over (N, C, *), like {@code torch.nn.functional.group_norm}: the C channels are
     * split into numGroups groups and each (sample, group) is normalized over its C/G channels and
     * all spatial positions; then the per-channel weight and bias (C, nullable) apply.
     */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        int[] s = groupNormInput(x, numGroups, weight, bias);
        int n = s[0];
        int c = s[1];
        int sp = n * c == 0 ? 0 : Shape.numel(s) / (n * c);
        Tensor normalized = normalize(
                "NativeGroupNormBackward0",
                x,
                weight,
                bias,
                new int[] {c},
                n * numGroups,
                (xd, wd, bd, out, mean, rstd) -> {
                    if (f32(xd)) {
                        NormKernels.groupNormForward(
                                TensorInternals.storage(xd).floats(),
                                n,
                                c,
                                sp,
                                numGroups,
                                floats(wd),
                                floats(bd),
                                eps,
                                TensorInternals.storage(out).floats(),
                                mean,
                                rstd);
                    } else {
                        NormReference.groupNormForward(
                                TensorInternals.storage(xd).doubles(),
                                n,
                                c,
                                sp,
                                numGroups,
                                doubles(wd),
                                doubles(bd),
                                eps,
                                TensorInternals.storage(out).doubles(),
                                mean,
                                rstd);
                    }
                },
                (gd, xs, ws, mean, rstd, gx, gw, gb) -> {
                    if (f32(xs)) {
                        NormKernels.groupNormBackward(
                                TensorInternals.storage(gd).floats(),
                                TensorInternals.storage(xs).floats(),
                                n,
                                c,
                                sp,
                                numGroups,
                                mean,
                                rstd,
                                floats(ws),
                                floats(gx),
                                floats(gw),
                                floats(gb));
                    } else {
                        NormReference.groupNormBackward(
                                TensorInternals.storage(gd).doubles(),
                                TensorInternals.storage(xs).doubles(),
                                n,
                                c,
                                sp,
                                numGroups,
                                mean,
                                rstd,
                                doubles(ws),
                                doubles(gx),
                                doubles(gw),
                                doubles(gb));
                    }
                });
        return Autograd.annotate(normalized, "num_groups", numGroups, "eps", eps);
    }

    /**
     * silu(group_norm(x)) as one op, the pair every block of a diffusion U-Net runs: the same values and gradients
     * as {@link #groupNorm} then SiLU (float32: bit for bit), without the group norm's output as a tensor of its own
     * (one pass over the activations fewer each way, one tensor fewer to allocate). Other dtypes run the two ops.
     */
    public static Tensor groupNormSilu(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        return groupNormSilu(x, null, numGroups, weight, bias, eps);
    }

    /**
     * silu(group_norm(x + shift[:, :, None, ...])) with shift (N, C), or null for none: a diffusion U-Net's second
     * normalization of a residual block, whose input is a convolution's output plus the timestep embedding's
     * projection. As one op (float32), x + shift is never stored and the shift's gradient (the sums of the input
     * gradient over each (n, c) row) is taken as the input gradient is written: one pass over the activations fewer
     * each way than add then {@link #groupNormSilu(Tensor, int, Tensor, Tensor, double)}, the same values within
     * float rounding (the statistics are summed in another order). Other dtypes run the ops in turn.
     */
    public static Tensor groupNormSilu(Tensor x, Tensor shift, int numGroups, Tensor weight, Tensor bias, double eps) {
        int[] s = groupNormInput(x, numGroups, weight, bias);
        int n = s[0];
        int c = s[1];
        if (shift != null && !java.util.Arrays.equals(TensorInternals.shapeRef(shift), new int[] {n, c})) {
            throw new IllegalArgumentException("group_norm: expected a shift of shape [" + n + ", " + c + "] (N, C) for"
                    + " input " + Shape.str(s) + ", got " + Shape.str(TensorInternals.shapeRef(shift)));
        }
        if (x.dtype() != DType.FLOAT32 || (shift != null && shift.dtype() != DType.FLOAT32)) {
            Tensor h = shift == null ? x : x.add(shift.reshape(broadcastShape(s)));
            return Activations.silu(groupNorm(h, numGroups, weight, bias, eps));
        }
        int sp = n * c == 0 ? 0 : Shape.numel(s) / (n * c);
        DType dt = x.dtype();
        Tensor xd = dense(x, dt);
        Tensor sd = shift == null ? null : dense(shift.detach(), dt);
        Tensor wd = weight == null ? null : dense(weight.detach(), dt);
        Tensor bd = bias == null ? null : dense(bias.detach(), dt);
        double[] mean = new double[n * numGroups];
        double[] rstd = new double[n * numGroups];
        Tensor out = Ops.output(dt, TensorInternals.shapeRef(x), x, shift, weight, bias); // written whole
        NormKernels.groupNormForward(
                floats(xd),
                floats(sd),
                n,
                c,
                sp,
                numGroups,
                floats(wd),
                floats(bd),
                eps,
                floats(out),
                mean,
                rstd,
                true);
        int[] shape = x.shape();
        Tensor[] inputs = shift == null ? new Tensor[] {x, weight, bias} : new Tensor[] {x, weight, bias, shift};
        Tensor[] saved = {xd, wd == null ? xd : wd, bd == null ? xd : bd, sd == null ? xd : sd};
        Tensor out2 = Autograd.record("GroupNormSiluBackward", out, inputs, saved, (g, sv) -> {
            boolean shiftGrad = shift != null && shift.requiresGrad();
            Tensor gx = x.requiresGrad() || shiftGrad ? Ops.output(dt, shape) : null; // written whole
            Tensor gw = weight != null && weight.requiresGrad() ? Tensor.empty(dt, c) : null;
            Tensor gb = bias != null && bias.requiresGrad() ? Tensor.empty(dt, c) : null;
            Tensor gs = shiftGrad ? Tensor.empty(dt, n, c) : null;
            NormKernels.groupNormSiluBackward(
                    floats(dense(g, dt)),
                    floats(sv[0]),
                    sd == null ? null : floats(sv[3]),
                    n,
                    c,
                    sp,
                    numGroups,
                    mean,
                    rstd,
                    wd == null ? null : floats(sv[1]),
                    bd == null ? null : floats(sv[2]),
                    floats(gx),
                    floats(gw),
                    floats(gb),
                    floats(gs));
            Tensor gxOut = x.requiresGrad() ? gx : null;
            return shift == null ? new Tensor[] {gxOut, gw, gb} : new Tensor[] {gxOut, gw, gb, gs};
        });
        return Autograd.annotate(out2, "num_groups", numGroups, "eps", eps);
    }

    /** (N, C, 1, ...): the shape a per-(n, c) value broadcasts over an input of shape s. */
    private static int[] broadcastShape(int[] s) {
        int[] b = new int[s.length];
        java.util.Arrays.fill(b, 1);
        b[0] = s[0];
        b[1] = s[1];
        return b;
    }

    /** The shape of x, checked as group norm's (N, C, ...) input with C divisible by numGroups, weight and bias (C). */
    private static int[] groupNormInput(Tensor x, int numGroups, Tensor weight, Tensor bias) {
        String op = "group_norm";
        int[] s = channelInput(op, x);
        int c = s[1];
        if (numGroups <= 0 || c % numGroups != 0) {
            throw new IllegalArgumentException(op + ": expected the number of channels " + c
                    + " to be divisible by num_groups " + numGroups + " (input " + Shape.str(s) + ")");
        }
        checkVector(op, "weight", weight, c);
        checkVector(op, "bias", bias, c);
        return s;
    }

    // ---------------------------------------------------------------- shared scaffold

    /** A normalization's forward on dense operands of one dtype: fills out and the (mean, rstd) statistics. */
    @FunctionalInterface
    private interface Forward {
        void run(Tensor x, Tensor weight, Tensor bias, Tensor out, double[] mean, double[] rstd);
    }

    /** Its fused backward: the gradients asked for (the others null) from g, the saved x and weight, the statistics. */
    @FunctionalInterface
    private interface Backward {
        void run(Tensor g, Tensor x, Tensor weight, double[] mean, double[] rstd, Tensor gx, Tensor gw, Tensor gb);
    }

    /**
     * What batch, layer and group norm share: dense operands in x's dtype, the forward, and a node
     * saving x and weight whose backward allocates the gradients asked for. stats is the number of
     * (mean, rstd) pairs; paramShape the shape of weight and bias.
     */
    private static Tensor normalize(
            String node,
            Tensor x,
            Tensor weight,
            Tensor bias,
            int[] paramShape,
            int stats,
            Forward forward,
            Backward backward) {
        DType dt = x.dtype();
        Tensor xd = dense(x, dt);
        Tensor wd = weight == null ? null : dense(weight.detach(), dt);
        Tensor bd = bias == null ? null : dense(bias.detach(), dt);
        double[] mean = new double[stats];
        double[] rstd = new double[stats];
        Tensor out = Ops.output(dt, TensorInternals.shapeRef(x), x, weight, bias); // written whole
        forward.run(xd, wd, bd, out, mean, rstd);
        int[] shape = x.shape();
        return Autograd.record(
                node, out, new Tensor[] {x, weight, bias}, new Tensor[] {xd, wd == null ? xd : wd}, (g, sv) -> {
                    Tensor gx = x.requiresGrad() ? Ops.output(dt, shape) : null; // written whole
                    Tensor gw = weight != null && weight.requiresGrad() ? Tensor.empty(dt, paramShape) : null;
                    Tensor gb = bias != null && bias.requiresGrad() ? Tensor.empty(dt, paramShape) : null;
                    backward.run(dense(g, dt), sv[0], wd == null ? null : sv[1], mean, rstd, gx, gw, gb);
                    return new Tensor[] {gx, gw, gb};
                });
    }

    // ---------------------------------------------------------------- helpers

    /** The shape of x, checked to be a floating-point (N, C, ...) input. */
    private static int[] channelInput(String op, Tensor x) {
        int[] s = TensorInternals.shapeRef(x);
        if (s.length < 2) {
            throw new IllegalArgumentException(
                    op + ": expected an input of at least 2 dims (N, C, ...), got shape " + Shape.str(s));
        }
        Ops.requireFloat(op, x);
        return s;
    }

    private static void checkVector(String op, String what, Tensor t, int c) {
        if (t == null) {
            return;
        }
        if (t.dim() != 1 || t.size(0) != c) {
            throw new IllegalArgumentException(op + ": expected " + what + " of shape [" + c + "] (one per channel), "
                    + "got " + Shape.str(TensorInternals.shapeRef(t)));
        }
        Ops.requireFloat(op, t);
    }

    private static Tensor dense(Tensor t, DType dt) {
        return Pooling.dense(t, dt);
    }

    private static boolean f32(Tensor t) {
        return t.dtype() == DType.FLOAT32;
    }

    private static float[] floats(Tensor t) {
        return t == null ? null : TensorInternals.storage(t).floats();
    }

    private static double[] doubles(Tensor t) {
        return t == null ? null : TensorInternals.storage(t).doubles();
    }
}
