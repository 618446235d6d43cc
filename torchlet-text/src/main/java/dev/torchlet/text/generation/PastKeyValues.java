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
 *
 * <p>Two kinds: a growing cache ({@link #PastKeyValues(int)}) concatenates at every step (a new
 * (B, T_past + T, E) tensor per layer and step), and a preallocated one ({@link #preallocated(int, int)})
 * holds one (B, capacity, E) buffer per layer for keys and one for values, allocated on the first append;
 * each step's keys and values are written into place and {@link #keys(int)} / {@link #values(int)} are
 * views of the filled prefix, so decoding allocates nothing proportional to the context for the cache.
 */
public final class PastKeyValues {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int capacity; // 0: growing
    private final Tensor[] keyBuffers; // (B, capacity, E) per layer when preallocated
    private final Tensor[] valueBuffers;
    private final int[] filled;

    /** An empty growing cache for a decoder with this many layers. */
    public PastKeyValues(int layers) {
        this(layers, 0);
    }

    private PastKeyValues(int layers, int capacity) {
        if (layers < 1) {
            throw new IllegalArgumentException("PastKeyValues: layers must be at least 1, got " + layers);
        }
        if (capacity < 0) {
            throw new IllegalArgumentException("PastKeyValues: capacity must be positive, got " + capacity);
        }
        keys = new Tensor[layers];
        values = new Tensor[layers];
        this.capacity = capacity;
        keyBuffers = new Tensor[layers];
        valueBuffers = new Tensor[layers];
        filled = new int[layers];
    }

    /**
     * An empty cache with room for capacity tokens per sequence (prompt plus new tokens), written in place.
     * Appending beyond the capacity fails with a clear message.
     */
    public static PastKeyValues preallocated(int layers, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("PastKeyValues: capacity must be at least 1, got " + capacity);
        }
        return new PastKeyValues(layers, capacity);
    }

    /** Tokens per sequence a preallocated cache holds (0 for a growing cache). */
    public int capacity() {
        return capacity;
    }

    public boolean isPreallocated() {
        return capacity > 0;
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
        if (capacity > 0) {
            return appendInPlace(layer, newKeys, newValues);
        }
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

    private Tensor[] appendInPlace(int layer, Tensor newKeys, Tensor newValues) {
        int b = newKeys.size(0);
        int t = newKeys.size(1);
        int e = newKeys.size(2);
        Tensor kb = keyBuffers[layer];
        if (kb == null || (filled[layer] == 0 && (kb.size(0) != b || kb.size(2) != e))) {
            kb = keyBuffers[layer] = Tensor.empty(newKeys.dtype(), b, capacity, e);
            valueBuffers[layer] = Tensor.empty(newValues.dtype(), b, capacity, e);
        } else if (kb.size(0) != b || kb.size(2) != e) {
            throw new IllegalArgumentException("PastKeyValues: layer " + layer + " holds keys "
                    + Shape.str(keys[layer].shape()) + " but got new keys " + Shape.str(newKeys.shape())
                    + " (batch and width must match)");
        }
        int from = filled[layer];
        if (from + t > capacity) {
            throw new IllegalArgumentException("PastKeyValues: layer " + layer + " holds " + from + " tokens; " + t
                    + " more exceed the preallocated capacity " + capacity);
        }
        kb.narrow(1, from, t).copyFrom(newKeys);
        valueBuffers[layer].narrow(1, from, t).copyFrom(newValues);
        filled[layer] = from + t;
        keys[layer] = kb.narrow(1, 0, from + t);
        values[layer] = valueBuffers[layer].narrow(1, 0, from + t);
        return new Tensor[] {keys[layer], values[layer]};
    }

    /** Forgets everything (a preallocated cache keeps its buffers for reuse). */
    public void clear() {
        java.util.Arrays.fill(keys, null);
        java.util.Arrays.fill(values, null);
        java.util.Arrays.fill(filled, 0);
    }
}
