package dev.torchlet.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The Open Inference Protocol (KServe v2) REST endpoints: health, server and model metadata, model
 * readiness and infer (JSON and binary tensor data).
 */
final class V2Routes {
    static final String SERVER_NAME = "torchlet";
    static final String INFERENCE_HEADER = "Inference-Header-Content-Length";

    private final ModelRepository repository;
    private final Inference inference;
    private final long maxBodyBytes;

    V2Routes(ModelRepository repository, Inference inference, long maxBodyBytes) {
        this.repository = repository;
        this.inference = inference;
        this.maxBodyBytes = maxBodyBytes;
    }

    void register(HttpRouting.Builder r) {
        r.get("/v2/health/live", Handlers.safe((req, res) -> res.status(200).send()));
        r.get("/v2/health/ready", Handlers.safe((req, res) -> {
            if (!repository.allReady()) {
                throw new HttpError(503, "not ready: " + repository.index());
            }
            res.status(200).send();
        }));
        r.get("/v2", Handlers.safe(this::serverMetadata));
        r.get("/v2/models/{name}", Handlers.safe(this::modelMetadata));
        r.get("/v2/models/{name}/versions/{version}", Handlers.safe(this::modelMetadata));
        r.get("/v2/models/{name}/ready", Handlers.safe(this::modelReady));
        r.get("/v2/models/{name}/versions/{version}/ready", Handlers.safe(this::modelReady));
        r.post("/v2/models/{name}/infer", Handlers.safe(this::infer));
        r.post("/v2/models/{name}/versions/{version}/infer", Handlers.safe(this::infer));
    }

    private void serverMetadata(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.object().put("name", SERVER_NAME).put("version", version());
        body.putArray("extensions").add("binary_tensor_data").add("model_repository");
        Json.send(res, 200, body);
    }

    private void modelMetadata(ServerRequest req, ServerResponse res) {
        LoadedModel m = loaded(req);
        ServedModel model = m.model();
        ObjectNode body = Json.object().put("name", model.name());
        body.putArray("versions").add(m.version());
        body.put("platform", "torchlet");
        ObjectNode in = body.putArray("inputs").addObject();
        in.put("name", ServedModel.INPUT_NAME).put("datatype", ServedModel.DATATYPE);
        ArrayNode inShape = in.putArray("shape").add(-1);
        for (int d : model.inputShape()) {
            inShape.add(d);
        }
        ObjectNode out = body.putArray("outputs").addObject();
        out.put("name", ServedModel.OUTPUT_NAME).put("datatype", ServedModel.DATATYPE);
        ArrayNode outShape = out.putArray("shape").add(-1);
        for (int d : model.outputShape()) {
            outShape.add(d);
        }
        Json.send(res, 200, body);
    }

    private void modelReady(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        if (!repository.isReady(name)) { // 404 for unknown names comes from the repository
            throw new HttpError(400, "model '" + name + "' is not ready");
        }
        res.status(200).send();
    }

    private void infer(ServerRequest req, ServerResponse res) {
        LoadedModel m = loaded(req);
        byte[] body = RequestBodies.read(req, maxBodyBytes);
        Integer headerLength = null;
        var header = req.headers().first(HeaderNames.create(INFERENCE_HEADER));
        if (header.isPresent()) {
            try {
                headerLength = Integer.parseInt(header.get().trim());
            } catch (NumberFormatException e) {
                throw HttpError.badRequest(INFERENCE_HEADER + " must be an integer, got '" + header.get() + "'");
            }
        }
        V2Codec.Request request = V2Codec.parse(m.model(), body, headerLength);
        int n = request.input().size(0);
        float[] out = inference.run(m.model().name(), request.input());
        V2Codec.Response response =
                V2Codec.encode(m.model(), m.version(), request.id(), n, out, request.binaryOutput());
        res.status(200);
        if (response.binary()) {
            res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
            res.header(INFERENCE_HEADER, Integer.toString(response.jsonLength()));
        } else {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
        }
        res.send(response.body());
    }

    private LoadedModel loaded(ServerRequest req) {
        String name = req.path().pathParameters().get("name");
        LoadedModel m = repository.get(name);
        var version = req.path().pathParameters().first("version");
        if (version.isPresent() && !version.get().equals(m.version())) {
            throw new HttpError(
                    404, "model '" + name + "' has no version '" + version.get() + "'; serving version " + m.version());
        }
        return m;
    }

    static String version() {
        String v = V2Routes.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
