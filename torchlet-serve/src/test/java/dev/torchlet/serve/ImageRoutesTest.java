package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.torchlet.Torch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /v1 classify and explain with raw and multipart uploads. */
class ImageRoutesTest {
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
    void classifyRawBytesGivesTopKSortedWithLabels() throws Exception {
        byte[] png = TestModels.png(20);
        var r = f.http.post("/v1/models/tiny/classify?top_k=2", png, "image/png");
        assertEquals(200, r.status(), r.text());
        JsonNode body = r.json();
        assertEquals("tiny", body.get("model").asText());
        JsonNode p = body.get("predictions");
        assertEquals(2, p.size());
        assertTrue(p.get(0).get("probability").asDouble()
                >= p.get(1).get("probability").asDouble());

        // the same numbers as softmax over the model's logits on the preprocessed image
        float[] logits =
                TestModels.direct(TestModels.tiny(1), TestModels.preprocess(png).toFloatArray());
        float[] probs = Torch.tensor(logits, 1, 3).softmax(1).toFloatArray();
        int top = p.get(0).get("index").asInt();
        assertEquals(probs[top], p.get(0).get("probability").asDouble(), 1e-5);
        assertEquals(TestModels.LABELS.get(top), p.get(0).get("label").asText());
        for (float q : probs) {
            assertTrue(q <= probs[top]);
        }
        assertEquals(
                3,
                f.http.post("/v1/models/tiny/classify?top_k=50", png, "image/png")
                        .json()
                        .get("predictions")
                        .size(),
                "top_k is capped at the number of classes");
    }

    @Test
    void classifyMultipartUpload() throws Exception {
        byte[] png = TestModels.png(8);
        var body = new ByteArrayOutputStream();
        body.write(("--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                        + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
                        + "Content-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(png);
        body.write("\r\n--XyZ--\r\n".getBytes(StandardCharsets.UTF_8));
        var multi = f.http.post("/v1/models/tiny/classify", body.toByteArray(), "multipart/form-data; boundary=XyZ");
        assertEquals(200, multi.status(), multi.text());
        var raw = f.http.post("/v1/models/tiny/classify", png, "application/octet-stream");
        assertEquals(raw.json().get("predictions"), multi.json().get("predictions"));
        assertEquals(5 > 3 ? 3 : 5, multi.json().get("predictions").size(), "default top_k 5, capped at 3 classes");
    }

    @Test
    void explainGivesAHeatMapAtTheInputResolution() throws Exception {
        byte[] png = TestModels.png(32);
        var r = f.http.post("/v1/models/tiny/explain?top_k=1", png, "image/png");
        assertEquals(200, r.status(), r.text());
        JsonNode body = r.json();
        assertEquals(1, body.get("predictions").size());
        assertEquals("{\"height\":8,\"width\":8}", body.get("input").toString());
        JsonNode heat = body.get("heatmap");
        assertEquals(8, heat.get("height").asInt());
        assertEquals(8, heat.get("width").asInt());
        assertEquals(64, heat.get("data").size());
        double max = 0;
        for (JsonNode v : heat.get("data")) {
            assertTrue(v.asDouble() >= 0 && v.asDouble() <= 1, "heat in [0, 1]: " + v);
            max = Math.max(max, v.asDouble());
        }
        assertTrue(max > 0.99 || max == 0, "scaled to [0, 1] per image: max " + max);
        // explanations and batched inference on the same model do not disturb each other
        var infer = f.http.post("/v1/models/tiny/classify", png, "image/png");
        assertEquals(200, infer.status());
    }
}
