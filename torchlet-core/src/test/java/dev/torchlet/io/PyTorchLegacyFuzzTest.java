package dev.torchlet.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.io.IOException;

/**
 * Fuzz target: any bytes as a legacy (pre-1.6, {@code _use_new_zipfile_serialization=False}) PyTorch
 * checkpoint: five pickles back to back, then the raw storages. Nothing is checksummed, so the
 * fuzzer reaches deep into the unpickler. Seeds: legacy files written by {@code torch.save}.
 */
class PyTorchLegacyFuzzTest {
    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        var path = ParserContract.file("model.pth", input);
        ParserContract.checkIo("PyTorchCheckpoint.read (legacy)", () -> PyTorchCheckpoint.read(path));
    }
}
