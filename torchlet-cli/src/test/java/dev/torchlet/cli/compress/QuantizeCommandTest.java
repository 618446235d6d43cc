package dev.torchlet.cli.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Torch;
import dev.torchlet.cli.CliRun;
import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.compress.quantization.DynamicQuantizedLinear;
import dev.torchlet.compress.quantization.QuantizedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `torchlet compress quantize` end to end on CompressCommandTest's tiny cnn-bn checkpoint, 200 test images. */
class QuantizeCommandTest {
    @TempDir
    static Path dir;

    static Path ckpt;

    @BeforeAll
    static void checkpoint() throws Exception {
        ckpt = CompressCommandTest.tinyCheckpoint(dir.resolve("train"));
    }

    private static CliRun quantize(String mode, Path out, String... more) {
        String[] base = {
            "compress",
            "quantize",
            "--checkpoint",
            ckpt.toString(),
            mode,
            "--limit",
            "256",
            "--test-limit",
            "200",
            "--threads",
            "2",
            "--out",
            out.toString()
        };
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliRun.of(args);
    }

    @Test
    void staticWritesAnInt8FileThatLoadsLikeACheckpoint() throws Exception {
        Path out = dir.resolve("static.safetensors");
        CliRun r = quantize("--static", out, "--calibration-batches", "2", "--observer", "minmax");
        assertEquals(0, r.code(), r.output());
        for (String row : new String[] {"int8 static", "file size", "latency batch 64", "test accuracy"}) {
            assertTrue(r.output().contains(row), row + " in\n" + r.output());
        }
        SavedModel q = SavedModel.load(out);
        assertEquals("static-int8", q.quantization());
        assertInstanceOf(QuantizedModel.class, q.model());
        assertEquals(10, q.model().call(Torch.randn(3, 1, 28, 28)).shape()[1]);
        assertTrue(Files.size(out) * 3 < Files.size(ckpt) / 2, "int8 weights, no optimizer state");
    }

    @Test
    void dynamicAndQat() throws Exception {
        Path dyn = dir.resolve("dynamic.safetensors");
        CliRun r = quantize("--dynamic", dyn);
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("dynamic int8: 2 Linear layers"), r.output());
        assertInstanceOf(
                DynamicQuantizedLinear.class, SavedModel.load(dyn).model().getSubmodule("15"));
        Path qat = dir.resolve("qat.safetensors");
        CliRun q = quantize("--qat", qat, "--epochs", "1");
        assertEquals(0, q.code(), q.output());
        assertTrue(q.output().contains("int8 qat"), q.output());
    }

    @Test
    void badInputIsNamedAndWritesNothing() throws Exception {
        Path out = dir.resolve("never.safetensors");
        CliRun r = quantize("--static", out, "--observer", "percentile");
        assertEquals(1, r.code(), r.output());
        assertTrue(r.output().contains("unknown observer 'percentile'"), r.output());
        CliRun both = quantize("--static", out, "--dynamic");
        assertEquals(2, both.code(), both.output());
        CliRun twice = CliRun.of(
                "compress",
                "quantize",
                "--checkpoint",
                dir.resolve("static.safetensors").toString(),
                "--out",
                out.toString());
        assertTrue(twice.code() != 0, twice.output());
        assertFalse(Files.exists(out));
    }
}
