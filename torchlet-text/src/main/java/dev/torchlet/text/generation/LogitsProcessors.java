package dev.torchlet.text.generation;

import java.util.Arrays;

/**
 * Hugging Face's logits processors (transformers' {@code generation/logits_process.py}), with the same
 * formulas; {@link #of(GenerationConfig)} chains them in the order {@code generate} does: repetition
 * penalty, temperature, top-k, top-p.
 */
public final class LogitsProcessors {
    private LogitsProcessors() {}

    /** Nothing changed. */
    public static LogitsProcessor identity() {
        return (tokens, scores) -> {};
    }

    /**
     * CTRL's repetition penalty, as HF's {@code RepetitionPenaltyLogitsProcessor}: for every token
     * already in the sequence, score / penalty when the score is positive, score * penalty otherwise.
     * (HF also penalizes padding ids present in a left-padded batch's input; here only real tokens count.)
     */
    public static LogitsProcessor repetitionPenalty(float penalty) {
        if (!(penalty > 0)) {
            throw new IllegalArgumentException("repetitionPenalty: penalty must be positive, got " + penalty);
        }
        return (tokens, scores) -> {
            boolean[] seen = new boolean[scores.length];
            for (int t : tokens) {
                if (t >= 0 && t < scores.length && !seen[t]) {
                    seen[t] = true;
                    float s = scores[t];
                    scores[t] = s < 0 ? s * penalty : s / penalty;
                }
            }
        };
    }

    /** scores / temperature (HF's {@code TemperatureLogitsWarper}). */
    public static LogitsProcessor temperature(float temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature: must be positive, got " + temperature);
        }
        return (tokens, scores) -> {
            for (int i = 0; i < scores.length; i++) {
                scores[i] /= temperature;
            }
        };
    }

    /**
     * Keeps the k highest scores (ties with the k-th kept too), the rest -inf (HF's {@code TopKLogitsWarper},
     * min_tokens_to_keep 1).
     */
    public static LogitsProcessor topK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("topK: k must be at least 1, got " + k);
        }
        return (tokens, scores) -> {
            int kk = Math.min(k, scores.length);
            float[] sorted = scores.clone();
            Arrays.sort(sorted);
            float threshold = sorted[sorted.length - kk];
            for (int i = 0; i < scores.length; i++) {
                if (scores[i] < threshold) {
                    scores[i] = Float.NEGATIVE_INFINITY;
                }
            }
        };
    }

    /**
     * Nucleus filtering, as HF's {@code TopPLogitsWarper}: sort the scores ascending, remove those whose
     * cumulative softmax probability is at most 1 - p, always keeping the highest (min_tokens_to_keep 1).
     */
    public static LogitsProcessor topP(float p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("topP: p must be in (0, 1], got " + p);
        }
        return (tokens, scores) -> {
            int n = scores.length;
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
            double max = scores[order[n - 1]];
            double sum = 0;
            for (float s : scores) {
                sum += Math.exp(s - max);
            }
            double cumulative = 0;
            boolean[] remove = new boolean[n];
            for (int r = 0; r < n - 1; r++) {
                cumulative += Math.exp(scores[order[r]] - max) / sum;
                remove[order[r]] = cumulative <= 1 - p;
            }
            for (int i = 0; i < n; i++) {
                if (remove[i]) {
                    scores[i] = Float.NEGATIVE_INFINITY;
                }
            }
        };
    }

    /**
     * The chain generate builds from a config: repetition penalty (when not 1), then for sampling
     * temperature (when not 1), top-k (when positive) and top-p (when below 1).
     */
    public static LogitsProcessor of(GenerationConfig config) {
        LogitsProcessor chain = identity();
        if (config.repetitionPenalty() != 1f) {
            chain = chain.andThen(repetitionPenalty(config.repetitionPenalty()));
        }
        if (config.doSample()) {
            if (config.temperature() != 1f) {
                chain = chain.andThen(temperature(config.temperature()));
            }
            if (config.topK() > 0) {
                chain = chain.andThen(topK(config.topK()));
            }
            if (config.topP() < 1f) {
                chain = chain.andThen(topP(config.topP()));
            }
        }
        return chain;
    }
}
