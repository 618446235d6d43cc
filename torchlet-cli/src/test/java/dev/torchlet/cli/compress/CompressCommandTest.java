package dev.torchlet.cli.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.CliRun;
import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.cli.train.TrainModels;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;
import dev.torchlet.optim.AdamOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `torchlet compress prune` and `distill` end to end on a barely trained cnn-bn checkpoint, evaluated on
 * 200 test images (accuracies are not the point here: the runs, the written checkpoints and the messages are).
 */
class CompressCommandTest {
    @TempDir
    static Path tmp;

    static Path ckpt;

    static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    /**
     * A `torchlet train` checkpoint of a cnn-bn as the trainer writes it (model name and epoch in the
     * metadata), after a few training steps; made here rather than by `torchlet train`, whose full
     * 10,000-image test evaluation alone takes half a minute on a busy 2-core machine
     * (TrainCommandTest runs `train` itself).
     */
    @BeforeAll
    static void trainTiny() throws Exception {
        ckpt = tinyCheckpoint(tmp.resolve("train"));
    }

    /** Writes the tiny cnn-bn checkpoint into dir; also used by QuantizeCommandTest. */
    static Path tinyCheckpoint(Path dir) throws Exception {
        Torch.manualSeed(7);
        Module model = TrainModels.create("cnn-bn", 10);
        Adam opt = new Adam(model.parameters(), AdamOptions.of(1e-3));
        model.train();
        for (int i = 0; i < 3; i++) {
            opt.zeroGrad();
            Tensor x = Torch.randn(16, 1, 28, 28);
            F.crossEntropy(model.call(x), Torch.randint(0, 10, 16)).backward();
            opt.step();
        }
        Path file = dir.resolve("checkpoint.safetensors");
        Files.createDirectories(dir);
        Checkpoint.save(file, model, opt, Map.of("model", "cnn-bn", "epoch", "1", "dataset", "fashion-mnist"));
        return file;
    }

    private static long params(SavedModel m) {
        return m.model().parameters().stream().mapToLong(Tensor::numel).sum();
    }

    @Test
    void structuredPruneWritesASmallerLoadableModel() throws Exception {
        Path out = tmp.resolve("small.safetensors");
        CliRun r = cli(
                "compress",
                "prune",
                "--checkpoint",
                ckpt.toString(),
                "--amount",
                "0.5",
                "--structured",
                "--finetune-epochs",
                "1",
                "--limit",
                "128",
                "--test-limit",
                "200",
                "--threads",
                "2",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.output());
        for (String row :
                new String[] {"parameters", "file size", "latency batch 1", "latency batch 64", "test accuracy"}) {
            assertTrue(r.output().contains(row), row + " in\n" + r.output());
        }
        SavedModel before = SavedModel.load(ckpt);
        SavedModel after = SavedModel.load(out);
        assertTrue(params(after) < params(before) * 0.4, params(before) + " -> " + params(after));
        assertEquals("0=16,3=16,7=32,10=32,15=128", after.metadata().get(SavedModel.CHANNELS));
        try (var g = Torch.noGrad()) {
            assertEquals(10, after.model().call(Torch.randn(2, 1, 28, 28)).shape()[1]);
        }
        assertTrue(Files.size(out) < Files.size(ckpt));
        // pruning a pruned checkpoint again, one layer only: the saved sizes stay complete
        Path again = tmp.resolve("smaller.safetensors");
        CliRun r2 = cli(
                "compress",
                "prune",
                "--checkpoint",
                out.toString(),
                "--amount",
                "0.5",
                "--structured",
                "--layers",
                "0",
                "--test-limit",
                "100",
                "--threads",
                "2",
                "--out",
                again.toString());
        assertEquals(0, r2.code(), r2.output());
        assertEquals(
                "0=8,3=16,7=32,10=32,15=128", SavedModel.load(again).metadata().get(SavedModel.CHANNELS));
    }

    @Test
    void unstructuredPruneKeepsShapesAndZeroesWeights() throws Exception {
        Path out = tmp.resolve("masked.safetensors");
        CliRun r = cli(
                "compress",
                "prune",
                "--checkpoint",
                ckpt.toString(),
                "--amount",
                "0.6",
                "--rounds",
                "2",
                "--test-limit",
                "200",
                "--threads",
                "2",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("round 2/2"), r.output());
        Map<String, Tensor> sd = SafeTensors.read(out);
        Tensor w = sd.get("model.3.weight");
        long zeros = 0;
        for (float v : w.toFloatArray()) {
            zeros += v == 0f ? 1 : 0;
        }
        assertEquals(Math.round(0.6 * w.numel()), zeros, 2.0, "60% of conv 3 in two rounds");
        assertFalse(sd.containsKey("model.3.weight_mask"), "masks made permanent");
    }

    @Test
    void distillTrainsTheStudent() throws Exception {
        Path out = tmp.resolve("student.safetensors");
        CliRun r = cli(
                "compress",
                "distill",
                "--teacher",
                ckpt.toString(),
                "--student",
                "cnn-small",
                "--epochs",
                "1",
                "--limit",
                "128",
                "--test-limit",
                "200",
                "--threads",
                "2",
                "--baseline",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("student alone"), r.output());
        assertEquals("cnn-small", SavedModel.load(out).metadata().get("model"));
    }

    @Test
    void badInputGetsOneLineAndWritesNothing() throws Exception {
        Path out = tmp.resolve("never.safetensors");
        CliRun amount =
                cli("compress", "prune", "--checkpoint", ckpt.toString(), "--amount", "1.5", "--out", out.toString());
        assertEquals(1, amount.code());
        assertEquals(
                "torchlet compress prune: --amount must be a fraction in [0, 1], got 1.5",
                amount.output().strip());
        CliRun layer = cli(
                "compress",
                "prune",
                "--checkpoint",
                ckpt.toString(),
                "--amount",
                "0.5",
                "--layers",
                "2",
                "--out",
                out.toString());
        assertEquals(1, layer.code());
        assertEquals(
                "torchlet compress prune: layer '2' is a ReLU, which can not be pruned; supported: Conv2d, " + "Linear",
                layer.output().strip());
        CliRun structuredLayer = cli(
                "compress",
                "prune",
                "--checkpoint",
                ckpt.toString(),
                "--amount",
                "0.5",
                "--structured",
                "--layers",
                "1",
                "--out",
                out.toString());
        assertEquals(1, structuredLayer.code());
        assertTrue(
                structuredLayer
                        .output()
                        .strip()
                        .startsWith(
                                "torchlet compress prune: ChannelPruning: layer '1' is a BatchNorm2d, which can not be "
                                        + "pruned; supported: producers Conv2d"),
                structuredLayer.output());
        Path notTrain = tmp.resolve("weights.safetensors");
        SafeTensors.write(Map.of("w", Torch.ones(2)), notTrain);
        CliRun foreign = cli(
                "compress", "prune", "--checkpoint", notTrain.toString(), "--amount", "0.5", "--out", out.toString());
        assertEquals(1, foreign.code());
        assertEquals(
                "torchlet compress prune: checkpoint " + notTrain + " was not written by `torchlet train` (no "
                        + "model name in its metadata)",
                foreign.output().strip());
        CliRun student = cli("compress", "distill", "--teacher", ckpt.toString(), "--student", "vgg99");
        assertEquals(1, student.code());
        assertTrue(
                student.output().strip().startsWith("torchlet compress distill: unknown model 'vgg99'"),
                student.output());
        CliRun temp = cli("compress", "distill", "--teacher", ckpt.toString(), "--temperature", "0");
        assertEquals(
                "torchlet compress distill: DistillationLoss: temperature must be > 0, got 0.0",
                temp.output().strip());
        assertFalse(Files.exists(out));
        assertEquals(1, SafeTensors.header(ckpt).metadata().get("epoch").length(), "input untouched");
    }
}
