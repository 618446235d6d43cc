package dev.torchlet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `torchlet gpt train`, `gpt sample` (trained checkpoint and a Hugging Face folder) and `embed`, end to end, tiny. */
class GptCommandTest {
    static final Path GPT2_TINY = Path.of("src/test/resources/hf/gpt2_tiny");
    static final Path BERT_TINY = Path.of("src/test/resources/hf/bert_tiny");

    @TempDir
    Path tmp;

    /** Exit code, stdout and stderr of one run. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @Test
    void trainsThenSamplesFromTheCheckpoint() throws Exception {
        Path text = tmp.resolve("tiny.txt");
        Files.writeString(text, "the cat sat on the mat.\nthe dog sat on the log.\n".repeat(40));
        Path ckpt = tmp.resolve("ckpt");
        Run train = run(
                "gpt",
                "train",
                "--text",
                text.toString(),
                "--steps",
                "6",
                "--context",
                "16",
                "--batch-size",
                "4",
                "--layers",
                "1",
                "--heads",
                "2",
                "--embd",
                "16",
                "--eval-interval",
                "3",
                "--eval-batches",
                "2",
                "--sample-tokens",
                "10",
                "--out",
                ckpt.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("validation loss: "), train.out());
        assertTrue(train.out().contains("step 3/6"), train.out());
        for (String f :
                new String[] {"config.json", "model.safetensors", "char_vocab.json", "curves.png", "history.jsonl"}) {
            assertTrue(Files.isRegularFile(ckpt.resolve(f)), f);
        }
        assertEquals(2, Files.readAllLines(ckpt.resolve("history.jsonl")).size());
        assertFalse(Files.list(tmp).anyMatch(p -> p.getFileName().toString().startsWith(".ckpt")), "temp folders left");

        Run sample = run(
                "gpt",
                "sample",
                "--checkpoint",
                ckpt.toString(),
                "--prompt",
                "the ",
                "--max-tokens",
                "8",
                "--seed",
                "1",
                "--top-k",
                "5");
        assertEquals(0, sample.code(), sample.err());
        String line = sample.out().strip();
        assertTrue(line.startsWith("the "), line);
        assertEquals(4 + 8, line.length(), "prompt plus 8 characters: '" + line + "'");
        Run again = run(
                "gpt",
                "sample",
                "--checkpoint",
                ckpt.toString(),
                "--prompt",
                "the ",
                "--max-tokens",
                "8",
                "--seed",
                "1",
                "--top-k",
                "5");
        assertEquals(sample.out(), again.out(), "seeded sampling repeats");

        // the context is 16: 12 prompt characters leave room for 4, with a note
        Run capped = run(
                "gpt",
                "sample",
                "--checkpoint",
                ckpt.toString(),
                "--prompt",
                "the cat sat ",
                "--max-tokens",
                "50",
                "--temperature",
                "0");
        assertEquals(0, capped.code(), capped.err());
        assertTrue(capped.err().contains("generating 4 tokens, not 50"), capped.err());

        Run tooLong = run("gpt", "sample", "--checkpoint", ckpt.toString(), "--prompt", "the cat sat on the mat.");
        assertEquals(1, tooLong.code());
        assertOneLine(tooLong.err(), "the prompt is 23 tokens, the model's context is 16");
    }

    @Test
    void trainsWithBpeTokens() throws Exception {
        Path text = tmp.resolve("tiny.txt");
        Files.writeString(text, "the cat sat on the mat. the dog sat on the log.\n".repeat(40));
        Path ckpt = tmp.resolve("bpe");
        Run train = run(
                "gpt",
                "train",
                "--text",
                text.toString(),
                "--tokenizer",
                "bpe",
                "--vocab-size",
                "280",
                "--steps",
                "2",
                "--context",
                "8",
                "--batch-size",
                "2",
                "--layers",
                "1",
                "--heads",
                "1",
                "--embd",
                "8",
                "--eval-batches",
                "1",
                "--sample-tokens",
                "0",
                "--out",
                ckpt.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.isRegularFile(ckpt.resolve("tokenizer.json")));
        Run sample = run("gpt", "sample", "--checkpoint", ckpt.toString(), "--prompt", "the", "--max-tokens", "3");
        assertEquals(0, sample.code(), sample.err());
        assertTrue(sample.out().startsWith("the"), sample.out());
    }

    @Test
    void samplesFromAHuggingFaceFolder() {
        Run greedy = run(
                "gpt",
                "sample",
                "--hf-dir",
                GPT2_TINY.toString(),
                "--prompt",
                "the cat",
                "--max-tokens",
                "5",
                "--temperature",
                "0");
        assertEquals(0, greedy.code(), greedy.err());
        assertTrue(greedy.out().startsWith("the cat"), greedy.out());
        assertEquals(
                greedy.out(),
                run(
                                "gpt",
                                "sample",
                                "--hf-dir",
                                GPT2_TINY.toString(),
                                "--prompt",
                                "the cat",
                                "--max-tokens",
                                "5",
                                "--temperature",
                                "0")
                        .out(),
                "greedy is deterministic");
    }

    @Test
    void embedsWithBert() {
        Run mean = run("embed", "--hf-dir", BERT_TINY.toString(), "the cat sat", "the mat", "cats!");
        assertEquals(0, mean.code(), mean.err());
        String[] lines = mean.out().strip().split("\n");
        assertEquals(3, lines.length, mean.out());
        for (String l : lines) {
            assertEquals(16, l.trim().split(" ").length, l);
        }
        Run cls = run("embed", "--hf-dir", BERT_TINY.toString(), "--pooling", "cls", "the cat sat");
        assertEquals(0, cls.code(), cls.err());
        assertFalse(cls.out().strip().equals(lines[0]), "cls differs from mean pooling");
        Run bad = run("embed", "--hf-dir", BERT_TINY.toString(), "--pooling", "max", "x");
        assertEquals(1, bad.code());
        assertOneLine(bad.err(), "--pooling must be mean or cls, got 'max'");
    }

    @Test
    void badInputEndsWithOneClearLine() {
        Path missing = tmp.resolve("nope");
        Run r = run("gpt", "sample", "--checkpoint", missing.toString(), "--prompt", "x");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "no such folder");
        r = run("gpt", "sample", "--hf-dir", GPT2_TINY.toString(), "--max-tokens", "0");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "--max-tokens must be positive, got 0");
        r = run("gpt", "train", "--steps", "0");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "--steps must be positive, got 0");
        r = run("gpt", "train", "--context", "-3");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "--context must be positive, got -3");
        r = run("gpt", "sample", "--hf-dir", GPT2_TINY.toString(), "--top-p", "1.5");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "--top-p must be in (0, 1], got 1.5");
        r = run("gpt", "train", "--text", tmp.resolve("missing.txt").toString());
        assertEquals(1, r.code());
        assertOneLine(r.err(), "--text: no such file");
        r = run("embed", "--hf-dir", missing.toString(), "x");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "--hf-dir: no such folder");
    }

    static void assertOneLine(String err, String expected) {
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains(expected), "expected '" + expected + "' in: " + err);
    }
}
