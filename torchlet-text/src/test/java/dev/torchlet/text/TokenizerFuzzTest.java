package dev.torchlet.text;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fuzz target: any bytes as tokenizer files. The first byte picks the format, the rest is the file:
 *
 * <ul>
 *   <li>0: a Hugging Face {@code tokenizer.json} ({@link Tokenizers#fromHuggingFace});
 *   <li>1: GPT-2's {@code vocab.json} and {@code merges.txt}, split at the first zero byte
 *       ({@link Tokenizers#fromGpt2});
 *   <li>2: BERT's {@code vocab.txt} ({@link Tokenizers#fromBertVocab}).
 * </ul>
 *
 * Loading must return a tokenizer or throw IOException with a message; a tokenizer that loaded must then
 * encode and decode a mixed-script sample text without any exception. Seeds: GPT-2's files and
 * tokenizer.json, and a cut-down bert-base-uncased tokenizer.json and vocab.txt (the first 1,200 tokens).
 */
class TokenizerFuzzTest {
    private static final String SAMPLE = "Hello, wörld! Ünïcode 字符 and emoji 🤗🚀 [CLS] <|endoftext|>  tabs\tand 42.";

    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        int format = (input[0] & 0xff) % 3;
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        Path file = write(format, rest);
        Tokenizer[] loaded = new Tokenizer[1];
        ParserContract.checkIo("tokenizer format " + format, () -> loaded[0] = load(format, file));
        if (loaded[0] != null) {
            int[] ids = loaded[0].encode(SAMPLE);
            loaded[0].decode(ids, true);
            loaded[0].decode(ids, false);
        }
    }

    /** The input as the format's file(s); returns the file (format 1: the folder) to load. */
    private static Path write(int format, byte[] rest) throws IOException {
        switch (format) {
            case 0 -> {
                return ParserContract.file("tokenizer.json", rest);
            }
            case 1 -> {
                int zero = 0;
                while (zero < rest.length && rest[zero] != 0) {
                    zero++;
                }
                Path vocab = ParserContract.file("gpt2/vocab.json", Arrays.copyOfRange(rest, 0, zero));
                Files.write(
                        vocab.resolveSibling("merges.txt"),
                        Arrays.copyOfRange(rest, Math.min(zero + 1, rest.length), rest.length));
                return vocab.getParent();
            }
            default -> {
                return ParserContract.file("vocab.txt", rest);
            }
        }
    }

    private static Tokenizer load(int format, Path file) throws IOException {
        return switch (format) {
            case 0 -> Tokenizers.fromHuggingFace(file);
            case 1 -> Tokenizers.fromGpt2(file);
            default -> Tokenizers.fromBertVocab(file, true);
        };
    }
}
