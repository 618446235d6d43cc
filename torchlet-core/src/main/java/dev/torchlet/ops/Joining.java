package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import java.util.ArrayList;
import java.util.List;

/** cat and stack (copying), split and chunk (views). */
public final class Joining {
    private Joining() {}

    /** Concatenates along an existing dim; all other sizes must match. Dtypes are promoted. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
        }
        Tensor first = tensors.get(0);
        int rank = first.dim();
        if (rank == 0) {
            throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated (use stack)");
        }
        int d = Shape.dim("cat", dim, rank);
        DType dtype = first.dtype();
        int total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.dim() != rank) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape "
                        + Shape.str(TensorInternals.shapeRef(t)) + " but tensor 0 has shape "
                        + Shape.str(TensorInternals.shapeRef(first)) + " (ranks differ)");
            }
            for (int k = 0; k < rank; k++) {
                if (k != d && TensorInternals.shapeRef(t)[k] != TensorInternals.shapeRef(first)[k]) {
                    throw new IllegalArgumentException("cat: sizes must match except in dim " + d + ", but tensor "
                            + i + " has shape " + Shape.str(TensorInternals.shapeRef(t)) + " and tensor 0 has shape "
                            + Shape.str(TensorInternals.shapeRef(first)));
                }
            }
            dtype = DType.promote(dtype, t.dtype());
            total += TensorInternals.shapeRef(t)[d];
        }
        int[] outShape = first.shape();
        outShape[d] = total;
        Tensor out = Tensor.empty(dtype, outShape);
        int[] starts = new int[tensors.size()];
        int pos = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            starts[i] = pos;
            int len = TensorInternals.shapeRef(t)[d];
            if (len > 0) {
                Assign.copyInto(out.detach().narrow(d, pos, len), t);
            }
            pos += len;
        }
        int[] lengths = new int[tensors.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = TensorInternals.shapeRef(tensors.get(i))[d];
        }
        Autograd.record("CatBackward0", out, tensors.toArray(new Tensor[0]), new Tensor[0], (g, s) -> {
            Tensor[] grads = new Tensor[lengths.length];
            for (int i = 0; i < lengths.length; i++) {
                grads[i] = g.narrow(d, starts[i], lengths[i]);
            }
            return grads;
        });
        return Autograd.annotate(out, "dim", d);
    }

    /** Joins equally shaped tensors along a new dim. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
        }
        int[] shape = TensorInternals.shapeRef(tensors.get(0));
        int d = Shape.dim("stack", dim, shape.length + 1);
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!java.util.Arrays.equals(TensorInternals.shapeRef(t), shape)) {
                throw new IllegalArgumentException(
                        "stack: expects each tensor to be equal size, but got " + Shape.str(shape) + " at entry 0 and "
                                + Shape.str(TensorInternals.shapeRef(t)) + " at entry " + i);
            }
            expanded.add(t.unsqueeze(d));
        }
        return cat(expanded, d);
    }

    public static List<Tensor> split(Tensor t, int splitSize, int dim) {
        int d = Shape.dim("split", dim, t.dim());
        if (splitSize <= 0) {
            throw new IllegalArgumentException("split: split size must be positive, got " + splitSize);
        }
        int size = TensorInternals.shapeRef(t)[d];
        List<Tensor> parts = new ArrayList<>();
        for (int start = 0; start < size || (size == 0 && parts.isEmpty()); start += splitSize) {
            parts.add(t.narrow(d, start, Math.min(splitSize, size - start)));
            if (size == 0) {
                break;
            }
        }
        return parts;
    }

    public static List<Tensor> split(Tensor t, int[] sizes, int dim) {
        int d = Shape.dim("split", dim, t.dim());
        int sum = 0;
        for (int s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException("split: sizes must be non-negative, got " + Shape.str(sizes));
            }
            sum += s;
        }
        if (sum != TensorInternals.shapeRef(t)[d]) {
            throw new IllegalArgumentException("split: sizes " + Shape.str(sizes) + " sum to " + sum + " but dim " + d
                    + " has size " + TensorInternals.shapeRef(t)[d] + " (shape "
                    + Shape.str(TensorInternals.shapeRef(t)) + ")");
        }
        List<Tensor> parts = new ArrayList<>();
        int start = 0;
        for (int s : sizes) {
            parts.add(t.narrow(d, start, s));
            start += s;
        }
        return parts;
    }

    /** Splits into {@code chunks} pieces of ceil(size / chunks) (fewer pieces if it divides unevenly), like PyTorch. */
    public static List<Tensor> chunk(Tensor t, int chunks, int dim) {
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk: number of chunks must be positive, got " + chunks);
        }
        int d = Shape.dim("chunk", dim, t.dim());
        int size = TensorInternals.shapeRef(t)[d];
        int each = Math.max(1, (size + chunks - 1) / chunks);
        return split(t, each, d);
    }
}
