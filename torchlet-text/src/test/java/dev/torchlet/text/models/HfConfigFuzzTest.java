package dev.torchlet.text.models;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * Fuzz target: any bytes as the {@code config.json} of a Hugging Face model folder whose weights are real
 * (the tiny BERT and GPT-2 of the golden tests). The first byte picks the model: even {@link Bert#fromPretrained},
 * odd {@link GPT2#fromPretrained}. Loading must return a model or throw IOException or IllegalArgumentException
 * with a message, and must not build a model larger than its weights (a config claiming 10^9 parameters next
 * to 30 KB of weights is refused before anything is allocated). Seeds: the two golden configs.
 */
class HfConfigFuzzTest {
    private static final byte[] BERT_WEIGHTS = resource("/golden/bert_tiny/model.safetensors");
    private static final byte[] GPT2_WEIGHTS = resource("/golden/gpt2_tiny/model.safetensors");

    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        boolean bert = (input[0] & 1) == 0;
        byte[] config = Arrays.copyOfRange(input, 1, input.length);
        var dir = ParserContract.file("model/config.json", config).getParent();
        Files.write(dir.resolve("model.safetensors"), bert ? BERT_WEIGHTS : GPT2_WEIGHTS);
        ParserContract.check(
                bert ? "Bert.fromPretrained" : "GPT2.fromPretrained",
                () -> {
                    if (bert) {
                        Bert.fromPretrained(dir);
                    } else {
                        GPT2.fromPretrained(dir);
                    }
                },
                IOException.class,
                IllegalArgumentException.class);
    }

    private static byte[] resource(String name) {
        try (InputStream in = HfConfigFuzzTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
