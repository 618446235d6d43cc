package dev.torchlet.compress.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quantized models save as safetensors (int8 weights as I8) and load back to the same outputs. */
class QuantizedCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void staticModelRoundTrips() throws IOException {
        Module model = StaticQuantizationTest.smallCnn();
        ObservedModel prepared = StaticQuantizer.prepare(model, QConfig.minMax());
        StaticQuantizer.calibrate(prepared, StaticQuantizationTest.batches(2, 16));
        QuantizedModel q = StaticQuantizer.convert(prepared);
        Path file = dir.resolve("q.safetensors");
        QuantizedCheckpoint.save(q, Map.of("model", "small"), file);
        assertEquals(
                "I8", SafeTensors.header(file).tensors().get("body.0.weight").dtype());
        assertEquals(QuantizedCheckpoint.STATIC, QuantizedCheckpoint.kind(file));

        QuantizedModel loaded = QuantizedCheckpoint.loadStatic(file, StaticQuantizationTest.smallCnn());
        Tensor x = Torch.randn(4, 1, 12, 12);
        assertArrayEquals(q.call(x).toFloatArray(), loaded.call(x).toFloatArray(), "same outputs after loading");

        Path floatFile = dir.resolve("float.safetensors");
        Checkpoint.save(floatFile, model, null, Map.of());
        assertTrue(Files.size(file) * 3 < Files.size(floatFile), Files.size(file) + " vs " + Files.size(floatFile));

        var e = assertThrows(IOException.class, () -> Checkpoint.load(file, StaticQuantizationTest.smallCnn(), null));
        assertTrue(e.getMessage().contains("int8-quantized model (static-int8)"), e.getMessage());
        var w = assertThrows(
                IOException.class,
                () -> QuantizedCheckpoint.loadStatic(file, new Sequential(new Linear(144, 5)).eval()));
        assertTrue(w.getMessage().contains("does not fit"), w.getMessage());
        var f = assertThrows(IOException.class, () -> QuantizedCheckpoint.loadStatic(floatFile, model));
        assertTrue(f.getMessage().contains("not a quantized model"), f.getMessage());
    }

    @Test
    void dynamicModelRoundTripsAndABadFileLeavesTheModelAlone() throws IOException {
        Module model = new Sequential(new Linear(6, 5), new ReLU(), new Linear(5, 3)).eval();
        Quantization.quantizeDynamic(model);
        Path file = dir.resolve("d.safetensors");
        QuantizedCheckpoint.save(model, Map.of(), file);
        Module fresh = new Sequential(new Linear(6, 5), new ReLU(), new Linear(5, 3)).eval();
        QuantizedCheckpoint.loadDynamic(file, fresh);
        Tensor x = Torch.randn(2, 6);
        assertArrayEquals(model.call(x).toFloatArray(), fresh.call(x).toFloatArray());

        Module other = new Sequential(new Linear(6, 4), new ReLU(), new Linear(4, 3)).eval();
        assertThrows(IOException.class, () -> QuantizedCheckpoint.loadDynamic(file, other));
        assertInstanceOf(Linear.class, other.getSubmodule("0"), "float layers put back");
    }
}
