package dev.torchlet.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.vision.explain.GradCam;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Image conveniences for people and the web page. Both take the image as the raw body or as the "file" part
 * of a multipart/form-data upload:
 * <ul>
 *   <li>{@code POST /v1/models/{name}/classify?top_k=5} answers
 *       {@code {"model": name, "predictions": [{"index": i, "label": l, "probability": p}, ...]}};
 *   <li>{@code POST /v1/models/{name}/explain?top_k=5} adds {@code "input": {"height": H, "width": W}} and
 *       {@code "heatmap": {"height": H, "width": W, "data": [...]}}: Grad-CAM of the top-1 class at the model's
 *       last conv stage, values in [0, 1], row-major at the model's input resolution.
 * </ul>
 * Classification goes through the batcher; an explanation runs the model directly under its write lock (its
 * hooks must not see batched requests).
 */
final class ImageRoutes {
    private final ModelRepository repository;
    private final Inference inference;
    private final long maxBodyBytes;

    ImageRoutes(ModelRepository repository, Inference inference, long maxBodyBytes) {
        this.repository = repository;
        this.inference = inference;
        this.maxBodyBytes = maxBodyBytes;
    }

    void register(HttpRouting.Builder r) {
        r.post("/v1/models/{name}/classify", Handlers.safe(this::classify));
        r.post("/v1/models/{name}/explain", Handlers.safe(this::explain));
    }

    private void classify(ServerRequest req, ServerResponse res) {
        LoadedModel m = repository.get(req.path().pathParameters().get("name"));
        int topK = topK(req);
        Tensor x = decode(m.model(), req);
        float[] logits = inference.run(m.model().name(), x.unsqueeze(0));
        Json.send(res, 200, predictions(m.model(), logits, topK));
    }

    private void explain(ServerRequest req, ServerResponse res) {
        LoadedModel m = repository.get(req.path().pathParameters().get("name"));
        ServedModel model = m.model();
        if (model.gradCamLayer() == null) {
            throw HttpError.badRequest("model '" + model.name() + "' has no Grad-CAM layer (not a CNN?)");
        }
        int topK = topK(req);
        Tensor x = decode(model, req).unsqueeze(0); // (1, C, H, W)
        float[] logits;
        Tensor map;
        m.lock().writeLock().lock();
        try {
            try (var g = Torch.noGrad()) {
                logits = model.module().call(x).toFloatArray();
            }
            int top = argmax(logits);
            map = new GradCam(model.module(), model.gradCamLayer()).heatMap(x, Torch.tensor(new long[] {top}, 1));
        } finally {
            m.lock().writeLock().unlock();
        }
        ObjectNode body = predictions(model, logits, topK);
        int h = x.size(2);
        int w = x.size(3);
        body.putObject("input").put("height", h).put("width", w);
        ObjectNode heat = body.putObject("heatmap").put("height", h).put("width", w);
        ArrayNode data = heat.putArray("data");
        for (float v : map.toFloatArray()) {
            data.add(Float.isFinite(v) ? v : 0f);
        }
        Json.send(res, 200, body);
    }

    private Tensor decode(ServedModel model, ServerRequest req) {
        byte[] image = RequestBodies.image(req, RequestBodies.read(req, maxBodyBytes));
        if (image.length == 0) {
            throw HttpError.badRequest("no image: send the image bytes as the body or as the multipart part 'file'");
        }
        Tensor x;
        try {
            x = model.preprocessor().apply(image);
        } catch (IOException | RuntimeException e) {
            throw new HttpError(
                    415,
                    "the upload (" + image.length + " bytes) is not a readable image (PNG, JPEG, "
                            + "BMP, GIF or WebP): " + e.getMessage());
        }
        if (!Arrays.equals(x.shape(), model.inputShape())) {
            throw new IllegalStateException("model '" + model.name() + "': preprocessing gave "
                    + Arrays.toString(x.shape()) + ", expected " + Arrays.toString(model.inputShape()));
        }
        return x;
    }

    private static int topK(ServerRequest req) {
        String v = req.query().first("top_k").orElse("5");
        try {
            int k = Integer.parseInt(v);
            if (k >= 1) {
                return k;
            }
        } catch (NumberFormatException e) {
            // fall through to the error
        }
        throw HttpError.badRequest("top_k must be a positive integer, got '" + v + "'");
    }

    /** Softmax of the logits, the k most probable classes first. */
    static ObjectNode predictions(ServedModel model, float[] logits, int topK) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        double total = sum;
        ObjectNode body = Json.object().put("model", model.name());
        ArrayNode list = body.putArray("predictions");
        IntStream.range(0, p.length)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -p[i]))
                .limit(topK)
                .forEach(i -> list.addObject()
                        .put("index", i)
                        .put("label", model.label(i))
                        .put("probability", p[i] / total));
        return body;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
