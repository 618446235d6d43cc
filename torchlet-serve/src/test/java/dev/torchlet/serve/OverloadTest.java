package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Overload, time limits and shutdown: only 200s and deliberate 503/504s, health answers, nothing is lost. */
class OverloadTest {
    private static ServeOptions oneWorker(long timeoutMs) {
        var d = ServeOptions.defaults();
        return new ServeOptions(d.host(), 0, 1, timeoutMs, 1 << 20, null, d.batching(), false);
    }

    @Test
    void fullQueueAnswers503WithRetryAfterAndHealthStillAnswers() throws Exception {
        try (var f = new ServerFixture(
                        oneWorker(30_000), Map.of("m", "slow:1:40"), Map.of("m", new BatchOptions(1, 0, 2)));
                var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var reference = TestModels.tiny(1);
            List<Future<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int seed = i;
                replies.add(pool.submit(
                        () -> f.http.post("/v2/models/m/infer", Http.inferJson(TestModels.sample(seed), null))));
            }
            Thread.sleep(30);
            for (int i = 0; i < 5; i++) {
                assertEquals(200, f.http.get("/v2/health/live").status(), "live under overload");
                assertEquals(200, f.http.get("/v2/models/m").status(), "metadata under overload");
            }
            int ok = 0;
            int rejected = 0;
            for (int i = 0; i < replies.size(); i++) {
                Http.Reply r = replies.get(i).get();
                if (r.status() == 200) {
                    ok++;
                    float[] want = TestModels.direct(reference, TestModels.sample(i));
                    assertArrayEquals(
                            want, Http.floats(r.json().get("outputs").get(0).get("data")), 1e-5f);
                } else {
                    assertEquals(503, r.status(), r.text());
                    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), "Retry-After on 503");
                    assertTrue(r.error().contains("queue full"), r.text());
                    rejected++;
                }
            }
            assertTrue(ok >= 3 && rejected > 0, "some accepted, some rejected: " + ok + " ok, " + rejected + " 503");
            String ok200 =
                    f.metric("torchlet_serve_requests_seconds_count{endpoint=\"infer\",model=\"m\",status=\"200\"}");
            assertEquals(ok, BatchingTest.value(ok200), "every accepted request was answered with 200");
        }
    }

    @Test
    void requestTimeLimitGives504AndTheServerRecovers() {
        try (var f = new ServerFixture(oneWorker(100), Map.of("m", "slow:1:300"), Map.of())) {
            var r = f.http.post("/v2/models/m/infer", Http.inferJson(TestModels.sample(1), null));
            assertEquals(504, r.status(), r.text());
            assertTrue(r.error().contains("time limit of 100 ms"), r.text());
            assertEquals(200, f.http.get("/v2/health/live").status());
        }
    }

    @Test
    void gracefulStopFinishesInFlightRequests() throws Exception {
        var f = new ServerFixture(oneWorker(30_000), Map.of("m", "slow:1:100"), Map.of());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> replies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int seed = i;
                replies.add(pool.submit(
                        () -> f.http.post("/v2/models/m/infer", Http.inferJson(TestModels.sample(seed), null))
                                .status()));
            }
            Thread.sleep(50); // all four are in flight
            f.server.stop(10_000);
            for (var r : replies) {
                assertEquals(200, r.get(), "in-flight requests finish during a graceful stop");
            }
        }
    }
}
