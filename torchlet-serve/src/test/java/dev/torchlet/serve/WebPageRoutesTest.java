package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The page and its assets over plain HTTP (no browser): content types, and nothing else is served. */
class WebPageRoutesTest {
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
    void servesThePageAndItsAssets() {
        var page = f.http.get("/");
        assertEquals(200, page.status());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.text().contains("id=\"model\"") && page.text().contains("/static/app.js"));
        var js = f.http.get("/static/app.js");
        assertEquals(200, js.status());
        assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertTrue(js.text().contains("/v1/models/"), "the page uses the public API");
        assertTrue(f.http.get("/static/app.css")
                .headers()
                .firstValue("Content-Type")
                .orElse("")
                .startsWith("text/css"));
    }

    @Test
    void unknownAssetsAndPathTricksAre404Json() {
        for (String path :
                new String[] {"/static/nope.js", "/static/..%2Fpom.xml", "/static/index.html", "/web/app.js"}) {
            var r = f.http.get(path);
            assertEquals(404, r.status(), path);
            assertTrue(!r.error().isEmpty(), path + " answers a JSON error");
        }
    }
}
