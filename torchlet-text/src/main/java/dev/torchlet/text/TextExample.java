package dev.torchlet.text;

/** A labelled text: the sample of {@link TextClassificationDataset}. */
public record TextExample(String text, long label) {
    public TextExample {
        if (text == null) {
            throw new IllegalArgumentException("TextExample: text is null");
        }
    }
}
