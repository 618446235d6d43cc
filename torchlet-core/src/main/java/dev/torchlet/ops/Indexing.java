package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.IndexKernels;

/**
 * Gather/scatter-style indexing: indexSelect, gather, scatter, scatterAdd, maskedFill, where,
 * maskedSelect, oneHot. Semantics follow PyTorch; indices are int64 and must lie in
 * {@code [0, size)} (negative indices are rejected, as by torch.gather/index_select).
 *
 * <p>All ops work on strided inputs through flat storage positions
 * ({@link IndexKernels#positions}): e.g. for gather along dim d the source position of output
 * element i is {@code base(i) + index[i] * stride[d]}, where base(i) is i's position in the input
 * with the dim-d coordinate set to 0.
 */
public final class Indexing {
    private Indexing() {}

    // ---------------------------------------------------------------- index_select

    /** out = t with dim d restricted to the entries listed in a 1-D int64 index: out.shape[d] = index.numel(). */
    public static Tensor indexSelect(Tensor t, int dim, Tensor index) {
        String op = "index_select";
        requireIndex(op, index, t);
        if (index.dim() > 1) {
            throw new IllegalArgumentException(op + ": index must be a 1-D (or 0-d) tensor, got shape "
                    + Shape.str(TensorInternals.shapeRef(index)));
        }
        int d = Shape.dim(op, dim, t.dim());
        if (t.dim() == 0) {
            if (index.numel() != 1) {
                throw new IllegalArgumentException(
                        op + ": index to a 0-d tensor must have exactly 1 value, got " + index.numel());
            }
            return indexSelect(t.reshape(1), 0, index.reshape(1)).reshape();
        }
        int[] inShape = t.shape();
        int n = inShape[d];
        long[] idx = index.toLongArray();
        for (long v : idx) {
            checkRange(op, v, d, n, inShape);
        }
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < d; i++) {
            outer *= inShape[i];
        }
        for (int i = d + 1; i < inShape.length; i++) {
            inner *= inShape[i];
        }
        int[] outShape = t.shape();
        outShape[d] = idx.length;
        Tensor src = t.detach().contiguous();
        Tensor out = Tensor.empty(t.dtype(), outShape);
        IndexKernels.indexSelect(
                TensorInternals.storage(src), src.offset(), outer, n, inner, idx, TensorInternals.storage(out));
        int outerF = outer;
        int innerF = inner;
        // grad: index_add of g into zeros of the input shape: gx[o, idx[j], :] += g[o, j, :]
        Autograd.record("IndexSelectBackward0", out, new Tensor[] {t}, new Tensor[0], (g, s) -> {
            Tensor gc = g.contiguous();
            Tensor gx = Tensor.empty(g.dtype(), inShape);
            IndexKernels.indexAdd(
                    TensorInternals.storage(gc), gc.offset(), outerF, n, innerF, idx, TensorInternals.storage(gx));
            return new Tensor[] {gx};
        });
        return Autograd.annotate(out, "dim", d, "index", index);
    }

    // ---------------------------------------------------------------- gather / scatter

    /** out[i][j][k] = t[i][index[i][j][k]][k] (for dim 1); out has index's shape. */
    public static Tensor gather(Tensor t, int dim, Tensor index) {
        String op = "gather";
        requireIndex(op, index, t);
        requireSameRank(op, "index", index, "input", t);
        int d = Shape.dim(op, dim, t.dim());
        if (t.dim() == 0) {
            return gather(t.reshape(1), 0, index.reshape(1)).reshape();
        }
        requireIndexFits(op, index, "input", t, d);
        int[] inShape = t.shape();
        int[] srcPos = gatherPositions(op, t, d, index);
        Tensor out = Tensor.empty(t.dtype(), TensorInternals.shapeRef(index));
        IndexKernels.gather(TensorInternals.storage(t), srcPos, TensorInternals.storage(out), 0);
        // grad: scatter_add of g into zeros of the input shape
        return Autograd.record("GatherBackward0", out, new Tensor[] {t}, new Tensor[] {index}, (g, s) -> {
            Tensor gx = Tensor.empty(g.dtype(), inShape);
            scatterInto(op, gx, d, s[0], g, true);
            return new Tensor[] {gx};
        });
    }

    /**
     * A copy of t with src[i][j][k] written to (or, with accumulate, added to) out[i][index[i][j][k]][k]
     * (for dim 1). src may be larger than index in any dim; only its leading index-shaped block is used.
     */
    public static Tensor scatter(Tensor t, int dim, Tensor index, Tensor src, boolean accumulate) {
        String op = accumulate ? "scatter_add" : "scatter";
        requireIndex(op, index, t);
        requireSameRank(op, "index", index, "input", t);
        requireSameRank(op, "src", src, "input", t);
        if (src.dtype() != t.dtype()) {
            throw new IllegalArgumentException(op + ": expected src (" + src.dtype() + ") to have the same dtype as "
                    + "the input (" + t.dtype() + ")");
        }
        int d = Shape.dim(op, dim, t.dim());
        if (t.dim() == 0) {
            return scatter(t.reshape(1), 0, index.reshape(1), src.reshape(1), accumulate)
                    .reshape();
        }
        requireIndexFits(op, index, "input", t, d);
        requireIndexFits(op, index, "src", src, -1);
        Tensor out = Conversion.rawCopy(t, t.dtype());
        scatterInto(op, out, d, index, src, accumulate);
        int[] srcShape = src.shape();
        return Autograd.record(
                accumulate ? "ScatterAddBackward0" : "ScatterBackward0",
                out,
                new Tensor[] {t, src},
                new Tensor[] {index},
                (g, s) -> {
                    Tensor idx = s[0];
                    Tensor gt = null;
                    if (t.requiresGrad()) {
                        if (accumulate) {
                            gt = g;
                        } else {
                            // positions overwritten by src do not depend on t
                            gt = Conversion.rawCopy(g, g.dtype());
                            int[] dst = scatterPositions(op, gt, d, idx);
                            IndexKernels.fill(TensorInternals.storage(gt), dst, 0);
                        }
                    }
                    Tensor gs = null;
                    if (src.requiresGrad()) {
                        gs = padTo(gather(g, d, idx), srcShape);
                    }
                    return new Tensor[] {gt, gs};
                });
    }

    /** Raw scatter (no autograd) of src's index-shaped block into the contiguous tensor out. */
    private static void scatterInto(String op, Tensor out, int d, Tensor index, Tensor src, boolean accumulate) {
        int[] dst = scatterPositions(op, out, d, index);
        int[] srcPos =
                IndexKernels.positions(TensorInternals.shapeRef(index), TensorInternals.stridesRef(src), src.offset());
        IndexKernels.scatter(TensorInternals.storage(src), srcPos, TensorInternals.storage(out), dst, accumulate);
    }

    /** Positions in t of t[..., index[i], ...] for each element i of index (index values validated). */
    private static int[] gatherPositions(String op, Tensor t, int d, Tensor index) {
        int[] strides = t.strides();
        int sd = strides[d];
        strides[d] = 0;
        int[] pos = IndexKernels.positions(TensorInternals.shapeRef(index), strides, t.offset());
        int[] idxPos = IndexKernels.positions(
                TensorInternals.shapeRef(index), TensorInternals.stridesRef(index), index.offset());
        long[] iv = TensorInternals.storage(index).longs();
        int n = TensorInternals.shapeRef(t)[d];
        for (int i = 0; i < pos.length; i++) {
            long v = iv[idxPos[i]];
            checkRange(op, v, d, n, TensorInternals.shapeRef(t));
            pos[i] += (int) v * sd;
        }
        return pos;
    }

    private static int[] scatterPositions(String op, Tensor out, int d, Tensor index) {
        return gatherPositions(op, out, d, index);
    }

    /** g (a gradient of index shape) zero-padded at the end of each dim to shape. */
    private static Tensor padTo(Tensor g, int[] shape) {
        if (java.util.Arrays.equals(TensorInternals.shapeRef(g), shape)) {
            return g;
        }
        Tensor z = Torch.zeros(g.dtype(), shape);
        Tensor view = z;
        for (int k = 0; k < shape.length; k++) {
            view = view.narrow(k, 0, TensorInternals.shapeRef(g)[k]);
        }
        Assign.copyInto(view, g);
        return z;
    }

    // ---------------------------------------------------------------- masks

    /** A copy of t (broadcast with mask) with value wherever the bool mask is true. */
    public static Tensor maskedFill(Tensor t, Tensor mask, float value) {
        String op = "masked_fill";
        requireMask(op, mask, t);
        int[] shape = Shape.broadcast(op, TensorInternals.shapeRef(t), TensorInternals.shapeRef(mask));
        Tensor out = Conversion.rawCopy(expanded(t, shape), t.dtype());
        int[] sel = selected(mask, shape);
        IndexKernels.fill(TensorInternals.storage(out), sel, value);
        // grad: g with the filled positions zeroed (they no longer depend on t)
        return Autograd.record("MaskedFillBackward0", out, new Tensor[] {t}, new Tensor[] {mask}, (g, s) ->
                new Tensor[] {g.maskedFill(s[0], 0f)});
    }

    /** The elements of t (broadcast with mask) where the bool mask is true, in row-major order, as a 1-D tensor. */
    public static Tensor maskedSelect(Tensor t, Tensor mask) {
        String op = "masked_select";
        requireMask(op, mask, t);
        int[] shape = Shape.broadcast(op, TensorInternals.shapeRef(t), TensorInternals.shapeRef(mask));
        int[] sel = selected(mask, shape);
        int[] tPos = IndexKernels.positions(shape, Ops.broadcastStrides(t, shape), t.offset());
        int[] srcPos = new int[sel.length];
        for (int j = 0; j < sel.length; j++) {
            srcPos[j] = tPos[sel[j]];
        }
        Tensor out = Tensor.empty(t.dtype(), sel.length);
        IndexKernels.gather(TensorInternals.storage(t), srcPos, TensorInternals.storage(out), 0);
        // grad: scatter g back to the selected positions of a zero tensor of the broadcast shape
        return Autograd.record("MaskedSelectBackward0", out, new Tensor[] {t}, new Tensor[0], (g, s) -> {
            Tensor gc = g.contiguous();
            Tensor gx = Tensor.empty(g.dtype(), shape);
            int[] from =
                    IndexKernels.positions(TensorInternals.shapeRef(gc), TensorInternals.stridesRef(gc), gc.offset());
            IndexKernels.scatter(TensorInternals.storage(gc), from, TensorInternals.storage(gx), sel, false);
            return new Tensor[] {gx};
        });
    }

    /** condition ? a : b elementwise, all three broadcast; a and b are promoted to a common dtype. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        String op = "where";
        if (condition.dtype() != DType.BOOL) {
            throw new IllegalArgumentException(op + ": expected a bool condition, got " + condition.dtype()
                    + " with shape " + Shape.str(TensorInternals.shapeRef(condition)));
        }
        int[] shape = Shape.broadcast(
                op,
                Shape.broadcast(op, TensorInternals.shapeRef(condition), TensorInternals.shapeRef(a)),
                TensorInternals.shapeRef(b));
        DType dtype = DType.promote(a.dtype(), b.dtype());
        Tensor out = Conversion.rawCopy(expanded(b, shape), dtype);
        Tensor ac = Conversion.rawCopy(expanded(a, shape), dtype);
        int[] sel = selected(condition, shape);
        IndexKernels.scatter(TensorInternals.storage(ac), sel, TensorInternals.storage(out), sel, false);
        // grad: g where cond for a, g where !cond for b (in each input's own float dtype)
        return Autograd.record("WhereBackward0", out, new Tensor[] {a, b}, new Tensor[] {condition}, (g, s) -> {
            Tensor cond = s[0];
            Tensor ga = a.requiresGrad() ? asDtype(g.maskedFill(cond.eq(0f), 0f), a.dtype()) : null;
            Tensor gb = b.requiresGrad() ? asDtype(g.maskedFill(cond, 0f), b.dtype()) : null;
            return new Tensor[] {ga, gb};
        });
    }

    private static Tensor asDtype(Tensor g, DType dtype) {
        return g.dtype() == dtype ? g : g.to(dtype);
    }

    /** Flat row-major indices (into the broadcast shape) where the broadcast bool mask is true. */
    private static int[] selected(Tensor mask, int[] shape) {
        int[] mPos = IndexKernels.positions(shape, Ops.broadcastStrides(mask, shape), mask.offset());
        boolean[] m = TensorInternals.storage(mask).bools();
        int count = 0;
        for (int p : mPos) {
            count += m[p] ? 1 : 0;
        }
        int[] sel = new int[count];
        for (int i = 0, k = 0; i < mPos.length; i++) {
            if (m[mPos[i]]) {
                sel[k++] = i;
            }
        }
        return sel;
    }

    /** t viewed with the broadcast shape (stride 0 along broadcast dims); no copy, no autograd. */
    private static Tensor expanded(Tensor t, int[] shape) {
        return TensorInternals.wrap(TensorInternals.storage(t), t.offset(), shape, Ops.broadcastStrides(t, shape));
    }

    // ---------------------------------------------------------------- one_hot

    /** int64 one-hot encoding (..., numClasses) of int64 class indices; numClasses -1 means max + 1. */
    public static Tensor oneHot(Tensor indices, int numClasses) {
        String op = "one_hot";
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": class values must be an int64 tensor, got " + indices.dtype()
                    + " with shape " + Shape.str(TensorInternals.shapeRef(indices)));
        }
        long[] v = indices.toLongArray();
        int classes = numClasses;
        if (numClasses == -1) {
            if (v.length == 0) {
                throw new IllegalArgumentException(op + ": cannot infer the number of classes from an empty tensor "
                        + "of shape " + Shape.str(TensorInternals.shapeRef(indices)) + "; pass numClasses");
            }
            long max = Long.MIN_VALUE;
            for (long x : v) {
                max = Math.max(max, x);
            }
            if (max >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": class value " + max + " is too large");
            }
            classes = (int) Math.max(max + 1, 0);
        } else if (numClasses < 0) {
            throw new IllegalArgumentException(
                    op + ": numClasses must be non-negative or -1 (infer), got " + numClasses);
        }
        for (long x : v) {
            if (x < 0) {
                throw new IllegalArgumentException(op + ": class values must be non-negative, got " + x);
            }
            if (x >= classes) {
                throw new IllegalArgumentException(
                        op + ": class value " + x + " is not smaller than numClasses " + classes);
            }
        }
        int[] inShape = TensorInternals.shapeRef(indices);
        int[] outShape = java.util.Arrays.copyOf(inShape, inShape.length + 1);
        outShape[inShape.length] = classes;
        Tensor out = Tensor.empty(DType.INT64, outShape);
        long[] o = TensorInternals.storage(out).longs();
        for (int i = 0; i < v.length; i++) {
            o[i * classes + (int) v[i]] = 1;
        }
        return out;
    }

    // ---------------------------------------------------------------- validation

    private static void requireIndex(String op, Tensor index, Tensor t) {
        if (index.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": expected an int64 index, got " + index.dtype() + " with shape "
                    + Shape.str(TensorInternals.shapeRef(index)) + " (input shape "
                    + Shape.str(TensorInternals.shapeRef(t)) + ")");
        }
    }

    private static void requireMask(String op, Tensor mask, Tensor t) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException(op + ": expected a bool mask, got " + mask.dtype() + " with shape "
                    + Shape.str(TensorInternals.shapeRef(mask)) + " (input shape "
                    + Shape.str(TensorInternals.shapeRef(t)) + ")");
        }
    }

    private static void requireSameRank(String op, String aName, Tensor a, String bName, Tensor b) {
        if (a.dim() != b.dim()) {
            throw new IllegalArgumentException(
                    op + ": " + aName + " " + Shape.str(TensorInternals.shapeRef(a)) + " must have the "
                            + "same number of dims as " + bName + " " + Shape.str(TensorInternals.shapeRef(b)) + " ("
                            + a.dim() + " != "
                            + b.dim() + ")");
        }
    }

    /** index.shape[k] <= other.shape[k] for every k except skipDim (-1: check all dims). */
    private static void requireIndexFits(String op, Tensor index, String name, Tensor other, int skipDim) {
        int[] is = TensorInternals.shapeRef(index);
        int[] os = TensorInternals.shapeRef(other);
        for (int k = 0; k < is.length; k++) {
            if (k != skipDim && is[k] > os[k]) {
                throw new IllegalArgumentException(op + ": index shape " + Shape.str(is) + " is larger than " + name
                        + " shape " + Shape.str(os) + " at dim " + k + " (" + is[k] + " > " + os[k] + ")");
            }
        }
    }

    private static void checkRange(String op, long v, int d, int size, int[] shape) {
        if (v < 0 || v >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + v + " is out of bounds for dim " + d + " with size "
                    + size + " (input shape " + Shape.str(shape) + ")");
        }
    }
}
