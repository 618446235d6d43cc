package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every bad request gets a 4xx with a JSON error naming the problem, and the server keeps serving. */
class BadRequestTest {
    static ServerFixture f;

    @BeforeAll
    static void start() {
        f = new ServerFixture(
                ServeOptions.defaults().withLimits(30_000, 64 * 1024), Map.of("tiny", "tiny:1"), Map.of());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @AfterEach
    void stillServing() {
        var r = f.http.post("/v2/models/tiny/infer", Http.inferJson(TestModels.sample(1), null));
        assertEquals(200, r.status(), r.text());
    }

    private static void assertError(Http.Reply r, int status, String... fragments) {
        assertEquals(status, r.status(), r.text());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.text());
        String error = r.error();
        for (String s : fragments) {
            assertTrue(error.contains(s), "error '" + error + "' should contain '" + s + "'");
        }
    }

    @Test
    void malformedJson() {
        assertError(f.http.post("/v2/models/tiny/infer", "{\"inputs\": [ {\"name\": "), 400, "malformed JSON");
        assertError(f.http.post("/v2/models/tiny/infer", "[1, 2]"), 400, "malformed JSON", "expected an object");
        assertError(f.http.post("/v2/models/tiny/infer", ""), 400, "malformed JSON", "empty");
        assertError(f.http.post("/v2/models/tiny/infer", "{\"outputs\":[]}"), 400, "\"inputs\"");
        // deeper than Jackson's nesting limit (1000): its exception has no location (a fuzzer finding: it was a 500)
        String deep = "{\"inputs\": " + "[".repeat(1200) + "]".repeat(1200) + "}";
        assertError(f.http.post("/v2/models/tiny/infer", deep), 400, "malformed JSON", "nesting depth");
    }

    @Test
    void wrongShapeSaysExpectedAndGot() {
        String body = Http.inferJson(TestModels.sample(1), null).replace("[1,1,8,8]", "[1,3,8,8]");
        assertError(f.http.post("/v2/models/tiny/infer", body), 400, "expected shape [-1, 1, 8, 8]", "[1, 3, 8, 8]");
        String fewer = Http.inferJson(Arrays.copyOf(TestModels.sample(1), 60), null);
        assertError(f.http.post("/v2/models/tiny/infer", fewer), 400, "needs 64 values, got 60");
        String strings = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,8,8],\"datatype\":\"FP32\",\"data\":[\"a\"]}]}";
        assertError(f.http.post("/v2/models/tiny/infer", strings), 400, "must be numbers");
        // a 100-byte request claiming 2^29 - 64 values (2 GB) is answered without allocating them
        String claims =
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[8388607,1,8,8],\"datatype\":\"FP32\",\"data\":[1]}]}";
        assertError(f.http.post("/v2/models/tiny/infer", claims), 400, "needs 536870848 values, got 1");
    }

    @Test
    void wrongDatatypeAndNames() {
        String body = Http.inferJson(TestModels.sample(1), null);
        assertError(
                f.http.post("/v2/models/tiny/infer", body.replace("FP32", "INT64")),
                400,
                "datatype expected FP32, got 'INT64'");
        assertError(
                f.http.post("/v2/models/tiny/infer", body.replace("\"input\"", "\"pixels\"")),
                400,
                "unknown input 'pixels'",
                "has input 'input'");
        assertError(
                f.http.post("/v2/models/tiny/infer", body.replace("]}]}", "]}],\"outputs\":[{\"name\":\"probs\"}]}")),
                400,
                "unknown output 'probs'");
    }

    @Test
    void unknownModelIs404AndListsTheKnownOnes() {
        var r = f.http.post("/v2/models/nope/infer", Http.inferJson(TestModels.sample(1), null));
        assertError(r, 404, "unknown model 'nope'", "known models: tiny");
        assertError(f.http.get("/v2/models/nope"), 404, "unknown model 'nope'");
        assertError(f.http.get("/v2/models/nope/ready"), 404, "unknown model");
        assertError(f.http.post("/v1/models/nope/classify", new byte[] {1}, "image/png"), 404, "unknown model");
        assertError(f.http.get("/v3/whatever"), 404, "no endpoint GET /v3/whatever");
    }

    @Test
    void oversizedBodyIs413() {
        byte[] big = new byte[200 * 1024];
        Arrays.fill(big, (byte) ' ');
        assertError(f.http.post("/v2/models/tiny/infer", big, "application/json"), 413, "exceeds the limit of 65536");
        assertError(f.http.post("/v1/models/tiny/classify", big, "image/png"), 413, "exceeds the limit");
    }

    @Test
    void truncatedBinaryUpload() {
        String json = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":256}}]}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(header, header.length + 100); // 156 bytes short
        String len = Integer.toString(header.length);
        assertError(
                f.http.post(
                        "/v2/models/tiny/infer",
                        body,
                        "application/octet-stream",
                        "Inference-Header-Content-Length",
                        len),
                400,
                "truncated binary data",
                "needs 256 bytes",
                "only 100 follow");
        assertError(
                f.http.post(
                        "/v2/models/tiny/infer",
                        Arrays.copyOf(header, 10),
                        "application/octet-stream",
                        "Inference-Header-Content-Length",
                        len),
                400,
                "Inference-Header-Content-Length");
        String wrongSize = json.replace("256", "255");
        byte[] h2 = wrongSize.getBytes(StandardCharsets.UTF_8);
        assertError(
                f.http.post(
                        "/v2/models/tiny/infer",
                        Arrays.copyOf(h2, h2.length + 255),
                        "application/octet-stream",
                        "Inference-Header-Content-Length",
                        Integer.toString(h2.length)),
                400,
                "binary_data_size 255",
                "needs 256 bytes");
    }

    @Test
    void nonImageOrTruncatedImageToClassify() throws Exception {
        byte[] text = "hello, I am not a picture".getBytes(StandardCharsets.UTF_8);
        assertError(f.http.post("/v1/models/tiny/classify", text, "image/png"), 415, "not a readable image");
        byte[] png = TestModels.png(16);
        assertError(
                f.http.post("/v1/models/tiny/classify", Arrays.copyOf(png, png.length / 2), "image/png"),
                415,
                "not a readable image");
        assertError(f.http.post("/v1/models/tiny/classify", new byte[0], "image/png"), 400, "no image");
        assertError(f.http.post("/v1/models/tiny/classify?top_k=zero", png, "image/png"), 400, "top_k");
        assertError(
                f.http.post(
                        "/v1/models/tiny/classify",
                        "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n".getBytes(StandardCharsets.UTF_8),
                        "multipart/form-data; boundary=x"),
                400,
                "truncated multipart");
    }
}
