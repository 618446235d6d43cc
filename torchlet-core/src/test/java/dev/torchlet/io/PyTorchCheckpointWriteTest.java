package dev.torchlet.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** torch.save-format writing: what is written reads back identically, in order (torch.load reads it too). */
class PyTorchCheckpointWriteTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsEveryDtypeAndNonContiguousViews() throws IOException {
        Torch.manualSeed(0);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("conv.weight", Torch.randn(4, 3, 3, 3));
        sd.put("fc.weight.t", Torch.randn(5, 7).t()); // non-contiguous: written contiguous
        sd.put("double", Torch.randn(3).to(DType.FLOAT64));
        sd.put("bn.num_batches_tracked", Torch.tensor(new long[] {42}));
        sd.put("mask", Torch.tensor(new long[] {1, 0, 1}, 3).to(DType.BOOL));
        sd.put("scalar", Torch.randn(1).reshape());
        Path file = tmp.resolve("model.pth");
        PyTorchCheckpoint.write(sd, file);
        Map<String, Tensor> back = PyTorchCheckpoint.read(file);
        assertEquals(List.copyOf(sd.keySet()), List.copyOf(back.keySet()));
        for (var e : sd.entrySet()) {
            Tensor b = back.get(e.getKey());
            assertArrayEquals(e.getValue().shape(), b.shape(), e.getKey());
            assertEquals(e.getValue().dtype(), b.dtype(), e.getKey());
            assertArrayEquals(e.getValue().toDoubleArray(), b.toDoubleArray(), 0.0, e.getKey());
        }
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    void aFailedWriteLeavesNoTemporaryFile() throws IOException {
        Path occupied = Files.createDirectories(tmp.resolve("model.pth")); // a non-empty directory: the rename fails
        Files.writeString(occupied.resolve("keep.txt"), "keep");
        assertThrows(IOException.class, () -> PyTorchCheckpoint.write(Map.of("w", Torch.ones(2)), occupied));
        try (var files = Files.list(tmp)) {
            assertEquals(
                    List.of("model.pth"),
                    files.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals("keep", Files.readString(occupied.resolve("keep.txt")));
    }

    /** Like every Torchlet writer (AtomicFiles), a missing parent folder is created. */
    @Test
    void missingParentFoldersAreCreated() throws IOException {
        Path file = tmp.resolve("missing-dir/x.pth");
        PyTorchCheckpoint.write(Map.of("w", Torch.ones(2)), file);
        assertArrayEquals(
                new double[] {1, 1}, PyTorchCheckpoint.read(file).get("w").toDoubleArray(), 0.0);
    }
}
