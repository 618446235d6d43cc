package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Conformance with the Open Inference Protocol (v2) REST examples: health, metadata, infer JSON and binary. */
class ProtocolTest {
    static ServerFixture f;

    @BeforeAll
    static void start() {
        f = ServerFixture.tiny();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void healthLiveAndReadyAre200WithEmptyBodies() {
        var live = f.http.get("/v2/health/live");
        var ready = f.http.get("/v2/health/ready");
        assertEquals(200, live.status());
        assertEquals(200, ready.status());
        assertEquals(0, live.body().length);
        assertEquals(200, f.http.get("/v2/models/tiny/ready").status());
    }

    @Test
    void serverMetadataNamesTheExtensions() {
        JsonNode m = f.http.get("/v2").json();
        assertEquals("torchlet", m.get("name").asText());
        assertTrue(m.get("version").isTextual());
        assertTrue(m.get("extensions").toString().contains("binary_tensor_data"), m.toString());
        assertTrue(m.get("extensions").toString().contains("model_repository"), m.toString());
    }

    @Test
    void modelMetadataHasInputsAndOutputsWithBatchDimMinusOne() {
        var r = f.http.get("/v2/models/tiny");
        assertEquals(200, r.status());
        JsonNode m = r.json();
        assertEquals("tiny", m.get("name").asText());
        assertEquals("[\"1\"]", m.get("versions").toString());
        assertEquals("torchlet", m.get("platform").asText());
        assertEquals(
                "{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,1,8,8]}",
                m.get("inputs").get(0).toString());
        assertEquals(
                "{\"name\":\"output\",\"datatype\":\"FP32\",\"shape\":[-1,3]}",
                m.get("outputs").get(0).toString());
        assertEquals(200, f.http.get("/v2/models/tiny/versions/1").status());
        assertEquals(404, f.http.get("/v2/models/tiny/versions/7").status());
    }

    @Test
    void inferJsonEchoesIdAndMatchesTheModel() {
        float[] x = TestModels.sample(3);
        var r = f.http.post("/v2/models/tiny/infer", Http.inferJson(x, "42"));
        assertEquals(200, r.status(), r.text());
        JsonNode body = r.json();
        assertEquals("42", body.get("id").asText());
        assertEquals("tiny", body.get("model_name").asText());
        assertEquals("1", body.get("model_version").asText());
        JsonNode out = body.get("outputs").get(0);
        assertEquals("output", out.get("name").asText());
        assertEquals("FP32", out.get("datatype").asText());
        assertEquals("[1,3]", out.get("shape").toString());
        float[] want = TestModels.direct(TestModels.tiny(1), x);
        assertArrayEquals(want, Http.floats(out.get("data")), 1e-6f);
    }

    @Test
    void inferAcceptsNestedDataAShapeWithoutBatchAndRequestedOutputs() {
        float[] a = TestModels.sample(4);
        float[] b = TestModels.sample(5);
        StringBuilder nested = new StringBuilder("[");
        for (float[] s : new float[][] {a, b}) {
            nested.append(nested.length() > 1 ? "," : "").append("[[");
            for (int y = 0; y < 8; y++) {
                nested.append(y == 0 ? "[" : ",[");
                for (int x = 0; x < 8; x++) {
                    nested.append(x == 0 ? "" : ",").append(s[y * 8 + x]);
                }
                nested.append("]");
            }
            nested.append("]]");
        }
        nested.append("]");
        String body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,1,8,8],\"datatype\":\"FP32\",\"data\":" + nested
                + "}],\"outputs\":[{\"name\":\"output\"}],\"parameters\":{\"content_type\":\"np\"}}";
        var r = f.http.post("/v2/models/tiny/infer", body);
        assertEquals(200, r.status(), r.text());
        JsonNode out = r.json().get("outputs").get(0);
        assertEquals("[2,3]", out.get("shape").toString());
        var m = TestModels.tiny(1);
        float[] want = concat(TestModels.direct(m, a), TestModels.direct(m, b));
        assertArrayEquals(want, Http.floats(out.get("data")), 1e-5f);
        assertTrue(r.json().get("id") == null, "no id in, no id out");

        String single = Http.inferJson(a, null).replace("[1,1,8,8]", "[1,8,8]");
        var s = f.http.post("/v2/models/tiny/versions/1/infer", single);
        assertEquals(200, s.status(), s.text());
        assertEquals("[1,3]", s.json().get("outputs").get(0).get("shape").toString());
    }

    @Test
    void inferBinaryInAndOut() {
        float[] x = TestModels.sample(6);
        String json = "{\"id\":\"b1\",\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":256}}],"
                + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(header.length + 256).order(ByteOrder.LITTLE_ENDIAN);
        body.put(header);
        for (float v : x) {
            body.putFloat(v);
        }
        var r = f.http.post(
                "/v2/models/tiny/infer",
                body.array(),
                "application/octet-stream",
                "Inference-Header-Content-Length",
                Integer.toString(header.length));
        assertEquals(200, r.status(), r.text());
        int jsonLength = Integer.parseInt(
                r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        JsonNode head = parse(Arrays.copyOf(r.body(), jsonLength));
        JsonNode out = head.get("outputs").get(0);
        assertEquals("b1", head.get("id").asText());
        assertEquals(12, out.get("parameters").get("binary_data_size").asInt());
        assertTrue(out.get("data") == null, "binary outputs carry no JSON data");
        assertEquals(jsonLength + 12, r.body().length);
        float[] got = new float[3];
        ByteBuffer.wrap(r.body(), jsonLength, 12)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(got);
        assertArrayEquals(TestModels.direct(TestModels.tiny(1), x), got, 1e-6f);

        // binary input, JSON output (no binary_data flag)
        String json2 = json.replace(",\"parameters\":{\"binary_data\":true}", "");
        byte[] h2 = json2.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b2 = ByteBuffer.allocate(h2.length + 256)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put(h2);
        for (float v : x) {
            b2.putFloat(v);
        }
        var r2 = f.http.post(
                "/v2/models/tiny/infer",
                b2.array(),
                "application/octet-stream",
                "Inference-Header-Content-Length",
                Integer.toString(h2.length));
        assertEquals(200, r2.status(), r2.text());
        assertArrayEquals(got, Http.floats(r2.json().get("outputs").get(0).get("data")), 1e-6f);
    }

    @Test
    void metricsAreInPrometheusFormat() {
        f.http.post("/v2/models/tiny/infer", Http.inferJson(TestModels.sample(1), null));
        var r = f.http.get("/metrics");
        assertEquals(200, r.status());
        String text = r.text();
        assertTrue(text.contains("torchlet_serve_requests_seconds_bucket{endpoint=\"infer\",model=\"tiny\""), text);
        assertTrue(text.contains("torchlet_serve_batch_size_count{model=\"tiny\"}"), text);
        assertTrue(text.contains("torchlet_serve_queue_depth{model=\"tiny\"}"), text);
        assertTrue(text.contains("torchlet_serve_inflight_requests"), text);
    }

    private static JsonNode parse(byte[] b) {
        try {
            return Json.MAPPER.readTree(b);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
