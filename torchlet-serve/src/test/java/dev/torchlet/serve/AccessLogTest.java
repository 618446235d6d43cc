package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One JSON access-log line per request on standard output: method, path, status, ms, model. */
class AccessLogTest {
    @Test
    void oneJsonLinePerRequest() throws Exception {
        PrintStream original = System.out;
        var captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            var options = ServeOptions.defaults().withPort(0).withAccessLog(true);
            try (var server =
                    new InferenceServer(TestModels.LOADER, options).start(Map.of("tiny", "tiny:1"), Map.of())) {
                var http = new Http(server.port());
                assertEquals(
                        200,
                        http.post("/v2/models/tiny/infer", Http.inferJson(TestModels.sample(1), null))
                                .status());
                assertEquals(404, http.get("/v2/models/ghost").status());
            }
        } finally {
            System.setOut(original);
        }
        var lines =
                captured.toString().lines().filter(l -> l.startsWith("{\"ts\"")).toList();
        assertEquals(2, lines.size(), captured.toString());
        JsonNode infer = Json.MAPPER.readTree(lines.get(0));
        assertEquals("POST", infer.get("method").asText());
        assertEquals("/v2/models/tiny/infer", infer.get("path").asText());
        assertEquals(200, infer.get("status").asInt());
        assertEquals("tiny", infer.get("model").asText());
        assertTrue(infer.get("ms").asDouble() > 0);
        JsonNode missing = Json.MAPPER.readTree(lines.get(1));
        assertEquals(404, missing.get("status").asInt());
        assertEquals("ghost", missing.get("model").asText(), "the log names what was asked for");
    }
}
