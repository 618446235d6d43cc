package dev.torchlet.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.io.IOException;

/**
 * Fuzz target: any bytes as a .safetensors file. Seeds: files written by Python's safetensors and
 * by Torchlet ({@code SafeTensorsFuzzTestInputs/fuzz}). Run with JAZZER_FUZZ=1 to fuzz.
 */
class SafeTensorsFuzzTest {
    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        var file = ParserContract.file("model.safetensors", input);
        ParserContract.checkIo("SafeTensors.readWithMetadata", () -> SafeTensors.readWithMetadata(file));
    }
}
