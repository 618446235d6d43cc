package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.ReduceKernels;

/**
 * Reductions over all elements or a set of dims, with keepDim. The kernel layer only reduces the
 * last axis of a contiguous block, so each reduction first permutes the reduced dims to the end:
 * {@code (kept..., reduced...) -> rows x n}.
 */
public final class Reductions {
    private Reductions() {}

    /** The reduced dims moved last and flattened: a contiguous (rows, n) layout plus the output shape. */
    record Layout(Tensor block, int rows, int n, int[] outShape, int[] keptShape) {}

    static Layout layout(String op, Tensor t, int[] dimsOrNull, boolean keepDim) {
        int rank = t.dim();
        int[] dims = Ops.dims(op, dimsOrNull, rank);
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            reduced[d] = true;
        }
        int[] perm = new int[rank];
        int k = 0;
        int rows = 1;
        int n = 1;
        for (int i = 0; i < rank; i++) {
            if (!reduced[i]) {
                perm[k++] = i;
                rows *= TensorInternals.shapeRef(t)[i];
            }
        }
        int keptCount = k;
        for (int i = 0; i < rank; i++) {
            if (reduced[i]) {
                perm[k++] = i;
                n *= TensorInternals.shapeRef(t)[i];
            }
        }
        int[] keptShape = new int[rank];
        int[] outShape = new int[keepDim ? rank : keptCount];
        for (int i = 0, j = 0; i < rank; i++) {
            keptShape[i] = reduced[i] ? 1 : TensorInternals.shapeRef(t)[i];
            if (keepDim) {
                outShape[i] = keptShape[i];
            } else if (!reduced[i]) {
                outShape[j++] = TensorInternals.shapeRef(t)[i];
            }
        }
        Tensor block = t.detach();
        if (!isIdentity(perm)) {
            block = block.permute(perm);
        }
        block = block.contiguous();
        return new Layout(block, rows, n, outShape, keptShape);
    }

    private static boolean isIdentity(int[] perm) {
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** Broadcasts a reduced gradient back over the reduced dims of the input. */
    static Tensor expandBack(Tensor g, int[] keptShape, int[] inShape) {
        return g.reshape(keptShape).expand(inShape);
    }

    public static Tensor sum(Tensor t, int[] dims, boolean keepDim) {
        Layout l = layout("sum", t, dims, keepDim);
        DType dtype = t.dtype() == DType.BOOL ? DType.INT64 : t.dtype();
        Tensor block = l.block().dtype() == dtype ? l.block() : Conversion.rawCopy(l.block(), dtype);
        Tensor out = Tensor.empty(dtype, l.outShape());
        Storage in = TensorInternals.storage(block);
        int off = block.offset();
        switch (dtype) {
            case FLOAT32 ->
                ReduceKernels.sum(
                        in.floats(),
                        off,
                        l.rows(),
                        l.n(),
                        TensorInternals.storage(out).floats());
            case FLOAT64 ->
                ReduceKernels.sum(
                        in.doubles(),
                        off,
                        l.rows(),
                        l.n(),
                        TensorInternals.storage(out).doubles());
            case INT64 ->
                ReduceKernels.sum(
                        in.longs(),
                        off,
                        l.rows(),
                        l.n(),
                        TensorInternals.storage(out).longs());
            case BOOL -> throw new IllegalStateException("unreachable");
        }
        int[] inShape = t.shape();
        int[] keptShape = l.keptShape();
        Autograd.record("SumBackward" + (dims == null ? "0" : "1"), out, new Tensor[] {t}, new Tensor[0], (g, s) ->
                new Tensor[] {expandBack(g, keptShape, inShape)});
        return Autograd.annotate(out, "dims", dims == null ? null : dims.clone(), "keepdim", keepDim);
    }

    public static Tensor mean(Tensor t, int[] dims, boolean keepDim) {
        Ops.requireFloat("mean", t);
        Layout l = layout("mean", t, dims, keepDim);
        return sum(t, dims, keepDim).div((float) l.n());
    }

    /** Sums a broadcast tensor down to a shape it was broadcast from (leading dims and size-1 dims). */
    public static Tensor sumToShape(Tensor t, int[] target) {
        int[] shape = TensorInternals.shapeRef(t);
        if (java.util.Arrays.equals(shape, target)) {
            return t;
        }
        if (!Shape.broadcastableTo(target, shape)) {
            throw new IllegalArgumentException(
                    "sumToShape: shape " + Shape.str(target) + " is not a broadcast source of " + Shape.str(shape));
        }
        int lead = shape.length - target.length;
        int count = 0;
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (i < lead || (target[i - lead] == 1 && shape[i] != 1)) {
                dims[count++] = i;
            }
        }
        Tensor s = sum(t, java.util.Arrays.copyOf(dims, count), true);
        return s.reshape(target);
    }

    /** var = sum((x - mean)^2) / (N - correction), composed from differentiable ops. */
    public static Tensor var(Tensor t, int[] dims, int correction, boolean keepDim) {
        Ops.requireFloat("var", t);
        Layout l = layout("var", t, dims, keepDim);
        Tensor centered = t.sub(mean(t, dims, true));
        Tensor ss = sum(centered.mul(centered), dims, keepDim);
        return ss.div((float) Math.max(0, l.n() - correction));
    }

    /**
     * std = sqrt(var). Backward d std = d var / (2 std), taken as 0 where std == 0 (a constant
     * slice), like PyTorch; composing sqrt(var) would give 0 * inf = nan there.
     */
    public static Tensor std(Tensor t, int[] dims, int correction, boolean keepDim) {
        Ops.requireFloat("std", t);
        Layout l = layout("std", t, dims, keepDim);
        int[] kept = l.keptShape();
        float denom = (float) Math.max(0, l.n() - correction);
        Tensor out;
        try (var ignored = Torch.noGrad()) {
            out = var(t, dims, correction, keepDim).sqrt();
        }
        return Autograd.record("StdBackward0", out, new Tensor[] {t}, new Tensor[] {t, out}, (g, s) -> {
            Tensor sd = s[1].reshape(kept);
            Tensor zero = sd.eq(0f).to(g.dtype());
            Tensor gVar =
                    g.reshape(kept).div(sd.add(zero).mul(2f)).mul(zero.neg().add(1f));
            // d var / dx = 2 (x - mean) / (N - correction)
            Tensor centered = s[0].sub(mean(s[0], dims, true));
            return new Tensor[] {centered.mul(gVar).mul(2f / denom)};
        });
    }

    /** log(sum(exp(x))) along dim, computed stably as m + log(sum(exp(x - m))) with m the (detached) max. */
    public static Tensor logsumexp(Tensor t, int dim, boolean keepDim) {
        Ops.requireFloat("logsumexp", t);
        int d = Shape.dim("logsumexp", dim, t.dim());
        Tensor m = maxDim(t.detach(), d, true, true).values(); // a fresh contiguous tensor
        // an infinite max would give nan from inf - inf; PyTorch shifts such rows by 0 instead
        Storage ms = TensorInternals.storage(m);
        for (int i = 0; i < ms.length(); i++) {
            if (Double.isInfinite(ms.getDouble(i))) {
                ms.setDouble(i, 0);
            }
        }
        Tensor r = t.sub(m).exp().sum(d, true).log().add(m);
        return keepDim || t.dim() == 0 ? r : r.squeeze(d);
    }

    /**
     * p-norm (sum |x|^p)^(1/p) over dims (null: all); p = inf gives max |x|, p = 0 counts
     * non-zeros. Backward is PyTorch's: for p = inf the gradient sign(x) g is shared evenly among
     * the entries attaining the max; otherwise sign(x) |x|^(p-1) g / norm^(p-1), taken as 0 where
     * the norm is 0 (and, for p &lt; 1, where x is 0).
     */
    public static Tensor norm(Tensor t, float p, int[] dims, boolean keepDim) {
        Ops.requireFloat("norm", t);
        if (Float.isNaN(p) || p < 0) {
            throw new IllegalArgumentException("norm: p must be a non-negative number or infinity, got " + p
                    + " (input shape " + Shape.str(TensorInternals.shapeRef(t)) + ")");
        }
        Layout l = layout("norm", t, dims, keepDim);
        int[] kept = l.keptShape();
        Tensor out;
        try (var ignored = Torch.noGrad()) {
            Tensor a = t.abs();
            if (p == Float.POSITIVE_INFINITY) {
                out = amax(a, dims, keepDim);
            } else if (p == 0f) {
                // piecewise constant: no gradient, like PyTorch's zeros
                return sum(t.ne(0f).to(t.dtype()), dims, keepDim);
            } else if (p == 1f) {
                out = sum(a, dims, keepDim);
            } else if (p == 2f) {
                out = sum(t.mul(t), dims, keepDim).sqrt();
            } else {
                out = sum(a.pow(p), dims, keepDim).pow(1f / p);
            }
        }
        return Autograd.record("NormBackward1", out, new Tensor[] {t}, new Tensor[] {t, out}, (g, s) -> {
            Tensor x = s[0];
            Tensor n = s[1].reshape(kept);
            Tensor gk = g.reshape(kept);
            if (p == Float.POSITIVE_INFINITY) {
                Tensor mask = x.abs().eq(n).to(g.dtype());
                Tensor count = sum(mask, dims, true);
                return new Tensor[] {x.sign().mul(mask).mul(gk.div(count))};
            }
            if (p == 1f) {
                return new Tensor[] {x.sign().mul(gk)};
            }
            Tensor zeroNorm = n.eq(0f).to(g.dtype());
            Tensor safeNorm = n.add(zeroNorm); // 1 where the norm is 0; masked out below
            Tensor scale = gk.div(p == 2f ? safeNorm : safeNorm.pow(p - 1f))
                    .mul(zeroNorm.neg().add(1f));
            Tensor scaled;
            if (p == 2f) {
                scaled = x;
            } else if (p > 2f) {
                scaled = x.mul(x.abs().pow(p - 2f)); // finite at x = 0
            } else {
                Tensor zeroX = x.eq(0f).to(g.dtype());
                scaled = x.sign().mul(x.abs().add(zeroX).pow(p - 1f)); // sign(0) = 0 masks x = 0
            }
            return new Tensor[] {scaled.mul(scale)};
        });
    }

    /** max |.| style reduction without gradient: max over dims (null: all) of a detached tensor. */
    private static Tensor amax(Tensor t, int[] dims, boolean keepDim) {
        Layout l = layout("amax", t, dims, keepDim);
        if (l.n() == 0 && l.rows() > 0) {
            throw new IllegalArgumentException("norm: cannot take the inf-norm over an empty dim (shape "
                    + Shape.str(TensorInternals.shapeRef(t)) + ")");
        }
        long[] idx = new long[l.rows()];
        ReduceKernels.argExtremum(TensorInternals.storage(l.block()), l.block().offset(), l.rows(), l.n(), true, idx);
        Tensor out = Tensor.empty(t.dtype(), l.outShape());
        for (int r = 0; r < l.rows(); r++) {
            TensorInternals.storage(out)
                    .setDouble(
                            r,
                            TensorInternals.storage(l.block())
                                    .getDouble(l.block().offset() + r * l.n() + (int) idx[r]));
        }
        return out;
    }

    /** Product over dims; the gradient is the product of the other elements (exact with zeros). */
    public static Tensor prod(Tensor t, int[] dims, boolean keepDim) {
        Layout l = layout("prod", t, dims, keepDim);
        DType dtype = t.dtype() == DType.BOOL ? DType.INT64 : t.dtype();
        Tensor out = Tensor.empty(dtype, l.outShape());
        ReduceKernels.prod(
                TensorInternals.storage(l.block()), l.block().offset(), l.rows(), l.n(), TensorInternals.storage(out));
        int[] inShape = t.shape();
        return Autograd.record("ProdBackward" + (dims == null ? "0" : "1"), out, new Tensor[] {t}, (g, s) -> {
            Layout in = layout("prod", s[0], dims, true);
            Tensor others = productOfOthers(in);
            // others is in (rows, n) layout; move back to the input layout through the same permutation
            Tensor gRows = g.reshape(in.rows(), 1);
            Tensor gradBlock = others.mul(gRows);
            return new Tensor[] {unpermute(gradBlock, s[0], dims)};
        });
    }

    /** For each row of a (rows, n) block, the product of all entries except the i-th (prefix * suffix). */
    private static Tensor productOfOthers(Layout l) {
        int rows = l.rows();
        int n = l.n();
        Tensor block = l.block();
        Tensor out = Tensor.empty(block.dtype(), rows, n);
        Storage in = TensorInternals.storage(block);
        Storage o = TensorInternals.storage(out);
        int off = block.offset();
        for (int r = 0; r < rows; r++) {
            double prefix = 1;
            for (int i = 0; i < n; i++) {
                o.setDouble(r * n + i, prefix);
                prefix *= in.getDouble(off + r * n + i);
            }
            double suffix = 1;
            for (int i = n - 1; i >= 0; i--) {
                o.setDouble(r * n + i, o.getDouble(r * n + i) * suffix);
                suffix *= in.getDouble(off + r * n + i);
            }
        }
        return out;
    }

    /** Inverse of layout(): a (rows, n) block back to t's shape and dim order. */
    private static Tensor unpermute(Tensor block, Tensor t, int[] dimsOrNull) {
        int rank = t.dim();
        int[] dims = Ops.dims("prod", dimsOrNull, rank);
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            reduced[d] = true;
        }
        int[] perm = new int[rank];
        int[] permShape = new int[rank];
        int k = 0;
        for (int i = 0; i < rank; i++) {
            if (!reduced[i]) {
                permShape[k] = TensorInternals.shapeRef(t)[i];
                perm[k++] = i;
            }
        }
        for (int i = 0; i < rank; i++) {
            if (reduced[i]) {
                permShape[k] = TensorInternals.shapeRef(t)[i];
                perm[k++] = i;
            }
        }
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) {
            inverse[perm[i]] = i;
        }
        return block.reshape(permShape).permute(inverse).contiguous();
    }

    /** Max of all elements (gradient split evenly among ties, like PyTorch's amax). */
    public static Tensor max(Tensor t) {
        return extremumAll(t, true);
    }

    public static Tensor min(Tensor t) {
        return extremumAll(t, false);
    }

    private static Tensor extremumAll(Tensor t, boolean isMax) {
        if (t.numel() == 0) {
            throw new IllegalArgumentException((isMax ? "max" : "min") + ": cannot reduce an empty tensor of shape "
                    + Shape.str(TensorInternals.shapeRef(t)) + " (the operation has no identity)");
        }
        Tensor flat = t.detach().reshape(-1);
        long[] idx = new long[1];
        Tensor block = flat.contiguous();
        ReduceKernels.argExtremum(TensorInternals.storage(block), block.offset(), 1, block.numel(), isMax, idx);
        Tensor out = Tensor.empty(t.dtype());
        TensorInternals.storage(out)
                .setDouble(0, TensorInternals.storage(block).getDouble(block.offset() + (int) idx[0]));
        return Autograd.record(
                isMax ? "MaxBackward1" : "MinBackward1", out, new Tensor[] {t}, new Tensor[] {t, out}, (g, s) -> {
                    Tensor mask = s[0].eq(s[1]).to(g.dtype());
                    return new Tensor[] {mask.mul(g.div(mask.sum()))};
                });
    }

    /** Max or min along one dim: values and first-occurrence int64 indices; gradient goes to those indices. */
    public static Tensor.ValuesIndices maxDim(Tensor t, int dim, boolean keepDim, boolean isMax) {
        String op = isMax ? "max" : "min";
        int d = Shape.dim(op, dim, t.dim());
        if (t.dim() > 0 && TensorInternals.shapeRef(t)[d] == 0) {
            throw new IllegalArgumentException(op + ": cannot reduce over dim " + d + " of size 0 (shape "
                    + Shape.str(TensorInternals.shapeRef(t)) + ")");
        }
        int[] dims = t.dim() == 0 ? null : new int[] {d};
        Layout l = layout(op, t, dims, keepDim);
        Tensor indices = Tensor.empty(DType.INT64, l.outShape());
        long[] idx = TensorInternals.storage(indices).longs();
        ReduceKernels.argExtremum(TensorInternals.storage(l.block()), l.block().offset(), l.rows(), l.n(), isMax, idx);
        Tensor values = Tensor.empty(t.dtype(), l.outShape());
        Storage in = TensorInternals.storage(l.block());
        for (int r = 0; r < l.rows(); r++) {
            TensorInternals.storage(values).setDouble(r, in.getDouble(l.block().offset() + r * l.n() + (int) idx[r]));
        }
        if (t.dim() == 0) {
            return new Tensor.ValuesIndices(
                    Autograd.record(
                            "MaxBackward0", values, new Tensor[] {t}, new Tensor[0], (g, s) -> new Tensor[] {g}),
                    indices);
        }
        int[] inShape = t.shape();
        int[] keptShape = l.keptShape();
        Tensor recorded = Autograd.record(
                isMax ? "MaxBackward0" : "MinBackward0", values, new Tensor[] {t}, new Tensor[] {indices}, (g, s) ->
                        new Tensor[] {placeAlongDim(g, s[0], inShape, d)});
        return new Tensor.ValuesIndices(recorded, indices);
    }

    /**
     * Backward of max/min along dim d: zeros of inShape with g[r] written at index[r] along d.
     * g and index have the reduced shape (with or without the kept size-1 dim; same element order).
     */
    private static Tensor placeAlongDim(Tensor g, Tensor index, int[] inShape, int d) {
        Tensor out = Torch.zeros(g.dtype(), inShape);
        Tensor gc = g.contiguous();
        long[] idx = TensorInternals.storage(index.contiguous()).longs();
        int size = inShape[d];
        int inner = 1;
        for (int i = d + 1; i < inShape.length; i++) {
            inner *= inShape[i];
        }
        Storage o = TensorInternals.storage(out);
        Storage gs = TensorInternals.storage(gc);
        int gOff = gc.offset();
        int indexOff = index.contiguous().offset();
        for (int r = 0; r < gc.numel(); r++) {
            int outer = r / inner;
            int in = r % inner;
            o.setDouble((outer * size + (int) idx[indexOff + r]) * inner + in, gs.getDouble(gOff + r));
        }
        return out;
    }
}
