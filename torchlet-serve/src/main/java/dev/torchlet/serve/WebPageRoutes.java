package dev.torchlet.serve;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web page: {@code GET /} and its assets under {@code /static/}, read once from the classpath
 * ({@code dev/torchlet/serve/web/}). A fixed list of files rather than Helidon's static-content module: three
 * files need no extra dependency, and no request path ever reaches a classpath lookup. The page itself only
 * calls the public API (repository index, model metadata, classify, explain).
 */
final class WebPageRoutes {
    private static final String ROOT = "web/";

    /** Served name to content type; each file is loaded at startup so a missing one fails the server early. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");

    private final Map<String, byte[]> content;

    WebPageRoutes() {
        var loaded = new java.util.HashMap<String, byte[]>();
        FILES.keySet().forEach(name -> loaded.put(name, read(name)));
        content = Map.copyOf(loaded);
    }

    void register(HttpRouting.Builder r) {
        r.get("/", Handlers.safe((req, res) -> send(res, "index.html")));
        r.get("/index.html", Handlers.safe((req, res) -> send(res, "index.html")));
        r.get("/static/{file}", Handlers.safe(this::asset));
    }

    private void asset(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("file");
        if (name.equals("index.html") || !content.containsKey(name)) {
            throw new HttpError(404, "no static file '" + name + "'");
        }
        send(res, name);
    }

    private void send(ServerResponse res, String name) {
        res.header(HeaderNames.CONTENT_TYPE, FILES.get(name));
        // the page is tiny and changes with the server build; always revalidate rather than serve a stale app.js
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("X-Content-Type-Options", "nosniff");
        res.send(content.get(name));
    }

    private static byte[] read(String name) {
        try (InputStream in = WebPageRoutes.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException(
                        "web page resource missing from the jar: dev/torchlet/serve/" + ROOT + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
