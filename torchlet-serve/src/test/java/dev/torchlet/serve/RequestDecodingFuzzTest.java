package dev.torchlet.serve;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.util.Arrays;

/**
 * Fuzz target: any bytes as a request body the server decodes. The first byte picks the decoder, the rest is
 * the body:
 *
 * <ul>
 *   <li>0: a v2 infer request in JSON ({@link V2Codec#parse} without the binary header);
 *   <li>1: a v2 infer request with the binary data extension: the next two bytes (big-endian) are the
 *       {@code Inference-Header-Content-Length}, the rest is the body;
 *   <li>2: a multipart/form-data upload with boundary {@code torchlet} ({@code RequestBodies.Multipart});
 *   <li>3: a repository load request ({@link LoadRequest#parse}).
 * </ul>
 *
 * The model is the 1x8x8 test CNN. Decoding must return or answer a client error: an {@link HttpError} with a
 * 4xx status and a message. Seeds: valid requests of each kind (JSON nested and flat, binary, multipart with
 * an image part, load with batching options).
 */
class RequestDecodingFuzzTest {
    private static final ServedModel MODEL = ServedModel.of(
            "tiny", "tiny:1", TestModels.tiny(1), TestModels.INPUT, TestModels.LABELS, TestModels::preprocess, "0");

    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int kind = input[0] & 3;
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        ParserContract.check(
                "request decoder " + kind, () -> clientErrorsOnly(() -> decode(kind, rest)), HttpError.class);
    }

    private static void decode(int kind, byte[] rest) {
        switch (kind) {
            case 0 -> V2Codec.parse(MODEL, rest, null);
            case 1 -> {
                if (rest.length < 2) {
                    return;
                }
                int header = (rest[0] & 0xff) << 8 | (rest[1] & 0xff);
                V2Codec.parse(MODEL, Arrays.copyOfRange(rest, 2, rest.length), header);
            }
            case 2 -> RequestBodies.Multipart.filePart(rest, "torchlet");
            default -> LoadRequest.parse("tiny", rest);
        }
    }

    /** Rethrows a server error (5xx) as a finding: bad input must be answered as the client's fault. */
    private static void clientErrorsOnly(Runnable decode) {
        try {
            decode.run();
        } catch (HttpError e) {
            if (e.status() < 400 || e.status() > 499) {
                throw new AssertionError("status " + e.status() + " for a bad request: " + e.getMessage(), e);
            }
            throw e;
        }
    }
}
