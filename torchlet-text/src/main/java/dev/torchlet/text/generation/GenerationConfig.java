package dev.torchlet.text.generation;

import java.util.Arrays;

/**
 * How {@link TextGenerator} continues prompts (Hugging Face's {@code GenerationConfig} names).
 *
 * @param maxNewTokens      {@code max_new_tokens}: at most this many tokens per sequence
 * @param doSample          {@code do_sample}: sample from the processed distribution; false: greedy (argmax)
 * @param temperature       {@code temperature} (sampling only), positive
 * @param topK              {@code top_k} (sampling only); 0 for none
 * @param topP              {@code top_p} (sampling only), in (0, 1]; 1 for none
 * @param repetitionPenalty {@code repetition_penalty}, positive; 1 for none (applies to greedy too)
 * @param stopTokens        {@code eos_token_id}: a sequence ends after producing one of these
 * @param padTokenId        {@code pad_token_id}: left padding of shorter prompts, and what finished
 *                          sequences produce while others go on (not reported to the listener)
 * @param seed              seed of the sampling generator; null: the global generator ({@code Torch.manualSeed})
 * @param useCache          {@code use_cache}: decode incrementally with a KV cache (false recomputes the
 *                          whole sequence at every step; the same tokens, slower)
 */
public record GenerationConfig(
        int maxNewTokens,
        boolean doSample,
        float temperature,
        int topK,
        float topP,
        float repetitionPenalty,
        int[] stopTokens,
        int padTokenId,
        Long seed,
        boolean useCache) {
    public GenerationConfig {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException(
                    "GenerationConfig: maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        if (!(temperature > 0) || topK < 0 || !(topP > 0 && topP <= 1) || !(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("GenerationConfig: expected temperature > 0, topK >= 0, topP in (0, 1] "
                    + "and repetitionPenalty > 0, got " + temperature + ", " + topK + ", " + topP + ", "
                    + repetitionPenalty);
        }
        stopTokens = stopTokens == null ? new int[0] : stopTokens.clone();
        if (padTokenId < 0) {
            throw new IllegalArgumentException("GenerationConfig: padTokenId must be >= 0, got " + padTokenId);
        }
    }

    /** Greedy decoding of up to maxNewTokens tokens, no stop token, pad id 0, with the cache. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, false, 1f, 0, 1f, 1f, new int[0], 0, null, true);
    }

    /** Sampling with temperature, top-k (0: off) and top-p (1: off). */
    public static GenerationConfig sampling(int maxNewTokens, float temperature, int topK, float topP) {
        return new GenerationConfig(maxNewTokens, true, temperature, topK, topP, 1f, new int[0], 0, null, true);
    }

    public GenerationConfig withStopTokens(int... ids) {
        return new GenerationConfig(
                maxNewTokens, doSample, temperature, topK, topP, repetitionPenalty, ids, padTokenId, seed, useCache);
    }

    public GenerationConfig withRepetitionPenalty(float penalty) {
        return new GenerationConfig(
                maxNewTokens, doSample, temperature, topK, topP, penalty, stopTokens, padTokenId, seed, useCache);
    }

    public GenerationConfig withPadTokenId(int id) {
        return new GenerationConfig(
                maxNewTokens, doSample, temperature, topK, topP, repetitionPenalty, stopTokens, id, seed, useCache);
    }

    public GenerationConfig withSeed(long s) {
        return new GenerationConfig(
                maxNewTokens,
                doSample,
                temperature,
                topK,
                topP,
                repetitionPenalty,
                stopTokens,
                padTokenId,
                s,
                useCache);
    }

    public GenerationConfig withUseCache(boolean cache) {
        return new GenerationConfig(
                maxNewTokens,
                doSample,
                temperature,
                topK,
                topP,
                repetitionPenalty,
                stopTokens,
                padTokenId,
                seed,
                cache);
    }

    @Override
    public int[] stopTokens() {
        return stopTokens.clone();
    }

    boolean isStop(int token) {
        for (int s : stopTokens) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationConfig c
                && maxNewTokens == c.maxNewTokens
                && doSample == c.doSample
                && temperature == c.temperature
                && topK == c.topK
                && topP == c.topP
                && repetitionPenalty == c.repetitionPenalty
                && Arrays.equals(stopTokens, c.stopTokens)
                && padTokenId == c.padTokenId
                && java.util.Objects.equals(seed, c.seed)
                && useCache == c.useCache;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                maxNewTokens,
                doSample,
                temperature,
                topK,
                topP,
                repetitionPenalty,
                Arrays.hashCode(stopTokens),
                padTokenId,
                seed,
                useCache);
    }

    @Override
    public String toString() {
        return "GenerationConfig[maxNewTokens=" + maxNewTokens + ", doSample=" + doSample + ", temperature="
                + temperature + ", topK=" + topK + ", topP=" + topP + ", repetitionPenalty=" + repetitionPenalty
                + ", stopTokens=" + Arrays.toString(stopTokens) + ", padTokenId=" + padTokenId + ", seed=" + seed
                + ", useCache=" + useCache + "]";
    }
}
