package dev.torchlet.cli.text;

import dev.torchlet.nn.Module;
import dev.torchlet.text.TextClassificationDataset;
import dev.torchlet.text.TextCorpora;
import dev.torchlet.text.models.LstmTextClassifier;
import dev.torchlet.text.models.TransformerTextClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What a text-classification run is made of, rebuilt identically by train, eval and predict from the
 * checkpoint's metadata: the labelled texts, their seeded 80/10/10 train/validation/test split and the model.
 *
 * @param data      "fortunes" (the shipped corpus) or a path: a folder per class, a .csv (text,label) or a
 *                  .jsonl file ({"text": ..., "label": ...})
 * @param model     "bilstm" or "transformer"
 * @param maxLength tokens kept per text
 */
record TextClassifierSetup(String data, String model, int maxLength, long seed) {
    static final List<String> MODELS = List.of("bilstm", "transformer");

    TextClassifierSetup {
        if (!MODELS.contains(model)) {
            throw new IllegalArgumentException("text-classify: unknown model '" + model + "' (known: " + MODELS + ")");
        }
        if (maxLength < 1) {
            throw new IllegalArgumentException("text-classify: --max-length must be >= 1, got " + maxLength);
        }
    }

    Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kind", "text-classify");
        m.put("data", data);
        m.put("model", model);
        m.put("max_length", Integer.toString(maxLength));
        m.put("seed", Long.toString(seed));
        return m;
    }

    static TextClassifierSetup fromMetadata(Map<String, String> m, Path checkpoint) throws IOException {
        if (!"text-classify".equals(m.get("kind"))) {
            throw new IOException("checkpoint " + checkpoint + " was not written by `torchlet text-classify train`");
        }
        return new TextClassifierSetup(
                m.get("data"), m.get("model"), Integer.parseInt(m.get("max_length")), Long.parseLong(m.get("seed")));
    }

    TextClassificationDataset load() throws IOException {
        if (data.equals("fortunes")) {
            return TextCorpora.fortunes();
        }
        Path p = Path.of(data);
        if (Files.isDirectory(p)) {
            return TextClassificationDataset.fromFolders(p);
        }
        String name = p.getFileName().toString();
        if (name.endsWith(".csv") || name.endsWith(".csv.gz")) {
            return TextClassificationDataset.fromCsv(p, "text", "label");
        }
        if (name.endsWith(".jsonl") || name.endsWith(".jsonl.gz")) {
            return TextClassificationDataset.fromJsonLines(p, "text", "label");
        }
        throw new IOException("text-classify: --data must be 'fortunes', a folder with one sub-folder per class, a "
                + ".csv or a .jsonl file; got " + data);
    }

    /** The split as index arrays {train, validation, test}: a seeded shuffle cut 80/10/10. */
    int[][] split(int n) {
        if (n < 10) {
            throw new IllegalArgumentException("text-classify: need at least 10 labelled texts, got " + n);
        }
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int nVal = n / 10;
        int nTest = n / 10;
        int nTrain = n - nVal - nTest;
        return new int[][] {
            Arrays.copyOfRange(order, 0, nTrain),
            Arrays.copyOfRange(order, nTrain, nTrain + nVal),
            Arrays.copyOfRange(order, nTrain + nVal, n)
        };
    }

    Module create(int vocabSize, int padId, int numClasses) {
        return switch (model) {
            case "bilstm" -> new LstmTextClassifier(vocabSize, padId, numClasses, 128, 128, 0.3);
            case "transformer" ->
                new TransformerTextClassifier(vocabSize, padId, numClasses, maxLength, 128, 4, 2, 0.1);
            default -> throw new IllegalStateException(model);
        };
    }
}
