package dev.torchlet.cli.gpt;

import dev.torchlet.Torch;
import dev.torchlet.text.BpeTokenizer;
import dev.torchlet.text.CharTokenizer;
import dev.torchlet.text.TextCorpora;
import dev.torchlet.text.Tokenizer;
import dev.torchlet.text.models.GPT2Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code torchlet gpt train}: a small GPT-2 language model on a text file or the shipped KJV. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains a small GPT-2 (character or BPE tokens) with AdamW, linear warm-up and cosine decay.",
            "Validation loss every --eval-interval steps; the checkpoint folder (config.json, model.safetensors,",
            "tokenizer, curves.png, history.jsonl) is rewritten atomically at each evaluation.",
            "Example: torchlet gpt train --steps 300 --out runs/gpt-short"
        })
public final class GptTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--text", description = "UTF-8 text file to train on (default: the shipped King James Bible).")
    Path text;

    @Option(
            names = "--tokenizer",
            defaultValue = "char",
            description = "char or bpe (byte-level BPE trained on the text) (default: ${DEFAULT-VALUE}).")
    String tokenizer;

    @Option(
            names = "--vocab-size",
            defaultValue = "1024",
            description = "BPE vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--steps", description = "Optimizer steps (default: 1200, or as --epochs gives).")
    Integer steps;

    @Option(names = "--epochs", description = "Passes over the training tokens (instead of --steps).")
    Double epochs;

    @Option(
            names = "--context",
            defaultValue = "128",
            description = "Context length in tokens (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(
            names = "--batch-size",
            defaultValue = "16",
            description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--layers", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--embd", defaultValue = "128", description = "Model width (default: ${DEFAULT-VALUE}).")
    int embd;

    @Option(names = "--dropout", defaultValue = "0.0", description = "Dropout probability (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--lr", defaultValue = "0.002", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(
            names = "--weight-decay",
            defaultValue = "0.1",
            description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--warmup", description = "Linear warm-up steps (default: 5% of the steps, at most 100).")
    Integer warmup;

    @Option(
            names = "--eval-interval",
            description = "Steps between validation evaluations and checkpoints (default: steps / 10).")
    Integer evalInterval;

    @Option(
            names = "--eval-batches",
            defaultValue = "8",
            description = "Validation batches per evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(
            names = "--val-fraction",
            defaultValue = "0.05",
            description = "Share of the text (its end) held out for validation (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--out", defaultValue = "runs/gpt", description = "Checkpoint folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--sample-tokens",
            defaultValue = "300",
            description = "Tokens of a sample printed at the end, 0 for none (default: ${DEFAULT-VALUE}).")
    int sampleTokens;

    @Override
    public Integer call() throws Exception {
        positive("--context", context);
        positive("--batch-size", batchSize);
        positive("--layers", layers);
        positive("--heads", heads);
        positive("--embd", embd);
        positive("--eval-batches", evalBatches);
        if (steps != null) {
            positive("--steps", steps);
        }
        if (steps != null && epochs != null) {
            throw new IllegalArgumentException("give --steps or --epochs, not both");
        }
        if (epochs != null && !(epochs > 0)) {
            throw new IllegalArgumentException("--epochs must be positive, got " + epochs);
        }
        if (evalInterval != null) {
            positive("--eval-interval", evalInterval);
        }
        if (warmup != null && warmup < 0) {
            throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        }
        if (sampleTokens < 0) {
            throw new IllegalArgumentException("--sample-tokens must be >= 0, got " + sampleTokens);
        }
        if (!(lr > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException(
                    "--lr must be positive and --weight-decay >= 0, got " + lr + ", " + weightDecay);
        }
        if (!(valFraction > 0 && valFraction < 0.5)) {
            throw new IllegalArgumentException("--val-fraction must be in (0, 0.5), got " + valFraction);
        }
        if (embd % heads != 0) {
            throw new IllegalArgumentException("--embd " + embd + " is not divisible by --heads " + heads);
        }
        if (!tokenizer.equals("char") && !tokenizer.equals("bpe")) {
            throw new IllegalArgumentException("--tokenizer must be char or bpe, got '" + tokenizer + "'");
        }
        if (Files.isDirectory(out) && !Files.isRegularFile(out.resolve("config.json")) && hasFiles(out)) {
            throw new IllegalArgumentException("--out " + out + " is a folder with other files; give a new or "
                    + "a checkpoint folder (it is replaced as a whole)");
        }
        if (threads != null) {
            Torch.setNumThreads(threads);
        }
        var o = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        String corpus = readCorpus();
        Tokenizer tok = buildTokenizer(corpus);
        int[] ids = tok.encode(corpus, false);
        o.printf(
                "corpus: %s, %,d characters -> %,d %s tokens (vocabulary %d) in %.1f s%n",
                text == null ? "King James Bible (data/kjv)" : text,
                corpus.length(),
                ids.length,
                tokenizer,
                tok.vocabSize(),
                (System.nanoTime() - t0) * 1e-9);
        GPT2Config config =
                GPT2Config.of(tok.vocabSize(), context, embd, layers, heads).withDropout(dropout);
        GptTrainer.Settings s = new GptTrainer.Settings(
                steps,
                epochs,
                batchSize,
                lr,
                weightDecay,
                warmup,
                evalInterval,
                evalBatches,
                valFraction,
                seed,
                sampleTokens);
        new GptTrainer(config, tok, ids, s, out, o).run();
        o.flush();
        return 0;
    }

    private String readCorpus() throws Exception {
        String s;
        if (text == null) {
            s = TextCorpora.kjv();
        } else {
            if (!Files.isRegularFile(text)) {
                throw new java.nio.file.NoSuchFileException(text.toString(), null, "--text: no such file");
            }
            s = Files.readString(text, StandardCharsets.UTF_8);
        }
        if (s.isBlank()) {
            throw new IllegalArgumentException("the corpus " + (text == null ? "" : text + " ") + "is empty");
        }
        return s;
    }

    private Tokenizer buildTokenizer(String corpus) {
        if (tokenizer.equals("char")) {
            return CharTokenizer.fromText(corpus, true);
        }
        if (vocabSize < 257 || vocabSize > 65536) {
            throw new IllegalArgumentException("--vocab-size must be in [257, 65536] for BPE, got " + vocabSize);
        }
        // learn merges on at most 1 MB of lines: enough for a small vocabulary, and quick
        List<String> lines =
                corpus.substring(0, Math.min(corpus.length(), 1 << 20)).lines().toList();
        return BpeTokenizer.train(lines, vocabSize, 2, List.of("<|endoftext|>"));
    }

    private static boolean hasFiles(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    static void positive(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be positive, got " + value);
        }
    }
}
