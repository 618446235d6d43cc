package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.CrossEntropyKernels;
import dev.torchlet.kernels.CrossEntropyReference;

/**
 * Cross-entropy (fused log-softmax + NLL) and NLL loss with PyTorch's semantics for class
 * weights, ignore_index, label smoothing and the "mean" | "sum" | "none" reductions. Inputs are
 * (N, C), (N, C, d1, ...) or unbatched (C); the class dim is 1. float32 runs
 * {@link CrossEntropyKernels}; float64 runs {@link CrossEntropyReference}.
 */
public final class Losses {
    /** PyTorch's default ignore_index. */
    public static final long IGNORE_INDEX = -100;

    private Losses() {}

    /** cross_entropy(logits, target) with mean reduction, no weights, no smoothing. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, null, IGNORE_INDEX, 0.0, "mean");
    }

    /**
     * Cross-entropy between logits (N, C, ...) and either int64 class indices (N, ...) or float
     * class probabilities of the logits' shape.
     *
     * <p>Class indices, with w = weight (1 if null), lse_i = log(sum_c exp(x_ic)) and eps =
     * labelSmoothing: nll_i = w[t_i] (lse_i - x_i,t_i), smooth_i = sum_c w[c] (lse_i - x_ic),
     * both 0 where t_i == ignoreIndex; loss_i = (1 - eps) nll_i + eps / C * smooth_i. "mean" divides
     * both parts by sum_i w[t_i] over non-ignored i (without weights: the number of non-ignored
     * samples), as PyTorch 1.13 does.
     *
     * <p>Probabilities: y' = y (1 - eps) + eps / C, loss_i = -sum_c w[c] y'_ic log_softmax(x)_ic;
     * "mean" divides by the number of samples. ignoreIndex is not supported there (leave it -100).
     */
    public static Tensor crossEntropy(
            Tensor logits, Tensor target, Tensor weight, long ignoreIndex, double labelSmoothing, String reduction) {
        String op = "cross_entropy";
        checkReduction(op, reduction);
        if (labelSmoothing < 0 || labelSmoothing > 1 || Double.isNaN(labelSmoothing)) {
            throw new IllegalArgumentException(op + ": label_smoothing must be in [0, 1], got " + labelSmoothing);
        }
        Ops.requireFloat(op, logits);
        if (target.dtype().isFloatingPoint()) {
            if (ignoreIndex != IGNORE_INDEX) {
                throw new IllegalArgumentException(op + ": ignore_index is not supported for class-probability "
                        + "(floating-point) targets, got ignore_index " + ignoreIndex);
            }
            return softCrossEntropy(logits, target, weight, labelSmoothing, reduction);
        }
        Rows r = rows(op, logits, target, weight);
        DType dt = logits.dtype();
        boolean f32 = dt == DType.FLOAT32;
        int m = r.m();
        int c = r.c();
        long[] t = r.target();
        checkTargets(op, t, c, ignoreIndex);
        Tensor xd = Pooling.dense(r.logits().detach(), dt);
        Tensor wd = weight == null ? null : Pooling.dense(weight.detach(), dt);
        boolean smoothing = labelSmoothing > 0;
        double[] lse = new double[m];
        double[] nll = new double[m];
        double[] smooth = smoothing ? new double[m] : null;
        if (f32) {
            CrossEntropyKernels.forward(
                    TensorInternals.storage(xd).floats(), m, c, t, floats(wd), ignoreIndex, lse, nll, smooth);
        } else {
            CrossEntropyReference.forward(
                    TensorInternals.storage(xd).doubles(), m, c, t, doubles(wd), ignoreIndex, lse, nll, smooth);
        }
        // Row coefficients: loss = sum_i (kn_i * nll_i + ks_i * smooth_i) (for "none" per row).
        double keep = 1 - labelSmoothing;
        double spread = labelSmoothing / c;
        double den = 1; // "mean": sum of the target weights of the non-ignored samples
        if (reduction.equals("mean")) {
            double wsum = 0;
            double[] w = wd == null
                    ? null
                    : TensorInternals.storage(wd.to(DType.FLOAT64)).doubles();
            for (int i = 0; i < m; i++) {
                if (t[i] != ignoreIndex) {
                    wsum += w == null ? 1 : w[(int) t[i]];
                }
            }
            den = wsum;
        }
        Tensor out;
        if (reduction.equals("none")) {
            double[] loss = new double[m];
            for (int i = 0; i < m; i++) {
                loss[i] = keep * nll[i] + (smoothing ? spread * smooth[i] : 0);
            }
            out = fromDoubles(loss, dt, r.rowShape());
        } else {
            double sn = 0;
            double ss = 0;
            for (int i = 0; i < m; i++) {
                sn += nll[i];
                ss += smoothing ? smooth[i] : 0;
            }
            double v = (keep * sn + (smoothing ? spread * ss : 0)) / den;
            out = fromDoubles(new double[] {v}, dt);
        }
        double kn = keep / den;
        double ks = spread / den;
        Tensor rl = r.logits();
        int[] lshape = rl.shape();
        return Autograd.record("CrossEntropyBackward", out, new Tensor[] {rl}, new Tensor[] {xd}, (g, s) -> {
                    double[] gv = g.to(DType.FLOAT64).contiguous().toDoubleArray();
                    double[] a = new double[m];
                    double[] b = smoothing ? new double[m] : null;
                    for (int i = 0; i < m; i++) {
                        double gi = gv.length == 1 ? gv[0] : gv[i];
                        a[i] = gi * kn;
                        if (smoothing) {
                            b[i] = gi * ks;
                        }
                    }
                    Tensor gx = Tensor.empty(dt, lshape);
                    if (f32) {
                        CrossEntropyKernels.backward(
                                TensorInternals.storage(s[0]).floats(),
                                m,
                                c,
                                t,
                                floats(wd),
                                ignoreIndex,
                                lse,
                                a,
                                b,
                                TensorInternals.storage(gx).floats());
                    } else {
                        CrossEntropyReference.backward(
                                TensorInternals.storage(s[0]).doubles(),
                                m,
                                c,
                                t,
                                doubles(wd),
                                ignoreIndex,
                                lse,
                                a,
                                b,
                                TensorInternals.storage(gx).doubles());
                    }
                    return new Tensor[] {gx};
                })
                .reshape(r.outShape(reduction));
    }

    private static Tensor softCrossEntropy(
            Tensor logits, Tensor target, Tensor weight, double labelSmoothing, String reduction) {
        String op = "cross_entropy";
        if (!java.util.Arrays.equals(TensorInternals.shapeRef(logits), TensorInternals.shapeRef(target))) {
            throw new IllegalArgumentException(
                    op + ": class-probability target shape " + Shape.str(TensorInternals.shapeRef(target))
                            + " must equal the input shape " + Shape.str(TensorInternals.shapeRef(logits)));
        }
        Rows r = rows(op, logits, null, weight);
        Tensor rt = classLast(target);
        DType dt = logits.dtype();
        boolean f32 = dt == DType.FLOAT32;
        int m = r.m();
        int c = r.c();
        Tensor xd = Pooling.dense(r.logits().detach(), dt);
        Tensor yd = Pooling.dense(rt.detach(), dt);
        Tensor wd = weight == null ? null : Pooling.dense(weight.detach(), dt);
        double[] lse = new double[m];
        double[] loss = new double[m];
        if (f32) {
            CrossEntropyKernels.softForward(
                    TensorInternals.storage(xd).floats(),
                    m,
                    c,
                    TensorInternals.storage(yd).floats(),
                    floats(wd),
                    labelSmoothing,
                    lse,
                    loss);
        } else {
            CrossEntropyReference.softForward(
                    TensorInternals.storage(xd).doubles(),
                    m,
                    c,
                    TensorInternals.storage(yd).doubles(),
                    doubles(wd),
                    labelSmoothing,
                    lse,
                    loss);
        }
        Tensor out;
        double scale = reduction.equals("mean") ? 1.0 / m : 1.0;
        if (reduction.equals("none")) {
            out = fromDoubles(loss, dt, r.rowShape());
        } else {
            double sum = 0;
            for (double v : loss) {
                sum += v;
            }
            out = fromDoubles(new double[] {sum * scale}, dt);
        }
        Tensor rl = r.logits();
        int[] lshape = rl.shape();
        int[] tshape = rt.shape();
        return Autograd.record("CrossEntropyBackward", out, new Tensor[] {rl, rt}, new Tensor[] {xd, yd}, (g, s) -> {
                    double[] gv = g.to(DType.FLOAT64).contiguous().toDoubleArray();
                    double[] coef = new double[m];
                    for (int i = 0; i < m; i++) {
                        coef[i] = (gv.length == 1 ? gv[0] : gv[i]) * scale;
                    }
                    Tensor gx = rl.requiresGrad() ? Tensor.empty(dt, lshape) : null;
                    Tensor gy = rt.requiresGrad() ? Tensor.empty(dt, tshape) : null;
                    if (f32) {
                        CrossEntropyKernels.softBackward(
                                TensorInternals.storage(s[0]).floats(),
                                m,
                                c,
                                TensorInternals.storage(s[1]).floats(),
                                floats(wd),
                                labelSmoothing,
                                lse,
                                coef,
                                floats(gx),
                                floats(gy));
                    } else {
                        CrossEntropyReference.softBackward(
                                TensorInternals.storage(s[0]).doubles(),
                                m,
                                c,
                                TensorInternals.storage(s[1]).doubles(),
                                doubles(wd),
                                labelSmoothing,
                                lse,
                                coef,
                                doubles(gx),
                                doubles(gy));
                    }
                    return new Tensor[] {gx, gy};
                })
                .reshape(r.outShape(reduction));
    }

    /**
     * nll_loss(logProbs (N, C, ...) or (C), target int64): loss_i = -w[t_i] * logProbs[i, t_i], 0 where
     * t_i == ignoreIndex; "mean" divides by sum_i w[t_i] over non-ignored i.
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
        String op = "nll_loss";
        checkReduction(op, reduction);
        Ops.requireFloat(op, logProbs);
        Rows r = rows(op, logProbs, target, weight);
        DType dt = logProbs.dtype();
        int m = r.m();
        int c = r.c();
        long[] t = r.target();
        checkTargets(op, t, c, ignoreIndex);
        Tensor xd = Pooling.dense(r.logits().detach(), dt);
        double[] w = weight == null ? null : weight.toDoubleArray();
        double[] loss = new double[m];
        double[] wt = new double[m];
        CrossEntropyReference.nllForward(TensorInternals.storage(xd), m, c, t, w, ignoreIndex, loss, wt);
        double den = 1;
        Tensor out;
        if (reduction.equals("none")) {
            out = fromDoubles(loss, dt, r.rowShape());
        } else {
            double sum = 0;
            double wsum = 0;
            for (int i = 0; i < m; i++) {
                sum += loss[i];
                wsum += wt[i];
            }
            den = reduction.equals("mean") ? wsum : 1;
            out = fromDoubles(new double[] {sum / den}, dt);
        }
        double scale = 1 / den;
        Tensor rl = r.logits();
        int[] lshape = rl.shape();
        return Autograd.record("NllLossBackward0", out, new Tensor[] {rl}, new Tensor[0], (g, s) -> {
                    double[] gv = g.to(DType.FLOAT64).contiguous().toDoubleArray();
                    double[] coef = new double[m];
                    for (int i = 0; i < m; i++) {
                        coef[i] = (gv.length == 1 ? gv[0] : gv[i]) * scale;
                    }
                    Tensor gx = Tensor.empty(dt, lshape);
                    CrossEntropyReference.nllBackward(m, c, t, w, ignoreIndex, coef, TensorInternals.storage(gx));
                    return new Tensor[] {gx};
                })
                .reshape(r.outShape(reduction));
    }

    // ---------------------------------------------------------------- layout and checks

    /**
     * The input as rows: logits moved to (M, C) with the class dim last (a differentiable view, copied
     * by the kernels only if not dense), target flattened to M int64 labels (null for probability targets).
     */
    private record Rows(Tensor logits, long[] target, int m, int c, int[] rowShape) {
        int[] outShape(String reduction) {
            return reduction.equals("none") ? rowShape : new int[0];
        }
    }

    private static Rows rows(String op, Tensor input, Tensor target, Tensor weight) {
        int[] s = TensorInternals.shapeRef(input);
        if (s.length == 0) {
            throw new IllegalArgumentException(
                    op + ": expected an input of shape (C), (N, C) or (N, C, d1, ...), " + "got a 0-d tensor");
        }
        int c = s.length == 1 ? s[0] : s[1];
        if (c == 0) {
            throw new IllegalArgumentException(op + ": expected at least one class, got input shape " + Shape.str(s));
        }
        // per-sample shape: input shape without the class dim
        int[] rowShape = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != (s.length == 1 ? 0 : 1)) {
                rowShape[j++] = s[i];
            }
        }
        long[] t = null;
        if (target != null) {
            if (target.dtype() != DType.INT64) {
                throw new IllegalArgumentException(op + ": expected int64 class-index targets (or float class "
                        + "probabilities), got " + target.dtype());
            }
            if (!java.util.Arrays.equals(TensorInternals.shapeRef(target), rowShape)) {
                throw new IllegalArgumentException(op + ": target shape " + Shape.str(TensorInternals.shapeRef(target))
                        + " does not match input shape " + Shape.str(s) + " (expected target shape "
                        + Shape.str(rowShape) + ")");
            }
            t = target.toLongArray();
        }
        if (weight != null) {
            if (weight.dim() != 1 || weight.size(0) != c) {
                throw new IllegalArgumentException(op + ": expected weight of shape [" + c + "] (one per class), got "
                        + Shape.str(TensorInternals.shapeRef(weight)));
            }
            Ops.requireFloat(op, weight);
        }
        Tensor rowsView = classLast(input).reshape(-1, c);
        return new Rows(rowsView, t, Shape.numel(rowShape), c, rowShape);
    }

    /** (N, C, d...) -> (N, d..., C) view; (C) -> (1, C); (N, C) unchanged. */
    private static Tensor classLast(Tensor t) {
        int rank = t.dim();
        if (rank == 1) {
            return t.unsqueeze(0);
        }
        if (rank == 2) {
            return t;
        }
        int[] perm = new int[rank];
        perm[0] = 0;
        for (int i = 1; i < rank - 1; i++) {
            perm[i] = i + 1;
        }
        perm[rank - 1] = 1;
        return t.permute(perm);
    }

    private static void checkTargets(String op, long[] t, int c, long ignoreIndex) {
        for (long v : t) {
            if (v != ignoreIndex && (v < 0 || v >= c)) {
                throw new IllegalArgumentException(op + ": target " + v + " is out of bounds for " + c + " classes");
            }
        }
    }

    private static void checkReduction(String op, String reduction) {
        if (!reduction.equals("mean") && !reduction.equals("sum") && !reduction.equals("none")) {
            throw new IllegalArgumentException(
                    op + ": reduction must be 'mean', 'sum' or 'none', got '" + reduction + "'");
        }
    }

    private static Tensor fromDoubles(double[] v, DType dt, int... shape) {
        Storage st = Storage.allocate(dt, v.length);
        for (int i = 0; i < v.length; i++) {
            st.setDouble(i, v[i]);
        }
        return TensorInternals.wrap(st, shape);
    }

    private static float[] floats(Tensor t) {
        return t == null ? null : TensorInternals.storage(t).floats();
    }

    private static double[] doubles(Tensor t) {
        return t == null ? null : TensorInternals.storage(t).doubles();
    }
}
