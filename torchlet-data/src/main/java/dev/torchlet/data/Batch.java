package dev.torchlet.data;

import dev.torchlet.Tensor;
import java.util.List;

/**
 * One batch from a {@link DataLoader}: named tensors whose first dim is the batch. The default
 * collate of {@code Example(Tensor input, long label)} gives {@code [input (B, ...), label (B)]}
 * named after the record components; {@link #inputs()} and {@link #labels()} are the first two.
 */
public record Batch(List<String> names, List<Tensor> tensors) {
    public Batch {
        names = List.copyOf(names);
        tensors = List.copyOf(tensors);
        if (names.size() != tensors.size()) {
            throw new IllegalArgumentException("Batch: " + names.size() + " names for " + tensors.size() + " tensors");
        }
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("Batch: no tensors");
        }
    }

    /** A batch of unnamed tensors, named "0", "1", ... */
    public static Batch of(Tensor... tensors) {
        String[] names = new String[tensors.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = Integer.toString(i);
        }
        return new Batch(List.of(names), List.of(tensors));
    }

    public Tensor get(int i) {
        if (i < 0 || i >= tensors.size()) {
            throw new IndexOutOfBoundsException(
                    "Batch: tensor " + i + " requested, the batch has " + tensors.size() + " " + names);
        }
        return tensors.get(i);
    }

    public Tensor get(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("Batch: no tensor named '" + name + "', have " + names);
        }
        return tensors.get(i);
    }

    /** The first tensor (the model input). */
    public Tensor inputs() {
        return tensors.get(0);
    }

    /** The second tensor (the targets). */
    public Tensor labels() {
        if (tensors.size() < 2) {
            throw new IllegalStateException("Batch: no labels, the batch has only " + names);
        }
        return tensors.get(1);
    }

    /** Number of samples (size of dim 0 of the first tensor). */
    public int size() {
        Tensor t = tensors.get(0);
        return t.dim() == 0 ? 1 : t.size(0);
    }
}
