package dev.torchlet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.io.Npy;
import dev.torchlet.io.PyTorchCheckpoint;
import dev.torchlet.vision.models.Models;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vision commands end to end on a tiny image folder (2 classes x 4 random images) with
 * squeezenet1_1 and a torch.save'd file of its random initialization as the "pretrained" weights.
 */
class VisionCommandsTest {
    @TempDir
    static Path tmp;

    static Path weights;
    static Path images;

    @BeforeAll
    static void folderAndWeights() throws Exception {
        Torch.manualSeed(0);
        weights = tmp.resolve("squeezenet.pth");
        PyTorchCheckpoint.write(Models.create("squeezenet1_1", 1000).stateDict(), weights);
        images = tmp.resolve("images");
        Random random = new Random(0);
        for (String cls : new String[] {"cats", "dogs"}) {
            Files.createDirectories(images.resolve(cls));
            for (int i = 0; i < 4; i++) {
                byte[] rgb = new byte[48 * 40 * 3];
                random.nextBytes(rgb);
                new Image(48, 40, 3, rgb).write(images.resolve(cls).resolve(i + ".png"), "png");
            }
        }
    }

    private static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, code, String.join(" ", args) + "\n" + buf);
        return buf.toString();
    }

    @Test
    void classifyPrintsTopKImageNetClasses() {
        String out = run(
                "classify",
                "--model",
                "squeezenet1_1",
                "--weights",
                weights.toString(),
                "--top-k",
                "3",
                images.resolve("cats/0.png").toString());
        assertEquals(
                3,
                out.lines()
                        .filter(l -> l.matches("\\s+[0-9.]+%\\s+.+ \\([0-9]+\\)"))
                        .count(),
                out);
    }

    @Test
    void extractWritesFeaturesNumpyCanRead() throws Exception {
        Path f = tmp.resolve("features.npy");
        run(
                "extract",
                "--model",
                "squeezenet1_1",
                "--weights",
                weights.toString(),
                "--images",
                images.toString(),
                "--layer",
                "classifier.3",
                "--out",
                f.toString(),
                "--batch-size",
                "3");
        Tensor features = Npy.read(f);
        assertArrayEquals(new int[] {8, 1000}, features.shape());
        assertArrayEquals(
                new long[] {0, 0, 0, 0, 1, 1, 1, 1},
                Npy.read(tmp.resolve("features_labels.npy")).toLongArray());
        Path csv = tmp.resolve("features.csv");
        run(
                "extract",
                "--model",
                "squeezenet1_1",
                "--weights",
                weights.toString(),
                "--images",
                images.toString(),
                "--layer",
                "classifier.3",
                "--out",
                csv.toString());
        assertEquals(9, Files.readAllLines(csv).size());
    }

    @Test
    void explainWritesAHeatMapPng() throws Exception {
        Path png = tmp.resolve("heat.png");
        run(
                "explain",
                "--model",
                "squeezenet1_1",
                "--checkpoint",
                weights.toString(),
                "--layer",
                "features.12",
                "--out",
                png.toString(),
                images.resolve("dogs/1.png").toString());
        Image heat = Image.read(png, 3);
        assertEquals(224, heat.width());
        run(
                "explain",
                "--model",
                "squeezenet1_1",
                "--checkpoint",
                weights.toString(),
                "--method",
                "saliency",
                "--out",
                png.toString(),
                images.resolve("dogs/1.png").toString());
    }

    @Test
    void finetuneTrainsANewHeadAndLinearProbeToo() throws Exception {
        Path runDir = tmp.resolve("run");
        String out = run(
                "finetune",
                "--model",
                "squeezenet1_1",
                "--weights",
                weights.toString(),
                "--images",
                images.toString(),
                "--epochs",
                "1",
                "--batch-size",
                "3",
                "--freeze",
                "features.*",
                "--out",
                runDir.toString());
        assertTrue(out.contains("2 classes (cats, dogs), 6 train / 2 validation images"), out);
        assertTrue(out.contains("validation accuracy:"), out);
        assertTrue(Files.exists(runDir.resolve("checkpoint.safetensors")));
        assertTrue(Files.exists(runDir.resolve("curves.png")));
        String probe = run(
                "finetune",
                "--model",
                "squeezenet1_1",
                "--weights",
                weights.toString(),
                "--images",
                images.toString(),
                "--epochs",
                "2",
                "--linear-probe",
                "--out",
                runDir.toString());
        assertTrue(probe.contains("linear probe: cached the head's inputs for 6 images"), probe);
        assertEquals(
                1,
                Main.run(
                        "finetune",
                        "--model",
                        "squeezenet1_1",
                        "--weights",
                        weights.toString(),
                        "--images",
                        tmp.resolve("nothing-here").toString()));
    }
}
