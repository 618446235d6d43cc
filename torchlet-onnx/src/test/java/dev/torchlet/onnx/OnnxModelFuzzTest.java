package dev.torchlet.onnx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.io.IOException;

/**
 * Fuzz target: any bytes as an ONNX model ({@link OnnxModel#load(byte[], java.nio.file.Path, String)}, no
 * external data). Seeds: the small exports under src/test/resources/onnx (CNNs, recurrent layers, Einsum, int8,
 * If/Loop, Resize). Loading must return a model or throw IOException with a message.
 */
class OnnxModelFuzzTest {
    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        ParserContract.checkIo("OnnxModel.load", () -> OnnxModel.load(input, null, "fuzz input"));
    }
}
