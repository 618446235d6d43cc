package dev.torchlet.data.datasets;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.io.IOException;

/**
 * Fuzz target: any bytes as an IDX file (raw or gzip, detected from the content). Seeds: the first
 * images and labels of Fashion-MNIST, raw and gzipped.
 */
class IdxFuzzTest {
    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        var path = ParserContract.file("images-idx3-ubyte", input);
        ParserContract.checkIo("Idx.read", () -> Idx.read(path));
    }
}
