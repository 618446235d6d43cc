package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The model-repository extension: index, load with a new spec, unload, reload under load, bearer token. */
class RepositoryTest {
    private static final String AUTH = "Authorization";

    @Test
    void indexLoadUnloadAndLoadAgain() {
        try (var f = ServerFixture.tiny()) {
            var index = f.http.post("/v2/repository/index", "");
            assertEquals(200, index.status());
            assertEquals("[{\"name\":\"tiny\",\"version\":\"1\",\"state\":\"READY\",\"reason\":\"\"}]", index.text());

            float[] x = TestModels.sample(9);
            float[] before = infer(f, x);
            var load = f.http.post("/v2/repository/models/tiny/load", "{\"parameters\":{\"spec\":\"tiny:2\"}}");
            assertEquals(200, load.status(), load.text());
            float[] after = infer(f, x);
            assertNotEquals(before[0], after[0], "the new spec's weights answer");
            assertEquals(TestModels.direct(TestModels.tiny(2), x)[0], after[0], 1e-6f);
            assertEquals(
                    "2",
                    f.http.get("/v2/models/tiny").json().get("versions").get(0).asText());

            var added = f.http.post("/v2/repository/models/other/load", "{\"parameters\":{\"spec\":\"tiny:3\"}}");
            assertEquals(200, added.status(), added.text());
            assertEquals(2, f.http.post("/v2/repository/index", "{}").json().size());

            assertEquals(
                    200, f.http.post("/v2/repository/models/tiny/unload", "").status());
            var gone = f.http.post("/v2/models/tiny/infer", Http.inferJson(x, null));
            assertEquals(503, gone.status());
            assertTrue(gone.error().contains("not ready"), gone.text());
            assertEquals(400, f.http.get("/v2/models/tiny/ready").status());
            assertEquals(503, f.http.get("/v2/health/ready").status());
            String state = f.http.post("/v2/repository/index", "")
                    .json()
                    .get(1)
                    .get("state")
                    .asText();
            assertEquals("UNAVAILABLE", state);
            assertEquals(
                    1,
                    f.http.post("/v2/repository/index", "{\"ready\":true}")
                            .json()
                            .size());

            assertEquals(200, f.http.post("/v2/repository/models/tiny/load", "").status(), "reload the last spec");
            assertEquals(TestModels.direct(TestModels.tiny(2), x)[0], infer(f, x)[0], 1e-6f);

            var bad = f.http.post("/v2/repository/models/tiny/load", "{\"parameters\":{\"spec\":\"nonsense\"}}");
            assertEquals(400, bad.status());
            assertTrue(bad.error().contains("cannot load 'nonsense'"), bad.text());
            assertEquals(TestModels.direct(TestModels.tiny(2), x)[0], infer(f, x)[0], 1e-6f, "old one still serves");
            var unknown = f.http.post("/v2/repository/models/nothing/unload", "");
            assertEquals(404, unknown.status());
        }
    }

    @Test
    void reloadUnderLoadFailsNoRequest() throws Exception {
        var options = ServeOptions.defaults().withBatching(new BatchOptions(8, 2, 10_000));
        try (var f = new ServerFixture(options, Map.of("m", "slow:1:3"), Map.of());
                var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicBoolean running = new AtomicBoolean(true);
            List<Future<List<Integer>>> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; running.get() || i < 5; i++) {
                        statuses.add(f.http.post("/v2/models/m/infer", Http.inferJson(TestModels.sample(client), null))
                                .status());
                    }
                    return statuses;
                }));
            }
            for (int i = 0; i < 4; i++) {
                String spec = "{\"parameters\":{\"spec\":\"slow:" + (i + 2) + ":3\"}}";
                var r = f.http.post("/v2/repository/models/m/load", spec);
                assertEquals(200, r.status(), r.text());
            }
            assertEquals(200, f.http.post("/v2/repository/models/m/load", "").status());
            running.set(false);
            int total = 0;
            for (var c : clients) {
                for (int status : c.get()) {
                    assertEquals(200, status, "every request during reloads succeeds");
                    total++;
                }
            }
            assertTrue(total >= 40, "clients ran during the reloads: " + total);
            assertEquals(
                    "6",
                    f.http.get("/v2/models/m").json().get("versions").get(0).asText());
        }
    }

    @Test
    void bearerTokenGuardsLoadAndUnload() {
        var options = ServeOptions.defaults().withToken("s3cret");
        try (var f = new ServerFixture(options, Map.of("tiny", "tiny:1"), Map.of())) {
            var none = f.http.post("/v2/repository/models/tiny/unload", new byte[0], "application/json");
            assertEquals(401, none.status());
            assertTrue(none.error().contains("Authorization: Bearer"), none.text());
            var wrong = f.http.post(
                    "/v2/repository/models/tiny/load", new byte[0], "application/json", AUTH, "Bearer nope");
            assertEquals(401, wrong.status());
            assertEquals("wrong bearer token", wrong.error());
            assertEquals(200, f.http.post("/v2/repository/index", "").status(), "the index is public");
            assertEquals(
                    200,
                    f.http.post("/v2/models/tiny/infer", Http.inferJson(TestModels.sample(1), null))
                            .status());
            var ok = f.http.post(
                    "/v2/repository/models/tiny/load", new byte[0], "application/json", AUTH, "Bearer s3cret");
            assertEquals(200, ok.status(), ok.text());
        }
    }

    private static float[] infer(ServerFixture f, float[] x) {
        var r = f.http.post("/v2/models/tiny/infer", Http.inferJson(x, null));
        assertEquals(200, r.status(), r.text());
        return Http.floats(r.json().get("outputs").get(0).get("data"));
    }
}
