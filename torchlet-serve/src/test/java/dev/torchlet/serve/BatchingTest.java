package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Concurrent requests are really batched together, and batched results equal the unbatched ones. */
class BatchingTest {
    @Test
    void concurrentRequestsShareBatchesAndGetTheirOwnRows() throws Exception {
        // a slow model (30 ms per call) and one worker: requests pile up while it runs, so batches must form
        var options = ServeOptions.defaults();
        options = new ServeOptions(options.host(), 0, 1, 30_000, 1 << 20, null, options.batching(), false);
        try (var f = new ServerFixture(options, Map.of("m", "slow:7:30"), Map.of("m", new BatchOptions(8, 20, 64)));
                var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var reference = TestModels.tiny(7);
            int n = 32;
            List<Future<float[]>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int seed = 100 + i;
                Callable<float[]> call = () -> {
                    var r = f.http.post("/v2/models/m/infer", Http.inferJson(TestModels.sample(seed), "r" + seed));
                    assertEquals(200, r.status(), r.text());
                    assertEquals("r" + seed, r.json().get("id").asText());
                    return Http.floats(r.json().get("outputs").get(0).get("data"));
                };
                results.add(pool.submit(call));
            }
            for (int i = 0; i < n; i++) {
                assertArrayEquals(
                        TestModels.direct(reference, TestModels.sample(100 + i)),
                        results.get(i).get(),
                        1e-5f);
            }
            String count = f.metric("torchlet_serve_batch_size_count{model=\"m\"}");
            String sum = f.metric("torchlet_serve_batch_size_sum{model=\"m\"}");
            String max = f.metric("torchlet_serve_batch_size_max{model=\"m\"}");
            double batches = value(count);
            double samples = value(sum);
            assertEquals(n, samples, "every request's sample runs exactly once (warm-up is not counted): " + sum);
            assertTrue(batches < n, "32 requests should take fewer than 32 model calls, took " + batches);
            assertTrue(value(max) > 1, max);
            assertTrue(value(max) <= 8, "max batch size 8 must hold: " + max);
        }
    }

    @Test
    void maxBatchSizeOneTurnsBatchingOff() throws Exception {
        var options = ServeOptions.defaults();
        options = new ServeOptions(options.host(), 0, 1, 30_000, 1 << 20, null, options.batching(), false);
        try (var f = new ServerFixture(options, Map.of("m", "slow:7:5"), Map.of("m", new BatchOptions(1, 20, 64)));
                var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int seed = i;
                results.add(pool.submit(
                        () -> f.http.post("/v2/models/m/infer", Http.inferJson(TestModels.sample(seed), null))
                                .status()));
            }
            for (var r : results) {
                assertEquals(200, r.get());
            }
            assertEquals(1.0, value(f.metric("torchlet_serve_batch_size_max{model=\"m\"}")));
        }
    }

    static double value(String metricLine) {
        assertTrue(metricLine != null, "metric missing");
        return Double.parseDouble(metricLine.substring(metricLine.lastIndexOf(' ') + 1));
    }
}
