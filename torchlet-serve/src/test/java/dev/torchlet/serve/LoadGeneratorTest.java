package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.serve.load.LoadGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** The load generator against a real server: binary and JSON bodies, a row per concurrency level. */
class LoadGeneratorTest {
    @Test
    void measuresThroughputAndLatencyWithoutErrors() throws Exception {
        try (var f = ServerFixture.tiny()) {
            String url = "http://127.0.0.1:" + f.server.port();
            for (boolean json : new boolean[] {false, true}) {
                var out = new ByteArrayOutputStream();
                var results =
                        new LoadGenerator(url, "tiny", json).sweep(new int[] {1, 4}, 0.1, 0.4, new PrintStream(out));
                assertEquals(2, results.size());
                for (var r : results) {
                    assertTrue(r.requests() > 0 && r.errors().isEmpty(), r.row());
                    assertTrue(r.p50Ms() > 0 && r.p50Ms() <= r.p99Ms(), r.row());
                }
                assertTrue(out.toString().contains("req/s"), out.toString());
            }
        }
    }
}
