package dev.torchlet.text.generation;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.List;

/**
 * The keys and values of the tokens a decoder has already seen, per layer (Hugging Face's
 * {@code past_key_values}): each layer's keys and values are (B, T_past, E) with the heads still
 * packed in E. A decoder given a cache attends to the cached tokens plus the new ones, returns
 * outputs for the new tokens only, and appends their keys and values here.
 */
public final class PastKeyValues {
    private final Tensor[] keys;
    private final Tensor[] values;

    /** An empty cache for a decoder with this many layers. */
    public PastKeyValues(int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("PastKeyValues: layers must be at least 1, got " + layers);
        }
        keys = new Tensor[layers];
        values = new Tensor[layers];
    }

    public int layers() {
        return keys.length;
    }

    /** Cached tokens per sequence, T_past (0 when empty). */
    public int length() {
        return keys[keys.length - 1] == null ? 0 : keys[keys.length - 1].size(1);
    }

    /** Cached keys of a layer, (B, T_past, E), or null when empty. */
    public Tensor keys(int layer) {
        return keys[layer];
    }

    /** Cached values of a layer, (B, T_past, E), or null when empty. */
    public Tensor values(int layer) {
        return values[layer];
    }

    /**
     * Appends the new tokens' keys and values (B, T_new, E) to a layer and returns the whole
     * keys and values, (B, T_past + T_new, E).
     */
    public Tensor[] append(int layer, Tensor newKeys, Tensor newValues) {
        Tensor k = keys[layer];
        if (k != null && (k.size(0) != newKeys.size(0) || k.size(2) != newKeys.size(2))) {
            throw new IllegalArgumentException("PastKeyValues: layer " + layer + " holds keys " + Shape.str(k.shape())
                    + " but got new keys " + Shape.str(newKeys.shape()) + " (batch and width must match)");
        }
        keys[layer] = k == null ? newKeys.contiguous() : Torch.cat(List.of(k, newKeys), 1);
        values[layer] =
                values[layer] == null ? newValues.contiguous() : Torch.cat(List.of(values[layer], newValues), 1);
        return new Tensor[] {keys[layer], values[layer]};
    }

    /** Forgets everything. */
    public void clear() {
        java.util.Arrays.fill(keys, null);
        java.util.Arrays.fill(values, null);
    }
}
