package dev.torchlet.serve;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of {@code POST /v2/repository/models/{name}/load}: optional {@code {"parameters": {"spec": ...,
 * "max_batch_size": ..., "max_delay_ms": ..., "queue_capacity": ..., "instances": ...}}}.
 *
 * @param spec what to load (null: reload the model's current spec)
 * @param batching new batching options (null: keep the model's)
 */
record LoadRequest(String spec, BatchOptions batching) {
    /** Decodes a load request body for model {@code name}; 400 naming the problem otherwise. */
    static LoadRequest parse(String name, byte[] body) {
        JsonNode params = body.length == 0
                ? Json.object()
                : Json.parse(body, body.length, "the load request").path("parameters");
        String spec = params.hasNonNull("spec") ? params.get("spec").asText() : null;
        if (!params.has("max_batch_size")
                && !params.has("max_delay_ms")
                && !params.has("queue_capacity")
                && !params.has("instances")) {
            return new LoadRequest(spec, null);
        }
        BatchOptions base = BatchOptions.defaults();
        try {
            return new LoadRequest(
                    spec,
                    new BatchOptions(
                            params.path("max_batch_size").asInt(base.maxBatchSize()),
                            params.path("max_delay_ms").asDouble(base.maxDelayMs()),
                            params.path("queue_capacity").asInt(base.queueCapacity()),
                            params.path("instances").asInt(base.instances())));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("model '" + name + "': " + e.getMessage());
        }
    }
}
