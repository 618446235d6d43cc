package dev.torchlet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.data.DataPaths;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end `torchlet train`, `eval` and `predict` on a 512-image slice of the shipped
 * Fashion-MNIST (the full run is the README's main job; it takes minutes), evaluated on the first 1000 test
 * images: a copy of the data folder cut to 1024 training and 1000 test images ({@link #smallData}), so that the
 * eight training runs do not each decode 60,000 images and evaluate 10,000 per epoch.
 */
class TrainCommandTest {
    @TempDir
    Path tmp;

    @TempDir
    static Path shared;

    private static Path data;

    @BeforeAll
    static void smallData() throws IOException {
        data = shared.resolve("fashion-mnist");
        Files.createDirectories(data);
        Path full = DataPaths.resolve("fashion-mnist");
        truncateIdx(full.resolve("train-images-idx3-ubyte.gz"), data, 1024);
        truncateIdx(full.resolve("train-labels-idx1-ubyte.gz"), data, 1024);
        truncateIdx(full.resolve("t10k-images-idx3-ubyte.gz"), data, 1000);
        truncateIdx(full.resolve("t10k-labels-idx1-ubyte.gz"), data, 1000);
    }

    /**
     * Writes the first n items of a gzipped IDX file (big-endian header: magic, count, then one size per further
     * dimension) to a file of the same name in dir, with the count set to n.
     */
    private static void truncateIdx(Path src, Path dir, int n) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(src)));
                DataOutputStream out = new DataOutputStream(
                        new GZIPOutputStream(Files.newOutputStream(dir.resolve(src.getFileName()))))) {
            int magic = in.readInt();
            int count = in.readInt();
            assertTrue(count >= n, src + " holds " + count + " items");
            out.writeInt(magic);
            out.writeInt(n);
            int itemBytes = 1;
            for (int d = 1; d < (magic & 0xff); d++) {
                int size = in.readInt();
                out.writeInt(size);
                itemBytes *= size;
            }
            out.write(in.readNBytes(n * itemBytes));
        }
    }

    /** Runs the CLI, returning exit code and captured stdout + stderr. */
    private static Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            int code = Main.run(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    record Run(int code, String output) {}

    private static String[] train(Path out, String... extra) {
        String[] base = {
            "train",
            "--data",
            data.toString(),
            "--limit",
            "512",
            "--batch-size",
            "32",
            "--threads",
            "2",
            "--workers",
            "2",
            "--out",
            out.toString()
        };
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void trainsWritesCheckpointAndPlotAndPrintsSummary() throws Exception {
        Run r = cli(train(tmp, "--epochs", "2", "--model", "mlp"));
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("epoch 2/2: train loss"), r.output());
        assertTrue(r.output().contains("confusion matrix"), r.output());
        assertTrue(r.output().matches("(?s).*test accuracy: \\d+\\.\\d\\d%\\s*"), r.output());
        double acc = Double.parseDouble(r.output().replaceAll("(?s).*test accuracy: (\\d+\\.\\d+)%.*", "$1"));
        assertTrue(acc > 60, "a 2-epoch MLP on 512 images still learns: " + acc);
        assertTrue(Files.size(tmp.resolve("checkpoint.safetensors")) > 0);
        assertTrue(Files.size(tmp.resolve("curves.png")) > 1000);
        assertEquals(2, Files.readAllLines(tmp.resolve("history.jsonl")).size());
        assertEquals(
                "2",
                SafeTensors.header(tmp.resolve("checkpoint.safetensors"))
                        .metadata()
                        .get("epoch"));

        Run eval = cli(
                "eval",
                "--data",
                data.toString(),
                "--checkpoint",
                tmp.resolve("checkpoint.safetensors").toString());
        assertEquals(0, eval.code(), eval.output());
        assertTrue(eval.output().contains(String.format("test accuracy: %.2f%%", acc)), eval.output());

        Path png = tmp.resolve("item.png");
        new Image(28, 28, 1, new byte[28 * 28]).write(png, "png");
        Run predict = cli(
                "predict",
                "--checkpoint",
                tmp.resolve("checkpoint.safetensors").toString(),
                "--top-k",
                "2",
                png.toString());
        assertEquals(0, predict.code(), predict.output());
        assertEquals(3, predict.output().strip().lines().count(), predict.output());
    }

    @Test
    void resumeContinuesExactlyLikeAnUninterruptedRun() throws Exception {
        Path straight = tmp.resolve("straight");
        assertEquals(
                0,
                cli(train(straight, "--epochs", "2", "--model", "cnn-bn", "--augment"))
                        .code());
        Map<String, Tensor> afterTwo = SafeTensors.read(straight.resolve("checkpoint.safetensors"));
        // the same run stopped after epoch 1 (as if interrupted), then resumed from its checkpoint
        Path partial = tmp.resolve("partial");
        assertEquals(
                0,
                cli(train(partial, "--epochs", "2", "--model", "cnn-bn", "--augment", "--stop-after", "1"))
                        .code());
        Run resumed = cli(
                "train",
                "--data",
                data.toString(),
                "--resume",
                partial.resolve("checkpoint.safetensors").toString(),
                "--threads",
                "2");
        assertEquals(0, resumed.code(), resumed.output());
        assertTrue(resumed.output().contains("resumed from"), resumed.output());
        Map<String, Tensor> resumedState = SafeTensors.read(partial.resolve("checkpoint.safetensors"));
        for (var e : afterTwo.entrySet()) {
            assertArrayEquals(
                    e.getValue().toDoubleArray(), resumedState.get(e.getKey()).toDoubleArray(), 0.0, e.getKey());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"mlp", "cnn", "cnn-bn", "resnet-small"})
    void everyModelAndOptimizerRuns(String model) {
        String optimizer = switch (model) {
            case "cnn" -> "sgd";
            case "resnet-small" -> "adamw";
            default -> "adam";
        };
        Run r = cli(train(
                tmp.resolve(model),
                "--epochs",
                "1",
                "--model",
                model,
                "--optimizer",
                optimizer,
                "--schedule",
                "onecycle"));
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("model " + model + ", 1 epochs"), r.output());
        assertTrue(r.output().contains("test accuracy: "), r.output());
    }

    @Test
    void badInputEndsWithOneLineAndNonZeroExit() {
        Run model = cli("train", "--model", "transformer-xl");
        assertEquals(1, model.code());
        assertEquals(
                "torchlet train: unknown model 'transformer-xl'; available: mlp, cnn, cnn-small, cnn-bn, resnet-small",
                model.output().strip());
        assertEquals(1, cli("train", "--batch-size", "0").code());
        assertEquals(1, cli("train", "--lr", "-0.1").code());
        Run data = cli("train", "--data", tmp.resolve("missing").toString());
        assertEquals(1, data.code());
        assertEquals(1, data.output().strip().lines().count(), data.output());
        Run ckpt = cli("eval", "--checkpoint", tmp.resolve("none.safetensors").toString());
        assertEquals(1, ckpt.code());
        assertTrue(ckpt.output().contains("does not exist"), ckpt.output());
        assertEquals(2, cli("train", "--epochs", "many").code()); // usage error
    }
}
