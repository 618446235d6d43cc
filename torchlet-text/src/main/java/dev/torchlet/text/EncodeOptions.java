package dev.torchlet.text;

/**
 * How {@link Tokenizer#encodeBatch} shapes a batch.
 *
 * @param addSpecialTokens wrap each text in the tokenizer's special tokens ([CLS] ... [SEP])
 * @param maxLength        the length to truncate and/or pad to; 0 means none (pad to the longest row)
 * @param truncation       cut rows longer than maxLength (the text's tokens go, special tokens stay)
 * @param padding          pad every row to maxLength (true) or only to the longest row of the batch (false)
 * @param padLeft          put padding on the left (batch generation with decoder models) instead of the right
 * @param truncateLeft     when truncating keep the end of the text instead of the start
 * @param padId            the padding id; -1 means the tokenizer's own ({@link Tokenizer#padId()}, else 0)
 */
public record EncodeOptions(
        boolean addSpecialTokens,
        int maxLength,
        boolean truncation,
        boolean padding,
        boolean padLeft,
        boolean truncateLeft,
        int padId) {
    public EncodeOptions {
        if (maxLength < 0) {
            throw new IllegalArgumentException("EncodeOptions: maxLength must be >= 0, got " + maxLength);
        }
        if ((truncation || padding) && maxLength == 0) {
            throw new IllegalArgumentException(
                    "EncodeOptions: truncation or padding to a length needs maxLength > 0, got 0");
        }
        if (padId < -1) {
            throw new IllegalArgumentException(
                    "EncodeOptions: padId must be >= 0 (or -1 for the default), got " + padId);
        }
    }

    /** Special tokens, pad to the longest row, no truncation. */
    public static EncodeOptions defaults() {
        return new EncodeOptions(true, 0, false, false, false, false, -1);
    }

    /** Special tokens, truncate and pad every row to exactly maxLength (BERT-style fixed-length batches). */
    public static EncodeOptions fixedLength(int maxLength) {
        return new EncodeOptions(true, maxLength, true, true, false, false, -1);
    }

    public EncodeOptions withSpecialTokens(boolean add) {
        return new EncodeOptions(add, maxLength, truncation, padding, padLeft, truncateLeft, padId);
    }

    public EncodeOptions withPadLeft(boolean left) {
        return new EncodeOptions(addSpecialTokens, maxLength, truncation, padding, left, truncateLeft, padId);
    }

    public EncodeOptions withTruncateLeft(boolean left) {
        return new EncodeOptions(addSpecialTokens, maxLength, truncation, padding, padLeft, left, padId);
    }

    public EncodeOptions withPadId(int id) {
        return new EncodeOptions(addSpecialTokens, maxLength, truncation, padding, padLeft, truncateLeft, id);
    }

    /** Truncate to maxLength (and keep padding to the longest row). */
    public EncodeOptions withTruncation(int max) {
        return new EncodeOptions(addSpecialTokens, max, true, padding, padLeft, truncateLeft, padId);
    }
}
