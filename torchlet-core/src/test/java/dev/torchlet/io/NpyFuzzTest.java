package dev.torchlet.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.io.IOException;

/** Fuzz target: any bytes as a NumPy .npy file. Seeds: arrays saved by numpy's {@code np.save}. */
class NpyFuzzTest {
    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        var path = ParserContract.file("array.npy", input);
        ParserContract.checkIo("Npy.read", () -> Npy.read(path));
    }
}
