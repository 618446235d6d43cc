package dev.torchlet.cli.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `torchlet text-classify` train, eval and predict on a tiny JSON-lines corpus, and its refusals. */
class TextClassifyCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
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

    /** 60 texts, 2 classes with disjoint vocabularies, so even one epoch learns something. */
    private Path corpus() throws IOException {
        List<String> lines = new ArrayList<>();
        String[] cats = {"cat kitten purr meow whiskers", "car engine wheel road fuel"};
        for (int i = 0; i < 60; i++) {
            String[] words = cats[i % 2].split(" ");
            String text = words[i % 5] + " " + words[(i + 1) % 5] + " " + words[(i + 3) % 5];
            lines.add("{\"text\": \"" + text + "\", \"label\": \"" + (i % 2 == 0 ? "animals" : "cars") + "\"}");
        }
        Path file = dir.resolve("tiny.jsonl");
        Files.write(file, lines);
        return file;
    }

    @Test
    void trainEvalPredictForBothModels() throws IOException {
        Path data = corpus();
        for (String model : new String[] {"bilstm", "transformer"}) {
            Path out = dir.resolve(model);
            Run train = run(
                    "text-classify",
                    "train",
                    "--model",
                    model,
                    "--data",
                    data.toString(),
                    "--epochs",
                    "2",
                    "--batch-size",
                    "8",
                    "--out",
                    out.toString());
            assertEquals(0, train.code(), train.out() + train.err());
            assertTrue(train.out().contains("2 classes [animals, cars]; split 48/6/6"), train.out());
            assertTrue(train.out().contains("epoch 2/2"), train.out());
            assertTrue(train.out().contains("test accuracy: "), train.out());
            assertTrue(Files.isRegularFile(out.resolve("checkpoint.safetensors")));
            assertTrue(Files.isRegularFile(out.resolve("curves.png")));
            assertTrue(Files.isRegularFile(out.resolve("vocab.txt")));

            String ckpt = out.resolve("checkpoint.safetensors").toString();
            Run eval = run("text-classify", "eval", "--checkpoint", ckpt);
            assertEquals(0, eval.code(), eval.err());
            assertTrue(eval.out().startsWith("test accuracy: "), eval.out());
            assertTrue(eval.out().contains("(6 texts)"), eval.out());

            Run predict = run("text-classify", "predict", "--checkpoint", ckpt, "purr meow kitten", "engine fuel");
            assertEquals(0, predict.code(), predict.err());
            String[] lines = predict.out().strip().split("\n");
            assertEquals(2, lines.length, predict.out());
            assertTrue(lines[0].contains("%") && lines[0].endsWith("purr meow kitten"), lines[0]);
        }
    }

    @Test
    void badInputGetsOneClearLine() throws IOException {
        Run model = run(
                "text-classify",
                "train",
                "--model",
                "gru",
                "--out",
                dir.resolve("x").toString());
        assertNotEquals(0, model.code());
        assertTrue(model.err().contains("unknown model 'gru' (known: [bilstm, transformer])"), model.err());

        Run missing = run(
                "text-classify",
                "eval",
                "--checkpoint",
                dir.resolve("none.safetensors").toString());
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());

        Path notText = dir.resolve("other.txt");
        Files.writeString(notText, "x");
        Run data = run(
                "text-classify",
                "train",
                "--data",
                notText.toString(),
                "--out",
                dir.resolve("y").toString());
        assertNotEquals(0, data.code());
        assertTrue(data.err().contains("--data must be 'fortunes'"), data.err());

        Run epochs = run(
                "text-classify",
                "train",
                "--epochs",
                "0",
                "--out",
                dir.resolve("z").toString());
        assertNotEquals(0, epochs.code());
        assertTrue(epochs.err().contains("must be positive"), epochs.err());
    }
}
