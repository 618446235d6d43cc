package dev.torchlet.data.datasets;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz target: a CIFAR binary batch. The first byte picks CIFAR-10 (even) or CIFAR-100 with fine
 * labels (odd); the rest is the file, every record read and every sample built. Seeds: records in
 * the CIFAR-10 and CIFAR-100 layouts.
 */
class CifarFuzzTest {
    private static final List<String> HUNDRED =
            java.util.stream.IntStream.range(0, 100).mapToObj(Integer::toString).toList();

    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        boolean hundred = (input[0] & 1) == 1;
        var path = ParserContract.file("batch.bin", Arrays.copyOfRange(input, 1, input.length));
        ParserContract.checkIo("Cifar", () -> {
            Cifar c = hundred
                    ? new Cifar(List.of(path), 2, 1, HUNDRED)
                    : new Cifar(List.of(path), 1, 0, Cifar.CIFAR10_CLASSES);
            for (int i = 0; i < c.size(); i++) {
                c.get(i);
            }
        });
    }
}
