package dev.torchlet.text;

/** A labelled text as token ids; {@link TextCollate} pads a list of them into a batch. */
public record TokenizedText(int[] ids, long label) {
    public TokenizedText {
        if (ids == null) {
            throw new IllegalArgumentException("TokenizedText: ids is null");
        }
    }
}
