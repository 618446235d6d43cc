package dev.torchlet.cli.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Torch;
import dev.torchlet.cli.CliRun;
import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.vision.models.Models;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `torchlet spark extract` and `torchlet spark train`, each in a real local Spark session. */
class SparkCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void extractWritesFeaturesAndFolderLabelsToParquet() throws Exception {
        Random rnd = new Random(2);
        for (String label : List.of("cats", "dogs")) {
            Path folder = Files.createDirectories(tmp.resolve("images").resolve(label));
            for (int i = 0; i < 2; i++) {
                BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 30; y++) {
                    for (int x = 0; x < 40; x++) {
                        img.setRGB(x, y, rnd.nextInt(1 << 24));
                    }
                }
                ImageIO.write(img, "jpg", folder.resolve(i + ".jpg").toFile());
            }
        }
        Torch.manualSeed(0);
        Path weights = tmp.resolve("resnet18.safetensors");
        SafeTensors.write(Models.create("resnet18", 1000).stateDict(), weights);
        Path out = tmp.resolve("features.parquet");
        CliRun run = CliRun.of(
                "spark",
                "extract",
                "--model",
                "resnet18",
                "--weights",
                weights.toString(),
                "--images",
                tmp.resolve("images").toString(),
                "--layer",
                "avgpool",
                "--out",
                out.toString());
        assertEquals(0, run.code(), run.output());
        assertTrue(run.output().contains("wrote 4 x 512 features of zoo:resnet18:"), run.output());

        SparkSession spark = SparkSession.builder()
                .master("local[1]")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        try {
            List<Row> rows =
                    spark.read().parquet(out.toString()).orderBy("path").collectAsList();
            assertEquals(4, rows.size());
            assertEquals("cats", rows.get(0).getAs("label"));
            assertEquals("dogs", rows.get(3).getAs("label"));
            assertEquals(512, rows.get(0).<Vector>getAs("features").size());
        } finally {
            spark.stop();
        }

        CliRun again = CliRun.of(
                "spark",
                "extract",
                "--model",
                "resnet18",
                "--weights",
                weights.toString(),
                "--images",
                tmp.resolve("images").toString(),
                "--out",
                out.toString());
        assertEquals(1, again.code());
        assertTrue(again.output().contains("exists; pass --overwrite"), again.output());
    }

    @Test
    void trainAveragesParametersAndWritesAnEvaluableCheckpoint() throws Exception {
        Path out = tmp.resolve("run");
        CliRun run = CliRun.of(
                "spark",
                "train",
                "--model",
                "mlp",
                "--mode",
                "average",
                "--average-every",
                "4",
                "--limit",
                "512",
                "--batch-size",
                "32",
                "--out",
                out.toString());
        assertEquals(0, run.code(), run.output());
        assertTrue(
                run.output().contains("parameter averaging every 4 over 2 partitions ([256, 256] rows): 16 steps"),
                run.output());
        assertTrue(run.output().matches("(?s).*test accuracy \\d+\\.\\d\\d%.*"), run.output());
        SavedModel saved = SavedModel.load(out.resolve("checkpoint.safetensors"));
        assertEquals("mlp", saved.metadata().get("model"));

        CliRun bad = CliRun.of("spark", "train", "--mode", "fastest", "--out", out.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.output().contains("--mode must be sync or average"), bad.output());
    }
}
