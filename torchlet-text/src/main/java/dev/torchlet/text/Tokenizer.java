package dev.torchlet.text;

import java.util.List;

/**
 * Text to token ids and back. {@link #encode(String)} adds the tokenizer's special tokens (BERT's
 * {@code [CLS] ... [SEP]}; none for GPT-2), as Hugging Face's {@code tokenizer.encode} does;
 * {@link #encode(String, boolean)} can leave them out. Batches come from {@link #encodeBatch}: ids
 * plus an attention mask, truncated and padded as {@link EncodeOptions} says.
 *
 * <p>Implementations are immutable after construction and safe to share between threads.
 */
public interface Tokenizer {
    /** The ids of text, with the special tokens a model expects around one sequence. */
    default int[] encode(String text) {
        return encode(text, true);
    }

    /** The ids of text; with addSpecialTokens false only the text's own tokens. */
    int[] encode(String text, boolean addSpecialTokens);

    /** The text of ids (special tokens included as text). Ids outside [0, vocabSize) are rejected. */
    default String decode(int[] ids) {
        return decode(ids, false);
    }

    /** The text of ids; skipSpecialTokens drops special tokens such as padding and [CLS]. */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** Number of ids: every id is in [0, vocabSize). */
    int vocabSize();

    /** The id that pads batches (-1 if the tokenizer has none: then padding uses 0 unless the options say). */
    default int padId() {
        return -1;
    }

    /** The string of one id. */
    String idToToken(int id);

    /** The id of a token string, or -1 if the vocabulary does not have it. */
    int tokenToId(String token);

    /** ids (the text's own tokens) wrapped in the special tokens of a single sequence; default: unchanged. */
    default int[] withSpecialTokens(int[] ids) {
        return ids.clone();
    }

    /** Number of special tokens {@link #withSpecialTokens} adds. */
    default int numSpecialTokens() {
        return withSpecialTokens(new int[0]).length;
    }

    /** One text as a batch of one, with options. */
    default BatchEncoding encode(String text, EncodeOptions options) {
        return encodeBatch(List.of(text), options);
    }

    /**
     * Encodes texts into equal-length rows: the text's tokens are cut to leave room for the special
     * tokens when truncating (as Hugging Face's {@code truncation=True}), special tokens are added, rows
     * are padded to the longest row or to {@code maxLength}, on the right or the left.
     */
    default BatchEncoding encodeBatch(List<String> texts, EncodeOptions options) {
        if (texts == null || texts.isEmpty()) {
            throw new IllegalArgumentException("encodeBatch: no texts");
        }
        int[][] rows = new int[texts.size()][];
        for (int i = 0; i < rows.length; i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new IllegalArgumentException("encodeBatch: text " + i + " is null");
            }
            int[] ids = encode(text, false);
            int specials = options.addSpecialTokens() ? numSpecialTokens() : 0;
            if (options.truncation() && options.maxLength() > 0 && ids.length + specials > options.maxLength()) {
                int keep = options.maxLength() - specials;
                if (keep < 0) {
                    throw new IllegalArgumentException("encodeBatch: maxLength " + options.maxLength()
                            + " leaves no room for the " + specials + " special tokens");
                }
                ids = options.truncateLeft()
                        ? java.util.Arrays.copyOfRange(ids, ids.length - keep, ids.length)
                        : java.util.Arrays.copyOf(ids, keep);
            }
            rows[i] = options.addSpecialTokens() ? withSpecialTokens(ids) : ids;
        }
        int pad = options.padId() >= 0 ? options.padId() : Math.max(0, padId());
        return BatchEncoding.pad(rows, options, pad);
    }
}
