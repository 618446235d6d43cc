package dev.torchlet.cli.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.Main;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.io.PyTorchCheckpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.vision.models.Models;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `torchlet finetune --gradual-unfreeze` on a tiny image folder (2 classes x 4 random images) with
 * resnet18 and a torch.save'd file of its random initialization as the "pretrained" weights: the groups
 * printed at each epoch, which layers (weights and batch-norm statistics) the checkpoint shows changed,
 * --unfreeze-every (on mobilenet_v3_small) and the option checks.
 */
class GradualUnfreezeCommandTest {
    @TempDir
    static Path tmp;

    static Path weights;
    static Path images;
    static Map<String, Tensor> initial;

    @BeforeAll
    static void folderAndWeights() throws Exception {
        Torch.manualSeed(0);
        initial = Models.create("resnet18", 1000).stateDict();
        weights = tmp.resolve("resnet18.pth");
        PyTorchCheckpoint.write(initial, weights);
        images = tmp.resolve("images");
        Random random = new Random(0);
        for (String cls : new String[] {"cats", "dogs"}) {
            Files.createDirectories(images.resolve(cls));
            for (int i = 0; i < 4; i++) {
                byte[] rgb = new byte[40 * 36 * 3];
                random.nextBytes(rgb);
                new Image(40, 36, 3, rgb).write(images.resolve(cls).resolve(i + ".png"), "png");
            }
        }
    }

    /** Runs the command; returns {exit code, stdout, stderr}. */
    private static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true));
        System.setErr(new PrintStream(e, true));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new String[] {Integer.toString(code), o.toString(), e.toString()};
    }

    private static String[] finetune(Path runDir, String... extra) {
        String[] base = {
            "finetune",
            "--model",
            "resnet18",
            "--weights",
            weights.toString(),
            "--images",
            images.toString(),
            "--batch-size",
            "3",
            "--out",
            runDir.toString()
        };
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return run(args);
    }

    private static boolean changed(Map<String, Tensor> trained, String key) {
        return !Arrays.equals(
                initial.get(key).toFloatArray(), trained.get("model." + key).toFloatArray());
    }

    @Test
    void unfreezesOneGroupPerEpochFromTheHeadBackwards() throws Exception {
        Path runDir = tmp.resolve("gradual");
        String[] r = finetune(runDir, "--epochs", "3", "--gradual-unfreeze");
        String out = r[1];
        assertEquals("0", r[0], out + r[2]);
        assertTrue(
                out.contains("gradual unfreezing: 6 layer groups, head first (fc | layer4 | layer3 | layer2 | layer1 "
                        + "| conv1,bn1), one more every 1 epoch(s)"),
                out);
        assertTrue(
                out.contains("epoch 1/3: trainable: fc; frozen: layer4, layer3, layer2, layer1, conv1,bn1 "
                        + "(1,026 of 11,177,538 parameters trainable)"),
                out);
        assertTrue(out.contains("epoch 2/3: trainable: fc, layer4; frozen: layer3, layer2, layer1, conv1,bn1"), out);
        assertTrue(out.contains("epoch 3/3: trainable: fc, layer4, layer3; frozen: layer2, layer1, conv1,bn1"), out);
        assertTrue(out.contains("validation accuracy:"), out);

        Map<String, Tensor> trained = SafeTensors.read(runDir.resolve(FineTuner.CHECKPOINT));
        for (String key : new String[] {
            "layer4.1.conv2.weight", "layer4.0.bn1.running_mean", "layer3.0.conv1.weight", "layer3.1.bn2.running_var"
        }) {
            assertTrue(changed(trained, key), key + " was trained");
        }
        for (String key : new String[] {
            "conv1.weight",
            "bn1.weight",
            "bn1.running_mean",
            "layer1.0.conv1.weight",
            "layer2.1.bn2.running_mean",
            "layer2.0.downsample.1.running_var"
        }) {
            assertFalse(changed(trained, key), key + " is still frozen: weights and batch-norm statistics untouched");
        }
        assertArrayEquals(new int[] {2, 512}, trained.get("model.fc.weight").shape());
    }

    @Test
    void unfreezeEveryNEpochs() {
        // a cheaper model without pretrained weights: only the schedule matters here
        String[] r = run(
                "finetune",
                "--model",
                "mobilenet_v3_small",
                "--no-pretrained",
                "--images",
                images.toString(),
                "--batch-size",
                "3",
                "--out",
                tmp.resolve("every2").toString(),
                "--epochs",
                "3",
                "--gradual-unfreeze",
                "--unfreeze-every",
                "2");
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(
                r[1].contains("gradual unfreezing: 7 layer groups, head first (classifier.3 | classifier.0 | "
                        + "features.9-12 | features.4-8 | features.2-3 | features.1 | features.0), one more every 2 "
                        + "epoch(s)"),
                r[1]);
        assertTrue(r[1].contains("epoch 2/3: trainable: classifier.3; frozen: classifier.0,"), r[1]);
        assertTrue(r[1].contains("epoch 3/3: trainable: classifier.3, classifier.0; frozen: features.9-12,"), r[1]);
    }

    @Test
    void conflictingOptionsAreRefused() {
        Path runDir = tmp.resolve("bad");
        String[] r = finetune(runDir, "--gradual-unfreeze", "--linear-probe");
        assertEquals("1", r[0]);
        assertTrue(
                r[2].contains(
                        "--gradual-unfreeze decides which layers are frozen at each epoch; drop " + "--linear-probe"),
                r[2]);
        r = finetune(runDir, "--gradual-unfreeze", "--freeze", "layer1");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("drop --freeze"), r[2]);
        r = finetune(runDir, "--unfreeze-every", "2");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--unfreeze-every needs --gradual-unfreeze"), r[2]);
        r = finetune(runDir, "--gradual-unfreeze", "--unfreeze-every", "0");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--unfreeze-every must be at least 1, got 0"), r[2]);
        r = finetune(runDir, "--gradual-unfreeze", "--backbone-lr-factor", "0");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("would never train the layers it unfreezes"), r[2]);
    }
}
