package dev.torchlet.cli.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.cli.CliRun;
import dev.torchlet.io.Npy;
import dev.torchlet.io.SafeTensors;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `torchlet onnx info|run` and `torchlet convert model.onnx` on torchlet-onnx's exported fixtures. */
class OnnxCommandTest {
    static final Path FIXTURES = Path.of("../torchlet-onnx/src/test/resources/onnx");

    @TempDir
    Path tmp;

    @Test
    void infoListsInputsOutputsOpsetAndOperators() {
        CliRun run = CliRun.of(
                "onnx", "info", FIXTURES.resolve("small_cnn_bn_opset11.onnx").toString());
        assertEquals(0, run.code(), run.output());
        assertTrue(run.output().contains("produced by pytorch, opset 11"), run.output());
        assertTrue(run.output().contains("input  input [-1, 1, 28, 28]"), run.output());
        assertTrue(run.output().contains("BatchNormalization x3"), run.output());
    }

    @Test
    void runReadsNpyInputsAndWritesOutputs() throws Exception {
        Map<String, Tensor> golden = SafeTensors.read(FIXTURES.resolve("small_cnn_opset17.safetensors"));
        Path input = tmp.resolve("x.npy");
        Npy.write(golden.get("input.3"), input);
        CliRun run = CliRun.of(
                "onnx",
                "run",
                FIXTURES.resolve("small_cnn_opset17.onnx").toString(),
                "--input",
                "input=" + input,
                "--out-dir",
                tmp.resolve("out").toString());
        assertEquals(0, run.code(), run.output());
        assertTrue(run.output().contains("output [3, 10]"), run.output());
        Tensor out = Npy.read(tmp.resolve("out/output.npy"));
        assertArrayEquals(golden.get("output.3").toFloatArray(), out.toFloatArray(), 2e-5f);

        CliRun bad = CliRun.of(
                "onnx", "run", FIXTURES.resolve("small_cnn_opset17.onnx").toString(), "--input", "image=" + input);
        assertEquals(1, bad.code());
        assertTrue(bad.output().contains("input 'input' is missing"), bad.output());
    }

    @Test
    void convertWritesTheInitializersAsSafetensors() throws Exception {
        Path out = tmp.resolve("weights.safetensors");
        CliRun run = CliRun.of(
                "convert", FIXTURES.resolve("small_cnn_bn_opset11.onnx").toString(), out.toString());
        assertEquals(0, run.code(), run.output());
        Map<String, Tensor> state = SafeTensors.read(out);
        assertTrue(
                state.containsKey("stem.0.weight") && state.containsKey("block.bn2.running_var"),
                state.keySet().toString());
    }
}
