package dev.torchlet.cli.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.cli.CliRun;
import dev.torchlet.cli.bench.Workloads;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `torchlet generate train --model ddpm` and `sample` on 64 shipped Fashion-MNIST images with a width-8 U-Net. */
class DdpmCommandTest {
    @TempDir
    Path tmp;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    private CliRun train(Path out, boolean conditional) {
        return conditional
                ? cli(
                        "generate",
                        "train",
                        "--model",
                        "ddpm",
                        "--conditional",
                        "--limit",
                        "64",
                        "--batch-size",
                        "32",
                        "--epochs",
                        "1",
                        "--width",
                        "8",
                        "--sample-steps",
                        "2",
                        "--threads",
                        "2",
                        "--out",
                        out.toString())
                : cli(
                        "generate",
                        "train",
                        "--model",
                        "ddpm",
                        "--limit",
                        "64",
                        "--batch-size",
                        "32",
                        "--epochs",
                        "1",
                        "--width",
                        "8",
                        "--sample-steps",
                        "2",
                        "--threads",
                        "2",
                        "--out",
                        out.toString());
    }

    @Test
    void conditionalDdpmTrainsWithEmaAndSamplesAClassWithGuidance() throws Exception {
        Path dir = tmp.resolve("ddpm");
        CliRun r = train(dir, true);
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().matches("(?s).*epoch 1/1: loss \\d\\.\\d{4} .*"), r.output());
        assertTrue(r.output().contains("AdamW, U-Net width 8"), r.output());
        Path ckpt = dir.resolve("checkpoint.safetensors");
        Map<String, String> meta = SafeTensors.header(ckpt).metadata();
        assertEquals("ddpm-conditional", meta.get(GenerativeKind.METADATA_KEY));
        assertEquals("8", meta.get("width"));
        Map<String, Tensor> saved = SafeTensors.read(ckpt);
        assertTrue(saved.containsKey("model.net.yemb.weight"), saved.keySet().toString());
        assertTrue(saved.containsKey("model.ema.cin.weight"), "the EMA weights are in the checkpoint");
        assertTrue(
                !java.util.Arrays.equals(
                        saved.get("model.net.cin.weight").toFloatArray(),
                        saved.get("model.ema.cin.weight").toFloatArray()),
                "the average differs from the trained weights");
        assertTrue(Files.size(dir.resolve("losses.png")) > 1000);
        Image grid = Image.read(dir.resolve("samples_epoch_001.png"), 1);
        assertEquals(2 + 10 * 30, grid.width()); // one row of 10 per class

        var loaded = GenerateSampleCommand.load(ckpt, "ddpm-conditional");
        ((DdpmModel) loaded.model())
                .ema()
                .stateDict()
                .forEach((k, v) ->
                        assertArrayEquals(saved.get("model.ema." + k).toFloatArray(), v.toFloatArray(), 0f, k));

        Path one = tmp.resolve("sneaker.png");
        String[] sample = {
            "generate",
            "sample",
            "--checkpoint",
            ckpt.toString(),
            "--class",
            "Sneaker",
            "--count",
            "4",
            "--steps",
            "3",
            "--guidance",
            "2",
            "--out",
            one.toString()
        };
        CliRun s = cli(sample);
        assertEquals(0, s.code(), s.output());
        assertTrue(s.output().contains("wrote 4 samples of ddpm-conditional (class Sneaker)"), s.output());
        byte[] first = Files.readAllBytes(one);
        cli(sample);
        assertArrayEquals(first, Files.readAllBytes(one), "same seed, eta 0: the same images");

        // generate eval plugs a ddpm in: FID and the share of the requested classes, DDIM with guidance
        CliRun eval = cli(
                "generate",
                "eval",
                "--checkpoint",
                ckpt.toString(),
                "--samples",
                "40",
                "--batch",
                "20",
                "--steps",
                "2");
        assertEquals(0, eval.code(), eval.output());
        assertTrue(eval.output().contains("FID"), eval.output());
        assertTrue(eval.output().toLowerCase(java.util.Locale.ROOT).contains("requested class"), eval.output());
        assertEquals(
                "torchlet generate eval: --steps must be in [1, 1000] (the diffusion schedule's T), got 0",
                cli("generate", "eval", "--checkpoint", ckpt.toString(), "--steps", "0")
                        .output()
                        .strip());

        String c = ckpt.toString();
        assertEquals(
                "torchlet generate sample: --steps must be in [1, 1000] (the diffusion schedule's T), got 0",
                cli("generate", "sample", "--checkpoint", c, "--steps", "0")
                        .output()
                        .strip());
        assertEquals(
                "torchlet generate sample: --steps must be in [1, 1000] (the diffusion schedule's T), got 1001",
                cli("generate", "sample", "--checkpoint", c, "--steps", "1001")
                        .output()
                        .strip());
        CliRun neg = cli("generate", "sample", "--checkpoint", c, "--guidance", "-1");
        assertEquals(1, neg.code());
        assertEquals(
                "torchlet generate sample: --guidance must be a number >= 0, got -1.0",
                neg.output().strip());
        assertEquals(
                "torchlet generate sample: --eta must be a number >= 0, got -0.5",
                cli("generate", "sample", "--checkpoint", c, "--eta", "-0.5")
                        .output()
                        .strip());
    }

    @Test
    void unconditionalDdpmRefusesClassesAndGuidance() throws Exception {
        Path dir = tmp.resolve("ddpm-u");
        CliRun r = train(dir, false);
        assertEquals(0, r.code(), r.output());
        Path ckpt = dir.resolve("checkpoint.safetensors");
        assertEquals("ddpm", SafeTensors.header(ckpt).metadata().get(GenerativeKind.METADATA_KEY));
        Image grid = Image.read(dir.resolve("samples_epoch_001.png"), 1);
        assertEquals(2 + 8 * 30, grid.width()); // 64 samples, 8 per row
        String c = ckpt.toString();
        CliRun g = cli("generate", "sample", "--checkpoint", c, "--guidance", "3");
        assertEquals(1, g.code());
        assertTrue(
                g.output().strip().endsWith("holds a ddpm model")
                        && g.output().contains("--guidance needs a class-conditional ddpm"),
                g.output());
        CliRun cls = cli("generate", "sample", "--checkpoint", c, "--class", "Bag");
        assertTrue(cls.output().contains("--class needs a class-conditional model"), cls.output());
        CliRun ok = cli(
                "generate",
                "sample",
                "--checkpoint",
                c,
                "--steps",
                "2",
                "--count",
                "3",
                "--out",
                tmp.resolve("u.png").toString());
        assertEquals(0, ok.code(), ok.output());
        assertTrue(ok.output().contains("wrote 3 samples of ddpm"), ok.output());
    }

    @Test
    void badDdpmOptionsEndWithOneLine() {
        assertEquals(
                "torchlet generate train: --width must be a positive multiple of 8, got 12",
                cli("generate", "train", "--model", "ddpm", "--width", "12")
                        .output()
                        .strip());
        assertEquals(
                "torchlet generate train: --width and --sample-steps are for --model ddpm; got --model vae",
                cli("generate", "train", "--model", "vae", "--width", "24")
                        .output()
                        .strip());
        assertEquals(
                "torchlet generate train: --sample-steps must be at most 1000 (the schedule's T), got 2000",
                cli("generate", "train", "--model", "ddpm", "--sample-steps", "2000")
                        .output()
                        .strip());
        assertTrue(
                Workloads.names().contains("ddpm_unet_train_img_s"),
                Workloads.names().toString());
    }
}
