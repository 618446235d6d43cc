package dev.torchlet.cli.text;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.EpochStats;
import dev.torchlet.cli.train.Evaluation;
import dev.torchlet.data.Dataset;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import dev.torchlet.text.EncodeOptions;
import dev.torchlet.text.TextClassificationDataset;
import dev.torchlet.text.TokenizedText;
import dev.torchlet.text.WordTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code torchlet text-classify train|eval|predict}: text classification with a BiLSTM or a small Transformer. */
@Command(
        name = "text-classify",
        mixinStandardHelpOptions = true,
        description = {
            "Text classification on the shipped fortunes corpus (6 categories) or your own labelled texts: a",
            "bidirectional LSTM or a small Transformer over a word vocabulary, with the progress bar, per-epoch",
            "validation, checkpoint, curves.png and confusion matrix of `torchlet train`."
        },
        subcommands = {
            TextClassifyCommand.Train.class,
            TextClassifyCommand.Eval.class,
            TextClassifyCommand.Predict.class
        })
public final class TextClassifyCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("text-classify: choose train, eval or predict (see --help)");
        return 2;
    }

    /** Trains and reports the test accuracy of the best-validation epoch. */
    @Command(name = "train", mixinStandardHelpOptions = true, description = "Trains a text classifier.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "bilstm", description = "bilstm or transformer (default: bilstm).")
        String model;

        @Option(
                names = "--data",
                defaultValue = "fortunes",
                description = "fortunes (shipped), a folder per class, a .csv (text,label) or .jsonl file.")
        String data;

        @Option(names = "--epochs", defaultValue = "8", description = "Epochs (default: 8).")
        int epochs;

        @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: 32).")
        int batchSize;

        @Option(names = "--lr", defaultValue = "2e-3", description = "AdamW learning rate (default: 2e-3).")
        double lr;

        @Option(names = "--max-length", defaultValue = "96", description = "Tokens kept per text (default: 96).")
        int maxLength;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the split and the weights.")
        long seed;

        @Option(names = "--threads", defaultValue = "2", description = "Intra-op threads (default: 2).")
        int threads;

        @Option(
                names = "--out",
                defaultValue = "runs/text-classify",
                description = "Output folder (default: runs/text-classify).")
        Path out;

        @Override
        public Integer call() throws IOException {
            PrintStream o = System.out;
            var setup = new TextClassifierSetup(data, model, maxLength, seed);
            var settings = new TextClassifierTrainer.Settings(epochs, batchSize, lr, threads, out);
            TextClassifierTrainer.Result r = new TextClassifierTrainer(setup, settings, o).run();
            EpochStats best = r.history().stream()
                    .max((a, b) -> Double.compare(a.testAccuracy(), b.testAccuracy()))
                    .orElseThrow();
            o.printf(
                    "best validation accuracy %.2f%% (epoch %d); test accuracy: %.2f%%  (%.0f s)%n",
                    100 * best.testAccuracy(), best.epoch(), 100 * r.test().accuracy(), r.seconds());
            o.println(r.test().confusion().render());
            o.println("checkpoint: " + out.resolve(TextClassifierTrainer.CHECKPOINT) + "  curves: "
                    + out.resolve(TextClassifierTrainer.PLOT));
            return 0;
        }
    }

    /** A trained classifier restored from its checkpoint folder. */
    record Restored(TextClassifierSetup setup, Module model, WordTokenizer tokenizer, List<String> classes) {
        static Restored load(Path checkpoint) throws IOException {
            if (!Files.isRegularFile(checkpoint)) {
                throw new IOException("text-classify: checkpoint " + checkpoint + " does not exist");
            }
            Map<String, String> meta = SafeTensors.header(checkpoint).metadata();
            TextClassifierSetup setup = TextClassifierSetup.fromMetadata(meta, checkpoint);
            Path vocab = checkpoint.resolveSibling(TextClassifierTrainer.VOCAB);
            if (!Files.isRegularFile(vocab)) {
                throw new IOException("text-classify: the vocabulary " + vocab + " next to the checkpoint is missing");
            }
            WordTokenizer tokenizer = WordTokenizer.load(vocab);
            List<String> classes = Arrays.asList(meta.get("classes").split("\n"));
            Module model = setup.create(tokenizer.vocabSize(), tokenizer.padId(), classes.size());
            Checkpoint.load(checkpoint, model, null);
            model.eval();
            return new Restored(setup, model, tokenizer, classes);
        }
    }

    /** Scores a checkpoint on the test split of the data it was trained on. */
    @Command(name = "eval", mixinStandardHelpOptions = true, description = "Test accuracy and confusion matrix.")
    static final class Eval implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true, description = "checkpoint.safetensors of a train run.")
        Path checkpoint;

        @Override
        public Integer call() throws IOException {
            Restored r = Restored.load(checkpoint);
            TextClassificationDataset data = r.setup().load();
            int[] test = r.setup().split(data.size())[2];
            Dataset<TokenizedText> tokens =
                    data.tokenized(r.tokenizer(), r.setup().maxLength());
            Evaluation e = TextClassifierTrainer.evaluate(
                    r.model(), tokens, test, r.tokenizer().padId(), r.classes());
            System.out.printf(
                    "test accuracy: %.2f%% (%d texts), loss %.4f%n", 100 * e.accuracy(), test.length, e.loss());
            System.out.println(e.confusion().render());
            return 0;
        }
    }

    /** The predicted class and probabilities of each text. */
    @Command(name = "predict", mixinStandardHelpOptions = true, description = "Classifies the given texts.")
    static final class Predict implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true, description = "checkpoint.safetensors of a train run.")
        Path checkpoint;

        @Parameters(arity = "1..*", description = "Texts to classify.")
        List<String> texts;

        @Override
        public Integer call() throws IOException {
            Restored r = Restored.load(checkpoint);
            EncodeOptions opts =
                    EncodeOptions.defaults().withTruncation(r.setup().maxLength());
            try (var g = Torch.noGrad()) {
                for (String text : texts) {
                    Tensor ids = r.tokenizer().encodeBatch(List.of(text), opts).inputIds();
                    float[] p = r.model().call(ids).softmax(1).toFloatArray();
                    Integer[] order = new Integer[p.length];
                    Arrays.setAll(order, i -> i);
                    Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
                    StringBuilder sb = new StringBuilder(r.classes().get(order[0]));
                    sb.append("  (");
                    for (int k = 0; k < Math.min(3, p.length); k++) {
                        sb.append(k > 0 ? ", " : "")
                                .append(r.classes().get(order[k]))
                                .append(String.format(" %.1f%%", 100 * p[order[k]]));
                    }
                    System.out.println(sb.append(")  ").append(abbreviate(text)));
                }
            }
            return 0;
        }

        private static String abbreviate(String s) {
            String oneLine = s.replaceAll("\\s+", " ").strip();
            return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
        }
    }
}
