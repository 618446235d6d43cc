package dev.torchlet.cli.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.cli.CliRun;
import dev.torchlet.cli.bench.Workloads;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end `torchlet generate train` and `sample` on a 128-image slice of the shipped Fashion-MNIST. */
class GenerateCommandTest {
    @TempDir
    Path tmp;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    private static CliRun train(Path out, String... model) {
        String[] base = {
            "generate", "train", "--limit", "128", "--epochs", "1", "--threads", "2", "--out", out.toString()
        };
        String[] all = java.util.Arrays.copyOf(base, base.length + model.length);
        System.arraycopy(model, 0, all, base.length, model.length);
        return cli(all);
    }

    @Test
    void conditionalDcganTrainsAndSamplesByClass() throws Exception {
        Path dir = tmp.resolve("gan");
        CliRun r = train(dir, "--model", "dcgan", "--conditional");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().matches("(?s).*epoch 1/1: loss_d \\d\\.\\d{4} loss_g \\d\\.\\d{4}.*"), r.output());
        Path ckpt = dir.resolve("checkpoint.safetensors");
        Map<String, String> meta = SafeTensors.header(ckpt).metadata();
        assertEquals("dcgan-conditional", meta.get(GenerativeKind.METADATA_KEY));
        assertTrue(Files.size(dir.resolve("losses.png")) > 1000);
        Image grid = Image.read(dir.resolve("samples_epoch_001.png"), 1);
        assertEquals(2 + 10 * 30, grid.width()); // 10 per row (one row per class), 28 + 2 padding each
        assertEquals(2 + 10 * 30, grid.height());

        // checkpoint round trip: the loaded model has the saved tensors
        var loaded = GenerateSampleCommand.load(ckpt, "dcgan-conditional");
        Map<String, Tensor> saved = SafeTensors.read(ckpt);
        Module model = loaded.model();
        model.stateDict()
                .forEach((k, v) -> assertArrayEquals(saved.get("model." + k).toFloatArray(), v.toFloatArray(), 0f, k));

        Path one = tmp.resolve("sneaker.png");
        CliRun s = cli(
                "generate",
                "sample",
                "--checkpoint",
                ckpt.toString(),
                "--class",
                "Sneaker",
                "--count",
                "8",
                "--out",
                one.toString());
        assertEquals(0, s.code(), s.output());
        assertTrue(s.output().contains("wrote 8 samples of dcgan-conditional (class Sneaker)"), s.output());
        Path again = tmp.resolve("again.png");
        cli(
                "generate",
                "sample",
                "--checkpoint",
                ckpt.toString(),
                "--class",
                "Sneaker",
                "--count",
                "8",
                "--out",
                again.toString());
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(again), "same seed, same images");

        CliRun unknown = cli("generate", "sample", "--checkpoint", ckpt.toString(), "--class", "Sneakers");
        assertEquals(1, unknown.code());
        assertEquals(
                "torchlet generate sample: unknown class 'Sneakers'; the model was trained on: T-shirt/top, Trouser,"
                        + " Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot",
                unknown.output().strip());
        CliRun kind = cli("generate", "sample", "--checkpoint", ckpt.toString(), "--model", "vae");
        assertEquals(1, kind.code());
        assertTrue(kind.output().strip().endsWith("holds a dcgan-conditional model, not a vae"), kind.output());
        CliRun zero = cli("generate", "sample", "--checkpoint", ckpt.toString(), "--count", "0");
        assertEquals(
                "torchlet generate sample: --count must be at least 1, got 0",
                zero.output().strip());
    }

    @Test
    void vaeTrainsWithReconstructionAndKlAndRefusesClasses() throws Exception {
        Path dir = tmp.resolve("vae");
        CliRun r = train(dir, "--model", "vae");
        assertEquals(0, r.code(), r.output());
        assertTrue(
                r.output().matches("(?s).*epoch 1/1: loss \\d+\\.\\d{4} recon \\d+\\.\\d{4} kl \\d+\\.\\d{4}.*"),
                r.output());
        assertTrue(Files.size(dir.resolve("samples_epoch_001.png")) > 1000);
        assertTrue(Files.size(dir.resolve("reconstructions_epoch_001.png")) > 1000);
        Path ckpt = dir.resolve("checkpoint.safetensors");
        CliRun cls = cli("generate", "sample", "--checkpoint", ckpt.toString(), "--class", "Bag");
        assertEquals(1, cls.code());
        assertTrue(cls.output().contains("--class needs a class-conditional model"), cls.output());
        CliRun ok = cli(
                "generate",
                "sample",
                "--checkpoint",
                ckpt.toString(),
                "--out",
                tmp.resolve("v.png").toString());
        assertEquals(0, ok.code(), ok.output());
    }

    @Test
    void badInputEndsWithOneLine() throws Exception {
        CliRun model = cli("generate", "train", "--model", "gan");
        assertEquals(1, model.code());
        assertEquals(
                "torchlet generate train: unknown model 'gan'; available: vae, ae, dcgan, ddpm",
                model.output().strip());
        CliRun epochs = cli("generate", "train", "--epochs", "0");
        assertEquals(
                "torchlet generate train: --epochs must be at least 1, got 0",
                epochs.output().strip());
        CliRun cond = cli("generate", "train", "--model", "vae", "--conditional");
        assertEquals(
                "torchlet generate train: --conditional is for --model dcgan or ddpm; vae is unconditional",
                cond.output().strip());
        CliRun missing = cli(
                "generate",
                "sample",
                "--checkpoint",
                tmp.resolve("nope.safetensors").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.output().strip().endsWith("does not exist"), missing.output());
        // a checkpoint of `torchlet train`, not of a generative model
        Path other = tmp.resolve("classifier.safetensors");
        SafeTensors.write(Map.of("model.w", dev.torchlet.Torch.zeros(1)), Map.of("model", "cnn"), other);
        CliRun wrong = cli("generate", "sample", "--checkpoint", other.toString());
        assertEquals(1, wrong.code());
        assertTrue(
                wrong.output().contains("was not written by `torchlet generate train` (it holds a 'cnn' classifier)"),
                wrong.output());
    }

    @Test
    void benchListsTheDcganWorkload() {
        assertTrue(
                Workloads.names().contains("dcgan_train_img_s"),
                Workloads.names().toString());
    }
}
