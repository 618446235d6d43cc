package dev.torchlet.text.generation;

/**
 * Rewrites one sequence's next-token scores in place before the next token is chosen (Hugging Face's
 * {@code LogitsProcessor} / {@code LogitsWarper}, one row at a time). Removed tokens get
 * {@code Float.NEGATIVE_INFINITY}.
 */
@FunctionalInterface
public interface LogitsProcessor {
    /**
     * @param tokens the sequence so far (prompt and generated tokens, no padding)
     * @param scores the vocabulary's scores for the next token, changed in place
     */
    void process(int[] tokens, float[] scores);

    /** This processor, then next. */
    default LogitsProcessor andThen(LogitsProcessor next) {
        return (tokens, scores) -> {
            process(tokens, scores);
            next.process(tokens, scores);
        };
    }
}
