package dev.torchlet.cli.gpt;

import dev.torchlet.io.AtomicFiles;
import dev.torchlet.text.BpeTokenizer;
import dev.torchlet.text.CharTokenizer;
import dev.torchlet.text.Tokenizer;
import dev.torchlet.text.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A GPT checkpoint folder in Hugging Face's layout: {@code config.json}, {@code model.safetensors} and
 * the tokenizer: {@code tokenizer.json} (byte-level BPE, as the Hub has it), GPT-2's {@code vocab.json} +
 * {@code merges.txt}, or {@code char_vocab.json} (Torchlet's character tokenizer). {@code gpt train} adds
 * {@code curves.png}, {@code history.jsonl} and {@code training.json}.
 */
public final class GptFolder {
    public static final String CHAR_VOCAB = "char_vocab.json";
    public static final String TOKENIZER_JSON = "tokenizer.json";

    private GptFolder() {}

    /** The tokenizer of a folder, whichever of the three forms it has. */
    public static Tokenizer tokenizer(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(TOKENIZER_JSON))) {
            return Tokenizers.fromHuggingFace(dir.resolve(TOKENIZER_JSON));
        }
        if (Files.isRegularFile(dir.resolve("vocab.json")) || Files.isRegularFile(dir.resolve("encoder.json"))) {
            return Tokenizers.fromGpt2(dir);
        }
        if (Files.isRegularFile(dir.resolve(CHAR_VOCAB))) {
            return CharTokenizer.load(dir.resolve(CHAR_VOCAB));
        }
        throw new NoSuchFileException(
                dir.toString(),
                null,
                "no tokenizer in the folder (expected tokenizer.json, vocab.json + merges.txt, or " + CHAR_VOCAB + ")");
    }

    /** Writes a tokenizer in the folder's form for its kind. */
    static void saveTokenizer(Tokenizer tok, Path dir) throws IOException {
        switch (tok) {
            case CharTokenizer c -> c.save(dir.resolve(CHAR_VOCAB));
            case BpeTokenizer b -> b.save(dir.resolve(TOKENIZER_JSON));
            default ->
                throw new IllegalArgumentException(
                        "gpt: cannot save a " + tok.getClass().getSimpleName());
        }
    }

    /** Checks that dir is a model folder, with a one-line message naming what is missing. */
    static void requireModelFolder(Path dir, String option) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(
                    dir.toString(), null, option + ": no such folder (train one with: torchlet gpt train --out DIR)");
        }
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new NoSuchFileException(
                        dir.resolve(f).toString(), null, option + ": the folder has no " + f + " (not a model folder)");
            }
        }
    }

    /**
     * Writes a folder atomically: fill a temporary sibling, then swap it in with renames, so a reader (or
     * a crash) sees the old complete folder or the new complete one.
     */
    static void writeAtomically(Path dir, FolderWriter writer) throws IOException {
        Path abs = dir.toAbsolutePath();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        Path tmp = AtomicFiles.createSiblingDirectory(abs); // rwxr-xr-x under the usual umask, not 0700
        Path old = parent.resolve("." + abs.getFileName() + ".old");
        try {
            writer.write(tmp);
            deleteTree(old);
            if (Files.exists(abs)) {
                Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } finally {
            deleteTree(tmp);
        }
    }

    /** Writes a folder's files. */
    @FunctionalInterface
    interface FolderWriter {
        void write(Path dir) throws IOException;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
