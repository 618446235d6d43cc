package dev.torchlet.cli.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torchlet.Torch;
import dev.torchlet.cli.CliRun;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.vision.generative.DCGAN;
import dev.torchlet.vision.generative.Gan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `torchlet generate eval`, `probe` and `fid-classifier` on small slices of the shipped Fashion-MNIST. */
class GenerateEvalCommandTest {
    @TempDir
    Path tmp;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    private static double number(String output, String regex) {
        Matcher m = Pattern.compile(regex).matcher(output);
        assertTrue(m.find(), regex + " in\n" + output);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void evalsAndProbesATinyVaeWithTheBuiltInClassifier() throws Exception {
        Path dir = tmp.resolve("vae");
        CliRun train = cli(
                "generate",
                "train",
                "--model",
                "vae",
                "--limit",
                "256",
                "--epochs",
                "1",
                "--threads",
                "2",
                "--out",
                dir.toString());
        assertEquals(0, train.code(), train.output());
        Path ckpt = dir.resolve("checkpoint.safetensors");
        Path json = tmp.resolve("eval.jsonl");
        CliRun eval = cli(
                "generate",
                "eval",
                "--checkpoint",
                ckpt.toString(),
                "--samples",
                "200",
                "--batch",
                "64",
                "--json",
                json.toString());
        assertEquals(0, eval.code(), eval.output());
        assertTrue(
                eval.output()
                        .contains("FID on Torchlet's Fashion-MNIST classifier features, not Inception's:"
                                + " fashion-cnn-128 (built-in, 128-d features, test accuracy "),
                eval.output());
        double fid = number(eval.output(), "FID samples vs test: +([0-9.]+) +\\(200 samples, 200 test images\\)");
        double floor = number(eval.output(), "FID real train vs test: +([0-9.]+) +\\(floor: 200 training images\\)");
        assertTrue(
                fid > floor,
                "a 1-epoch VAE on 256 images is further from the test images than real images: " + fid + " vs "
                        + floor);
        assertTrue(eval.output().contains("predicted classes of the samples: T-shirt/top "), eval.output());
        JsonNode line = new ObjectMapper().readTree(Files.readAllLines(json).get(0));
        assertEquals("vae", line.get("model").asText());
        assertEquals(fid, line.get("fid").asDouble(), 1e-3);
        assertTrue(line.get("class_accuracy").isNull());
        assertEquals(10, line.get("predicted_class_counts").size());

        CliRun again = cli("generate", "eval", "--checkpoint", ckpt.toString(), "--samples", "200", "--batch", "200");
        assertEquals(fid, number(again.output(), "FID samples vs test: +([0-9.]+)"), 1e-3, "same seed: same FID");

        CliRun probe = cli("generate", "probe", "--checkpoint", ckpt.toString(), "--limit", "600", "--epochs", "3");
        assertEquals(0, probe.code(), probe.output());
        double acc = number(
                probe.output(),
                "linear probe on vae codes \\(16-d, posterior mean mu\\): test accuracy" + " ([0-9.]+)%");
        assertTrue(acc > 30, "even a barely trained encoder's codes beat chance (10%): " + acc);
        assertTrue(probe.output().contains("600 train / 600 test images"), probe.output());
    }

    @Test
    void trainsAClassifierAndEvalsAConditionalGanPerClass() throws Exception {
        Path classifier = tmp.resolve("fid.safetensors");
        CliRun fc = cli(
                "generate",
                "fid-classifier",
                "--limit",
                "256",
                "--epochs",
                "1",
                "--threads",
                "2",
                "--out",
                classifier.toString());
        assertEquals(0, fc.code(), fc.output());
        assertTrue(fc.output().matches("(?s).*epoch 1/1: train loss [0-9.]+ \\| test loss [0-9.]+ acc [0-9.]+%.*"));
        assertTrue(Files.size(classifier) < 1_000_000, "checkpoint size " + Files.size(classifier));
        Map<String, String> meta = SafeTensors.header(classifier).metadata();
        assertEquals("fashion-cnn-128", meta.get("fid_classifier"));

        // an untrained conditional DCGAN, saved as `generate train` would: eval reports the class share
        Torch.manualSeed(3);
        Gan gan = Gan.conditionalDcgan(DCGAN.NOISE_DIM, 10);
        Map<String, String> m = new LinkedHashMap<>();
        m.put(GenerativeKind.METADATA_KEY, "dcgan-conditional");
        m.put("classes", String.join("\n", List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")));
        Path ckpt = tmp.resolve("gan.safetensors");
        Checkpoint.save(ckpt, gan, null, m);
        CliRun eval = cli(
                "generate",
                "eval",
                "--checkpoint",
                ckpt.toString(),
                "--samples",
                "100",
                "--classifier",
                classifier.toString());
        assertEquals(0, eval.code(), eval.output());
        double share = number(eval.output(), "samples of the requested class: ([0-9.]+)%");
        assertTrue(share >= 0 && share <= 100, eval.output());
        assertTrue(eval.output().contains("(" + classifier + ", 128-d features, test accuracy"), eval.output());
    }

    @Test
    void badInputEndsWithOneLine() throws Exception {
        Path other = tmp.resolve("classifier.safetensors");
        SafeTensors.write(Map.of("model.w", Torch.zeros(1)), Map.of("model", "cnn"), other);
        CliRun wrong = cli("generate", "eval", "--checkpoint", other.toString());
        assertEquals(1, wrong.code());
        assertEquals(
                "torchlet generate eval: checkpoint " + other
                        + " was not written by `torchlet generate train` (it holds a 'cnn' classifier)",
                wrong.output().strip());
        CliRun zero = cli("generate", "eval", "--checkpoint", other.toString(), "--samples", "0");
        assertEquals(
                "torchlet generate eval: --samples must be at least 2 (a covariance needs two), got 0",
                zero.output().strip());
        CliRun probe = cli("generate", "probe", "--checkpoint", other.toString());
        assertEquals(
                "torchlet generate probe: checkpoint " + other + " was not written by `torchlet generate train`",
                probe.output().strip());
        Path gan = tmp.resolve("gan.safetensors");
        Checkpoint.save(gan, Gan.dcgan(DCGAN.NOISE_DIM), null, Map.of(GenerativeKind.METADATA_KEY, "dcgan"));
        CliRun notAe = cli("generate", "probe", "--checkpoint", gan.toString());
        assertEquals(
                "torchlet generate probe: the probe needs an autoencoder (ae or vae); checkpoint " + gan
                        + " holds a dcgan",
                notAe.output().strip());
        CliRun classifier = cli("generate", "eval", "--checkpoint", gan.toString(), "--classifier", other.toString());
        assertEquals(
                "torchlet generate eval: FID classifier " + other
                        + " was not written by `torchlet generate fid-classifier`",
                classifier.output().strip());
    }
}
