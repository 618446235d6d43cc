package dev.torchlet.data.datasets;

import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Example;
import dev.torchlet.internal.TensorInternals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A table from a CSV file with a header row: the named label column gives the class, every
 * other numeric column a float32 feature (in file order); columns with no numeric value at all
 * (ids, free text) are ignored and listed in {@link #ignoredColumns()}. Labels that are all
 * integers are used as is; otherwise the distinct strings, sorted, become classes 0, 1, ...
 * Samples are {@code Example(features (F), label)}. Quotes ("a,b" and "" inside) are understood.
 */
public final class CsvDataset implements Dataset<Example> {
    /** @param labelColumn header name of the label column; @param delimiter usually ',' */
    public record Options(String labelColumn, char delimiter) {
        public Options {
            if (labelColumn == null || labelColumn.isBlank()) {
                throw new IllegalArgumentException("CsvDataset: labelColumn is empty");
            }
        }

        public Options(String labelColumn) {
            this(labelColumn, ',');
        }
    }

    private final float[] features; // (N, F)
    private final long[] labels;
    private final int numFeatures;
    private final List<String> featureColumns;
    private final List<String> ignoredColumns;
    private final List<String> classes;

    public CsvDataset(Path path, Options options) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("CSV: no such file " + path);
        }
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        int first = 0;
        while (first < lines.size() && lines.get(first).isBlank()) {
            first++;
        }
        if (first == lines.size()) {
            throw new IOException("CSV: " + path + " is empty (expected a header row)");
        }
        List<String> header = split(lines.get(first), options.delimiter(), path, first + 1);
        if (!header.isEmpty() && header.getFirst().startsWith("\uFEFF")) {
            header.set(0, header.getFirst().substring(1)); // UTF-8 byte order mark
        }
        int labelCol = header.indexOf(options.labelColumn());
        if (labelCol < 0) {
            throw new IOException(
                    "CSV: " + path + ": no column named '" + options.labelColumn() + "', columns are " + header);
        }
        List<List<String>> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        for (int i = first + 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            List<String> row = split(lines.get(i), options.delimiter(), path, i + 1);
            if (row.size() != header.size()) {
                throw new IOException("CSV: " + path + ": line " + (i + 1) + " has " + row.size() + " fields, the "
                        + "header has " + header.size());
            }
            rows.add(row);
            lineNumbers.add(i + 1);
        }
        if (rows.isEmpty()) {
            throw new IOException("CSV: " + path + " has a header but no rows");
        }
        // Which columns are numeric: a column with at least one number must be all numbers.
        List<Integer> featureIdx = new ArrayList<>();
        List<String> featureNames = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            if (c == labelCol) {
                continue;
            }
            int numeric = 0;
            int firstBad = -1;
            for (int r = 0; r < rows.size(); r++) {
                if (isNumber(rows.get(r).get(c))) {
                    numeric++;
                } else if (firstBad < 0) {
                    firstBad = r;
                }
            }
            if (numeric == 0) {
                ignored.add(header.get(c));
            } else if (firstBad >= 0) {
                throw new IOException("CSV: " + path + ": line " + lineNumbers.get(firstBad) + ", column '"
                        + header.get(c) + "': '" + rows.get(firstBad).get(c) + "' is not a number (the column has "
                        + numeric + " numeric values)");
            } else {
                featureIdx.add(c);
                featureNames.add(header.get(c));
            }
        }
        if (featureIdx.isEmpty()) {
            throw new IOException("CSV: " + path + ": no numeric feature columns besides '" + options.labelColumn()
                    + "' (columns " + header + ")");
        }
        int n = rows.size();
        int f = featureIdx.size();
        this.features = new float[n * f];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < f; k++) {
                features[r * f + k] =
                        Float.parseFloat(rows.get(r).get(featureIdx.get(k)).strip());
            }
        }
        this.labels = new long[n];
        boolean integers = rows.stream().allMatch(row -> isInteger(row.get(labelCol)));
        if (integers) {
            for (int r = 0; r < n; r++) {
                labels[r] = Long.parseLong(rows.get(r).get(labelCol).strip());
            }
            this.classes = List.of();
        } else {
            TreeSet<String> distinct = new TreeSet<>();
            for (List<String> row : rows) {
                distinct.add(row.get(labelCol).strip());
            }
            List<String> names = new ArrayList<>(distinct);
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                index.put(names.get(i), i);
            }
            for (int r = 0; r < n; r++) {
                labels[r] = index.get(rows.get(r).get(labelCol).strip());
            }
            this.classes = List.copyOf(names);
        }
        this.numFeatures = f;
        this.featureColumns = List.copyOf(featureNames);
        this.ignoredColumns = List.copyOf(ignored);
    }

    private static boolean isNumber(String s) {
        String t = s.strip();
        if (t.isEmpty()) {
            return false;
        }
        try {
            Float.parseFloat(t);
            return !t.endsWith("f") && !t.endsWith("F") && !t.endsWith("d") && !t.endsWith("D");
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isInteger(String s) {
        try {
            Long.parseLong(s.strip());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Splits one line into fields, honouring double quotes. */
    static List<String> split(String line, char delimiter, Path path, int lineNumber) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == delimiter) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quoted) {
            throw new IOException("CSV: " + path + ": line " + lineNumber + " has an unclosed quote");
        }
        out.add(cur.toString());
        return out;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Example get(int index) {
        Dataset.checkIndex("CsvDataset", index, labels.length);
        float[] row = Arrays.copyOfRange(features, index * numFeatures, (index + 1) * numFeatures);
        return new Example(TensorInternals.wrap(Storage.of(row), numFeatures), labels[index]);
    }

    /** All features as one (N, F) tensor (e.g. to compute normalization statistics). */
    public Tensor features() {
        return TensorInternals.wrap(Storage.of(features.clone()), labels.length, numFeatures);
    }

    public int numFeatures() {
        return numFeatures;
    }

    public List<String> featureColumns() {
        return featureColumns;
    }

    public List<String> ignoredColumns() {
        return ignoredColumns;
    }

    /** Class names when the labels were strings (label i = classes().get(i)); empty for integer labels. */
    public List<String> classes() {
        return classes;
    }
}
