package dev.torchlet.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The model-repository extension: {@code POST /v2/repository/index} lists models with their state;
 * {@code POST /v2/repository/models/{name}/load} (re)loads a model, optionally from a new spec given as
 * {@code {"parameters": {"spec": "...", "max_batch_size": 16, "max_delay_ms": 5, "queue_capacity": 256}}};
 * {@code .../unload} stops serving it. Load and unload need {@code Authorization: Bearer TOKEN} when the
 * server has a token.
 */
final class RepositoryRoutes {
    private final ModelRepository repository;
    private final String token;
    private final long maxBodyBytes;

    RepositoryRoutes(ModelRepository repository, String token, long maxBodyBytes) {
        this.repository = repository;
        this.token = token;
        this.maxBodyBytes = maxBodyBytes;
    }

    void register(HttpRouting.Builder r) {
        r.post("/v2/repository/index", Handlers.safe(this::index));
        r.post("/v2/repository/models/{name}/load", Handlers.safe(this::load));
        r.post("/v2/repository/models/{name}/unload", Handlers.safe(this::unload));
    }

    private void index(ServerRequest req, ServerResponse res) {
        byte[] body = RequestBodies.read(req, maxBodyBytes);
        boolean readyOnly = body.length > 0
                && Json.parse(body, body.length, "the index request")
                        .path("ready")
                        .asBoolean(false);
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (ModelRepository.IndexEntry e : repository.index()) {
            if (readyOnly && e.state() != ModelState.READY) {
                continue;
            }
            var row = list.addObject().put("name", e.name()).put("version", e.version());
            row.put("state", e.state().name()).put("reason", e.reason());
        }
        Json.send(res, 200, list);
    }

    private void load(ServerRequest req, ServerResponse res) {
        authorize(req);
        String name = req.path().pathParameters().get("name");
        if (!name.matches("[A-Za-z0-9_.\\-]+")) {
            throw HttpError.badRequest("model name must be letters, digits, '_', '.' or '-', got '" + name + "'");
        }
        LoadRequest request = LoadRequest.parse(name, RequestBodies.read(req, maxBodyBytes));
        repository.load(name, request.spec(), request.batching());
        res.status(200).send();
    }

    private void unload(ServerRequest req, ServerResponse res) {
        authorize(req);
        repository.unload(req.path().pathParameters().get("name"));
        res.status(200).send();
    }

    private void authorize(ServerRequest req) {
        if (token == null) {
            return;
        }
        String got = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, got.getBytes(StandardCharsets.UTF_8))) {
            throw new HttpError(
                    401,
                    got.isEmpty()
                            ? "repository calls need an 'Authorization: Bearer TOKEN' header"
                            : "wrong bearer token");
        }
    }
}
