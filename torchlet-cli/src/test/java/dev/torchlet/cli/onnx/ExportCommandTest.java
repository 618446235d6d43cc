package dev.torchlet.cli.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.CliRun;
import dev.torchlet.cli.train.TrainModels;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import dev.torchlet.onnx.OnnxModel;
import dev.torchlet.vision.models.Models;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `torchlet export`: zoo models and `train` checkpoints to ONNX, the re-import check, and bad input. */
class ExportCommandTest {
    @TempDir
    Path tmp;

    @Test
    void exportsASmallZooModelThatImportsAgain() throws Exception {
        Path out = tmp.resolve("r18.onnx");
        CliRun run = CliRun.of(
                "export",
                "--model",
                "resnet18",
                "--num-classes",
                "10",
                "--input-shape",
                "1,3,32,32",
                "--out",
                out.toString());
        assertEquals(0, run.code(), run.output());
        String text = run.output();
        assertTrue(text.contains("exporting resnet18 (10 classes) with random weights"), text);
        assertTrue(text.contains("opset 17, batch dynamic (-1)"), text);
        assertTrue(text.contains("input  input [-1, 3, 32, 32]"), text);
        assertTrue(text.contains("output output [-1, 10]"), text);
        assertTrue(text.contains("parameters 11,181,642 values in 62 tensors"), text);
        assertTrue(text.contains("Conv x20") && text.contains("Gemm x1"), text);
        Matcher check =
                Pattern.compile("check: max \\|diff\\| vs Torchlet = (\\S+)").matcher(text);
        assertTrue(check.find(), text);
        assertTrue(Double.parseDouble(check.group(1)) < 1e-4, text);

        OnnxModel imported = OnnxModel.load(out);
        assertArrayEquals(new int[] {-1, 3, 32, 32}, imported.inputShapes().get("input"));
        try (var g = Torch.noGrad()) { // dynamic batch: another batch size runs
            assertArrayEquals(
                    new int[] {3, 10},
                    imported.eval().call(Torch.randn(3, 3, 32, 32)).shape());
        }
        try (var files = Files.list(tmp)) { // nothing left beside the file (no temporary file)
            assertEquals(1, files.count());
        }
    }

    @Test
    void staticBatchAndStateDictWeights() throws Exception {
        Torch.manualSeed(3);
        Module squeeze = Models.create("squeezenet1_1", 5);
        Path weights = tmp.resolve("squeeze.safetensors");
        SafeTensors.write(squeeze.stateDict(), weights);
        Path out = tmp.resolve("sq.onnx");
        CliRun run = CliRun.of(
                "export",
                "--model",
                "squeezenet1_1",
                "--num-classes",
                "5",
                "--weights",
                weights.toString(),
                "--input-shape",
                "2,3,64,64",
                "--static-batch",
                "--out",
                out.toString());
        assertEquals(0, run.code(), run.output());
        assertTrue(run.output().contains("with weights from " + weights), run.output());
        assertTrue(run.output().contains("batch fixed at 2"), run.output());
        OnnxModel imported = OnnxModel.load(out);
        assertArrayEquals(new int[] {2, 3, 64, 64}, imported.inputShapes().get("input"));
        // the file carries the given weights under their state-dict names
        Tensor w = squeeze.stateDict().get("classifier.1.weight");
        assertArrayEquals(
                w.toFloatArray(),
                imported.stateDict().get("classifier.1.weight").toFloatArray());
    }

    @Test
    void exportsATrainCheckpointAt28x28() throws Exception {
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        Checkpoint.save(ckpt, TrainModels.create("cnn", 10), null, Map.of("model", "cnn", "epoch", "2"));
        Path out = tmp.resolve("cnn.onnx");
        CliRun run = CliRun.of("export", "--checkpoint", ckpt.toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.output());
        assertTrue(run.output().contains("exporting cnn from checkpoint " + ckpt + " (epoch 2)"), run.output());
        assertTrue(run.output().contains("input  input [-1, 1, 28, 28]"), run.output());
        assertTrue(run.output().contains("output output [-1, 10]"), run.output());
        assertTrue(Files.isRegularFile(out));
    }

    @Test
    void unknownModelFailsClearlyAndWritesNothing() throws Exception {
        Path out = tmp.resolve("nope.onnx");
        CliRun run = CliRun.of("export", "--model", "resnet19", "--out", out.toString());
        assertNotEquals(0, run.code(), run.output());
        assertTrue(run.output().contains("unknown model 'resnet19'"), run.output());
        assertTrue(run.output().contains("resnet18"), run.output()); // lists the known names
        assertFalse(Files.exists(out));
    }

    @Test
    void badShapesPathsAndOptionsFailClearlyAndWriteNothing() throws Exception {
        Path out = tmp.resolve("m.onnx");
        CliRun badShape =
                CliRun.of("export", "--model", "resnet18", "--input-shape", "1,3,x,32", "--out", out.toString());
        assertEquals(1, badShape.code(), badShape.output());
        assertTrue(badShape.output().contains("--input-shape must be positive sizes"), badShape.output());

        CliRun wrongChannels = CliRun.of(
                "export",
                "--model",
                "resnet18",
                "--num-classes",
                "10",
                "--input-shape",
                "1,1,32,32",
                "--out",
                out.toString());
        assertEquals(1, wrongChannels.code(), wrongChannels.output());
        assertTrue(
                wrongChannels.output().contains("the model does not run on --input-shape [1, 1, 32, 32]"),
                wrongChannels.output());

        Files.writeString(tmp.resolve("file"), "not a folder");
        Path unwritable = tmp.resolve("file/m.onnx");
        CliRun badPath = CliRun.of(
                "export",
                "--model",
                "resnet18",
                "--num-classes",
                "10",
                "--input-shape",
                "1,3,32,32",
                "--out",
                unwritable.toString());
        assertEquals(1, badPath.code(), badPath.output());
        assertTrue(badPath.output().contains("cannot write " + unwritable), badPath.output());

        CliRun notOnnx = CliRun.of(
                "export", "--model", "resnet18", "--out", tmp.resolve("m.pth").toString());
        assertEquals(1, notOnnx.code(), notOnnx.output());
        assertTrue(notOnnx.output().contains("--out must end in .onnx"), notOnnx.output());

        CliRun neither = CliRun.of("export", "--out", out.toString());
        assertEquals(1, neither.code(), neither.output());
        assertTrue(neither.output().contains("give either --model NAME"), neither.output());

        CliRun pretrained10 = CliRun.of(
                "export",
                "--model",
                "resnet18",
                "--num-classes",
                "10",
                "--weights",
                "pretrained",
                "--out",
                out.toString());
        assertEquals(1, pretrained10.code(), pretrained10.output());
        assertTrue(pretrained10.output().contains("1000 classes"), pretrained10.output());

        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count()); // only "file"
        }
    }

    @Test
    void listedInTheHelp() {
        CliRun run = CliRun.of("--help");
        assertTrue(run.output().contains("export"), run.output());
    }
}
