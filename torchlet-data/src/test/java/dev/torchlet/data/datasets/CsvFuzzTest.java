package dev.torchlet.data.datasets;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.io.IOException;

/**
 * Fuzz target: any bytes as a CSV file with a "label" column; every sample is built. Seeds: small
 * tables with numeric, string-label, quoted and ignored columns.
 */
class CsvFuzzTest {
    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        var path = ParserContract.file("table.csv", input);
        ParserContract.checkIo("CsvDataset", () -> {
            CsvDataset d = new CsvDataset(path, new CsvDataset.Options("label"));
            for (int i = 0; i < d.size(); i++) {
                d.get(i);
            }
            d.features();
        });
    }
}
