package dev.torchlet.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torchlet.data.Dataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Labelled texts for classification, read from one folder per class ({@link #fromFolders}), a CSV
 * file with a header ({@link #fromCsv}) or JSON lines ({@link #fromJsonLines}); {@code .gz} files are
 * read gunzipped. Class names are sorted and numbered 0, 1, ... (as ImageFolder does). Samples are
 * {@link TextExample}; {@link #tokenized} turns them into {@link TokenizedText} for a
 * {@link TextCollate}.
 */
public final class TextClassificationDataset implements Dataset<TextExample> {
    private final List<String> texts;
    private final long[] labels;
    private final List<String> classes;

    private TextClassificationDataset(List<String> texts, List<String> labelNames, String source) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("TextClassificationDataset: " + source + " has no samples");
        }
        Map<String, Integer> index = new TreeMap<>();
        labelNames.forEach(l -> index.put(l, 0));
        this.classes = List.copyOf(index.keySet());
        for (int i = 0; i < classes.size(); i++) {
            index.put(classes.get(i), i);
        }
        this.texts = List.copyOf(texts);
        this.labels = new long[texts.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = index.get(labelNames.get(i));
        }
    }

    /** From texts and their class names. */
    public static TextClassificationDataset of(List<String> texts, List<String> labels) {
        if (texts.size() != labels.size()) {
            throw new IllegalArgumentException(
                    "TextClassificationDataset: " + texts.size() + " texts but " + labels.size() + " labels");
        }
        return new TextClassificationDataset(texts, labels, "the given list");
    }

    /** root/CLASS/any-file: every regular file (UTF-8) is one sample of its folder's class. */
    public static TextClassificationDataset fromFolders(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("TextClassificationDataset: no such folder " + root);
        }
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith("."))
                            .sorted()
                            .toList()) {
                        texts.add(Files.readString(f, StandardCharsets.UTF_8));
                        labels.add(dir.getFileName().toString());
                    }
                }
            }
        }
        return new TextClassificationDataset(texts, labels, root.toString());
    }

    /** A CSV file with a header row; quoted fields may hold the delimiter, "" and newlines. */
    public static TextClassificationDataset fromCsv(Path file, String textColumn, String labelColumn)
            throws IOException {
        List<List<String>> rows = Csv.parse(readText(file), ',');
        if (rows.isEmpty()) {
            throw new IOException("TextClassificationDataset: " + file + " is empty (expected a header row)");
        }
        List<String> header = rows.getFirst();
        int tc = header.indexOf(textColumn);
        int lc = header.indexOf(labelColumn);
        if (tc < 0 || lc < 0) {
            throw new IOException("TextClassificationDataset: " + file + ": no column named '"
                    + (tc < 0 ? textColumn : labelColumn) + "', columns are " + header);
        }
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() == 1 && row.getFirst().isEmpty()) {
                continue; // blank line
            }
            if (row.size() != header.size()) {
                throw new IOException("TextClassificationDataset: " + file + ": record " + r + " has " + row.size()
                        + " fields, the header has " + header.size());
            }
            texts.add(row.get(tc));
            labels.add(row.get(lc));
        }
        return new TextClassificationDataset(texts, labels, file.toString());
    }

    /** One JSON object a line, e.g. {"text": "...", "label": "spam"}; blank lines are skipped. */
    public static TextClassificationDataset fromJsonLines(Path file, String textField, String labelField)
            throws IOException {
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        String[] lines = readText(file).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = Vocabulary.json().readTree(lines[i]);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IOException(
                        "TextClassificationDataset: " + file + " line " + (i + 1) + " is not JSON: "
                                + e.getOriginalMessage(),
                        e);
            }
            if (!n.hasNonNull(textField) || !n.hasNonNull(labelField)) {
                throw new IOException("TextClassificationDataset: " + file + " line " + (i + 1) + " has no '"
                        + (n.hasNonNull(textField) ? labelField : textField) + "' field");
            }
            texts.add(n.get(textField).asText());
            labels.add(n.get(labelField).asText());
        }
        return new TextClassificationDataset(texts, labels, file.toString());
    }

    static String readText(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("TextClassificationDataset: no such file " + file);
        }
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[1 << 16];
            for (int n; (n = r.read(buf)) > 0; ) {
                sb.append(buf, 0, n);
            }
            String s = sb.toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        }
    }

    @Override
    public int size() {
        return texts.size();
    }

    @Override
    public TextExample get(int index) {
        Dataset.checkIndex("TextClassificationDataset", index, texts.size());
        return new TextExample(texts.get(index), labels[index]);
    }

    /** The class names; label i is classes().get(i). */
    public List<String> classes() {
        return classes;
    }

    public List<String> texts() {
        return texts;
    }

    public long[] labels() {
        return labels.clone();
    }

    /**
     * The samples as token ids (computed once, here), cut to maxLength ids (0: no limit) keeping the
     * special tokens, for a {@link TextCollate} and a {@link dev.torchlet.data.BucketSampler}.
     */
    public Dataset<TokenizedText> tokenized(Tokenizer tokenizer, int maxLength) {
        EncodeOptions opts =
                maxLength > 0 ? EncodeOptions.defaults().withTruncation(maxLength) : EncodeOptions.defaults();
        List<TokenizedText> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = tokenizer.encodeBatch(List.of(texts.get(i)), opts).ids()[0];
            out.add(new TokenizedText(ids, labels[i]));
        }
        List<TokenizedText> samples = List.copyOf(out);
        return new Dataset<>() {
            @Override
            public int size() {
                return samples.size();
            }

            @Override
            public TokenizedText get(int index) {
                Dataset.checkIndex("tokenized", index, samples.size());
                return samples.get(index);
            }
        };
    }

    /** The lengths of tokenized samples, for a {@link dev.torchlet.data.BucketSampler}. */
    public static int[] lengths(Dataset<TokenizedText> tokenized) {
        int[] out = new int[tokenized.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = tokenized.get(i).ids().length;
        }
        return out;
    }
}
