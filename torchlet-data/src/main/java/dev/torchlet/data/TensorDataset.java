package dev.torchlet.data;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import java.util.List;

/**
 * Samples are slices along dim 0 of the given tensors, like {@code torch.utils.data.TensorDataset}:
 * sample i is {@code [t0[i], t1[i], ...]} (views, no copy).
 */
public final class TensorDataset implements Dataset<List<Tensor>> {
    private final List<Tensor> tensors;
    private final int size;

    public TensorDataset(Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("TensorDataset: needs at least one tensor");
        }
        int n = -1;
        for (Tensor t : tensors) {
            if (t.dim() == 0) {
                throw new IllegalArgumentException(
                        "TensorDataset: tensors need a first (sample) dim, got a 0-d tensor");
            }
            if (n >= 0 && t.size(0) != n) {
                StringBuilder shapes = new StringBuilder();
                for (Tensor u : tensors) {
                    shapes.append(shapes.isEmpty() ? "" : ", ").append(Shape.str(TensorInternals.shapeRef(u)));
                }
                throw new IllegalArgumentException(
                        "TensorDataset: size mismatch along dim 0 between tensors " + shapes);
            }
            n = t.size(0);
        }
        this.tensors = List.of(tensors);
        this.size = n;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public List<Tensor> get(int index) {
        Dataset.checkIndex("TensorDataset", index, size);
        Tensor[] out = new Tensor[tensors.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = tensors.get(k).select(0, index);
        }
        return List.of(out);
    }

    public List<Tensor> tensors() {
        return tensors;
    }
}
