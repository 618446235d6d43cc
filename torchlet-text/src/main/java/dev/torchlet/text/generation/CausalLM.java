package dev.torchlet.text.generation;

import dev.torchlet.Tensor;

/** A decoder-only language model that {@link TextGenerator} can drive (GPT-2 and friends). */
public interface CausalLM {
    /**
     * Logits of the next token at each new position.
     *
     * @param ids           int64 (B, T): the new tokens
     * @param attentionMask int64 (B, T_past + T), 1 for tokens and 0 for (left) padding, or null for none
     * @param past          cached keys and values of the T_past earlier tokens (updated in place), or null
     * @return (B, T, vocab)
     */
    Tensor logits(Tensor ids, Tensor attentionMask, PastKeyValues past);

    /** An empty cache sized for this model. */
    PastKeyValues newCache();

    /**
     * An empty cache with room for capacity tokens per sequence, written in place
     * ({@link PastKeyValues#preallocated}); the default is the growing {@link #newCache()}.
     */
    default PastKeyValues newCache(int capacity) {
        return newCache();
    }

    int vocabSize();

    /** The longest sequence (prompt plus generated tokens) the model accepts. */
    int maxPositions();
}
