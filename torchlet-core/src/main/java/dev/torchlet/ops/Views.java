package dev.torchlet.ops;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;

/**
 * View ops: new shape/strides/offset over the same storage, no data copied (reshape copies only
 * when no view is possible). Each backward maps the output gradient back to the input's shape.
 */
public final class Views {
    private Views() {}

    private static Tensor viewOf(Tensor t, int offset, int[] shape, int[] strides) {
        return TensorInternals.wrap(TensorInternals.storage(t), offset, shape, strides);
    }

    /** Records a view whose backward is a reshape back to the input shape. */
    private static Tensor recordReshapeLike(String name, Tensor t, Tensor out) {
        int[] inShape = t.shape();
        return Autograd.record(name, out, new Tensor[] {t}, new Tensor[0], (g, s) -> new Tensor[] {g.reshape(inShape)});
    }

    public static Tensor view(Tensor t, int[] requested) {
        int[] shape = Shape.infer("view", requested, t.numel(), TensorInternals.shapeRef(t));
        int[] strides = viewStrides(TensorInternals.shapeRef(t), TensorInternals.stridesRef(t), shape);
        if (strides == null) {
            throw new IllegalArgumentException("view: shape " + Shape.str(requested) + " is not compatible with the "
                    + "input's shape " + Shape.str(TensorInternals.shapeRef(t)) + " and strides "
                    + Shape.str(TensorInternals.stridesRef(t))
                    + " (at least one dim spans non-contiguous memory); use reshape(...) instead");
        }
        return recordReshapeLike("ViewBackward0", t, viewOf(t, t.offset(), shape, strides));
    }

    public static Tensor reshape(Tensor t, int[] requested) {
        int[] shape = Shape.infer("reshape", requested, t.numel(), TensorInternals.shapeRef(t));
        int[] strides = viewStrides(TensorInternals.shapeRef(t), TensorInternals.stridesRef(t), shape);
        if (strides != null) {
            return recordReshapeLike("ViewBackward0", t, viewOf(t, t.offset(), shape, strides));
        }
        Tensor copy = Conversion.rawCopy(t, t.dtype());
        return recordReshapeLike("UnsafeViewBackward0", t, viewOf(copy, 0, shape, Shape.contiguousStrides(shape)));
    }

    /**
     * Strides that let a tensor of (oldShape, oldStrides) be viewed as newShape without copying,
     * or null when impossible. Groups old dims into runs that are contiguous with each other and
     * splits/merges within a run (the same rule as PyTorch's computeStride).
     */
    static int[] viewStrides(int[] oldShape, int[] oldStrides, int[] newShape) {
        int[] newStrides = new int[newShape.length];
        if (Shape.numel(oldShape) == 0) {
            return Shape.contiguousStrides(newShape);
        }
        int viewD = newShape.length - 1;
        long chunkBase = oldStrides.length == 0 ? 1 : oldStrides[oldStrides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            tensorNumel *= oldShape[d];
            // a run ends where the next outer dim is not contiguous with this one
            if (d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBase = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) {
            // remaining new dims must all be size 1
            for (; viewD >= 0; viewD--) {
                if (newShape[viewD] != 1) {
                    return null;
                }
                newStrides[viewD] = 1;
            }
        }
        return newStrides;
    }

    public static Tensor flatten(Tensor t, int startDim, int endDim) {
        int rank = t.dim();
        if (rank == 0) {
            return reshape(t, new int[] {1});
        }
        int s = Shape.dim("flatten", startDim, rank);
        int e = Shape.dim("flatten", endDim, rank);
        if (s > e) {
            throw new IllegalArgumentException("flatten: start dim " + startDim + " comes after end dim " + endDim
                    + " for a tensor of rank " + rank);
        }
        int[] shape = TensorInternals.shapeRef(t);
        int[] out = new int[rank - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) {
            out[k++] = shape[i];
        }
        int merged = 1;
        for (int i = s; i <= e; i++) {
            merged *= shape[i];
        }
        out[k++] = merged;
        for (int i = e + 1; i < rank; i++) {
            out[k++] = shape[i];
        }
        return reshape(t, out);
    }

    public static Tensor permute(Tensor t, int[] dims) {
        int rank = t.dim();
        if (dims.length != rank) {
            throw new IllegalArgumentException("permute: expected " + rank + " dims for shape "
                    + Shape.str(TensorInternals.shapeRef(t)) + ", got " + Shape.str(dims));
        }
        int[] perm = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = Shape.dim("permute", dims[i], rank);
            if (seen[perm[i]]) {
                throw new IllegalArgumentException("permute: dim " + perm[i] + " repeats in " + Shape.str(dims));
            }
            seen[perm[i]] = true;
        }
        int[] shape = new int[rank];
        int[] strides = new int[rank];
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = TensorInternals.shapeRef(t)[perm[i]];
            strides[i] = TensorInternals.stridesRef(t)[perm[i]];
            inverse[perm[i]] = i;
        }
        Tensor out = viewOf(t, t.offset(), shape, strides);
        Autograd.record(
                "PermuteBackward0", out, new Tensor[] {t}, new Tensor[0], (g, s) -> new Tensor[] {g.permute(inverse)});
        return Autograd.annotate(out, "dims", perm);
    }

    public static Tensor transpose(Tensor t, int dim0, int dim1) {
        int rank = t.dim();
        if (rank == 0) {
            Shape.dim("transpose", dim0, 0);
            Shape.dim("transpose", dim1, 0);
            return t;
        }
        int a = Shape.dim("transpose", dim0, rank);
        int b = Shape.dim("transpose", dim1, rank);
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[a] = b;
        perm[b] = a;
        return permute(t, perm);
    }

    public static Tensor t(Tensor t) {
        if (t.dim() > 2) {
            throw new IllegalArgumentException("t: expects a tensor with at most 2 dims, got shape "
                    + Shape.str(TensorInternals.shapeRef(t)) + " (use transpose or permute)");
        }
        return t.dim() < 2 ? t : transpose(t, 0, 1);
    }

    /** Broadcasts to sizes (-1 keeps a dim); new leading dims and size-1 dims get stride 0. */
    public static Tensor expand(Tensor t, int[] sizes) {
        int rank = t.dim();
        if (sizes.length < rank) {
            throw new IllegalArgumentException("expand: the number of sizes " + Shape.str(sizes)
                    + " must be at least the tensor's rank (shape " + Shape.str(TensorInternals.shapeRef(t)) + ")");
        }
        int lead = sizes.length - rank;
        int[] shape = new int[sizes.length];
        int[] strides = new int[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            if (i < lead) {
                if (sizes[i] < 0) {
                    throw new IllegalArgumentException(
                            "expand: -1 is not allowed for a new leading dim in " + Shape.str(sizes));
                }
                shape[i] = sizes[i];
                strides[i] = 0;
                continue;
            }
            int own = TensorInternals.shapeRef(t)[i - lead];
            int want = sizes[i] == -1 ? own : sizes[i];
            if (own == want) {
                shape[i] = own;
                strides[i] = TensorInternals.stridesRef(t)[i - lead];
            } else if (own == 1 && want >= 0) {
                shape[i] = want;
                strides[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: the expanded size " + want + " must match the existing "
                        + "size " + own + " at non-singleton dim " + i + " (shape "
                        + Shape.str(TensorInternals.shapeRef(t))
                        + " to " + Shape.str(sizes) + ")");
            }
        }
        Tensor out = viewOf(t, t.offset(), shape, strides);
        // the engine sums the gradient back to the input shape
        return Autograd.record("ExpandBackward0", out, new Tensor[] {t}, new Tensor[0], (g, s) -> new Tensor[] {g});
    }

    public static Tensor squeeze(Tensor t) {
        int[] shape = TensorInternals.shapeRef(t);
        int count = 0;
        for (int s : shape) {
            count += s == 1 ? 0 : 1;
        }
        int[] out = new int[count];
        int[] strides = new int[count];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != 1) {
                out[k] = shape[i];
                strides[k++] = TensorInternals.stridesRef(t)[i];
            }
        }
        return recordReshapeLike("SqueezeBackward0", t, viewOf(t, t.offset(), out, strides));
    }

    /** Removes dim if it has size 1; otherwise returns the tensor unchanged, like PyTorch. */
    public static Tensor squeeze(Tensor t, int dim) {
        int rank = t.dim();
        int d = Shape.dim("squeeze", dim, rank);
        if (rank == 0 || TensorInternals.shapeRef(t)[d] != 1) {
            return t;
        }
        int[] shape = new int[rank - 1];
        int[] strides = new int[rank - 1];
        for (int i = 0, k = 0; i < rank; i++) {
            if (i != d) {
                shape[k] = TensorInternals.shapeRef(t)[i];
                strides[k++] = TensorInternals.stridesRef(t)[i];
            }
        }
        return recordReshapeLike("SqueezeBackward1", t, viewOf(t, t.offset(), shape, strides));
    }

    public static Tensor unsqueeze(Tensor t, int dim) {
        int rank = t.dim();
        int d = Shape.dim("unsqueeze", dim, rank + 1);
        int[] shape = new int[rank + 1];
        int[] strides = new int[rank + 1];
        for (int i = 0, k = 0; i <= rank; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = d < rank ? TensorInternals.stridesRef(t)[d] * TensorInternals.shapeRef(t)[d] : 1;
            } else {
                shape[i] = TensorInternals.shapeRef(t)[k];
                strides[i] = TensorInternals.stridesRef(t)[k++];
            }
        }
        return recordReshapeLike("UnsqueezeBackward0", t, viewOf(t, t.offset(), shape, strides));
    }

    public static Tensor narrow(Tensor t, int dim, int start, int length) {
        int d = Shape.dim("narrow", dim, t.dim());
        int size = TensorInternals.shapeRef(t)[d];
        int s = start < 0 ? start + size : start;
        if (s < 0 || length < 0 || s + length > size) {
            throw new IndexOutOfBoundsException("narrow: start " + start + " and length " + length
                    + " are out of range for dim " + d + " of size " + size + " (shape "
                    + Shape.str(TensorInternals.shapeRef(t))
                    + ")");
        }
        return slice(t, d, s, s + length, 1);
    }

    public static Tensor slice(Tensor t, int dim, int start, int end, int step) {
        if (t.dim() == 0) {
            throw new IllegalArgumentException("slice: cannot slice a 0-dim tensor");
        }
        int d = Shape.dim("slice", dim, t.dim());
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        int size = TensorInternals.shapeRef(t)[d];
        int s = clampIndex(start, size);
        int e = Math.max(clampIndex(end, size), s);
        int len = (e - s + step - 1) / step;
        int[] shape = t.shape();
        int[] strides = t.strides();
        shape[d] = len;
        strides[d] = TensorInternals.stridesRef(t)[d] * step;
        Tensor out = viewOf(t, t.offset() + s * TensorInternals.stridesRef(t)[d], shape, strides);
        int[] inShape = t.shape();
        Autograd.record("SliceBackward0", out, new Tensor[] {t}, new Tensor[0], (g, saved) ->
                new Tensor[] {SliceScatter.embed(g, inShape, d, s, step)});
        return Autograd.annotate(out, "dim", d, "start", s, "end", e, "step", step);
    }

    private static int clampIndex(int i, int size) {
        int v = i < 0 ? i + size : i;
        return Math.max(0, Math.min(v, size));
    }

    public static Tensor select(Tensor t, int dim, int index) {
        if (t.dim() == 0) {
            throw new IllegalArgumentException("select: cannot select from a 0-dim tensor");
        }
        int d = Shape.dim("select", dim, t.dim());
        int size = TensorInternals.shapeRef(t)[d];
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of range for dim " + d
                    + " with size " + size + " (shape " + Shape.str(TensorInternals.shapeRef(t)) + ")");
        }
        int rank = t.dim();
        int[] shape = new int[rank - 1];
        int[] strides = new int[rank - 1];
        for (int k = 0, j = 0; k < rank; k++) {
            if (k != d) {
                shape[j] = TensorInternals.shapeRef(t)[k];
                strides[j++] = TensorInternals.stridesRef(t)[k];
            }
        }
        Tensor out = viewOf(t, t.offset() + i * TensorInternals.stridesRef(t)[d], shape, strides);
        int[] inShape = t.shape();
        Autograd.record("SelectBackward0", out, new Tensor[] {t}, new Tensor[0], (g, saved) ->
                new Tensor[] {SliceScatter.embed(g.unsqueeze(d), inShape, d, i, 1)});
        return Autograd.annotate(out, "dim", d, "index", i);
    }

    /** Helper for slice/select backward: zeros of the input shape with g written into the slice. */
    static final class SliceScatter {
        private SliceScatter() {}

        static Tensor embed(Tensor g, int[] inShape, int dim, int start, int step) {
            Tensor out = Torch.zeros(g.dtype(), inShape);
            int[] strides = out.strides();
            int[] shape = out.shape();
            shape[dim] = TensorInternals.shapeRef(g)[dim];
            strides[dim] *= step;
            Tensor window = TensorInternals.wrap(
                    TensorInternals.storage(out), start * TensorInternals.stridesRef(out)[dim], shape, strides);
            Assign.copyInto(window, g);
            return out;
        }
    }
}
