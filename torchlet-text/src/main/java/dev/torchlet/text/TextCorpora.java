package dev.torchlet.text;

import dev.torchlet.data.DataPaths;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The corpora shipped in the repository's {@code data/} (found as {@link DataPaths} finds datasets):
 * {@code fortunes} (2930 quotations in 6 categories, BSD, for classification) and {@code kjv} (the King
 * James Bible, public domain, for language modelling). See data/NOTICE and each folder's README.
 */
public final class TextCorpora {
    private TextCorpora() {}

    /** data/fortunes/fortunes.jsonl.gz: classes computers, food, law, politics, science, sports. */
    public static TextClassificationDataset fortunes() throws IOException {
        Path dir = DataPaths.resolve("fortunes");
        return TextClassificationDataset.fromJsonLines(dir.resolve("fortunes.jsonl.gz"), "text", "label");
    }

    /** data/kjv/kjv.txt.gz: 31102 verses, one a line ("Ge1:1 In the beginning ..."). */
    public static String kjv() throws IOException {
        return TextClassificationDataset.readText(DataPaths.resolve("kjv").resolve("kjv.txt.gz"));
    }
}
