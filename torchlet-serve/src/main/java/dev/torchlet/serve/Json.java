package dev.torchlet.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/** JSON in and out of the handlers (one shared Jackson mapper). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Parses a JSON object from body[0, length); 400 naming the problem otherwise. */
    static JsonNode parse(byte[] body, int length, String what) {
        if (length == 0) {
            throw HttpError.badRequest("malformed JSON in " + what + ": the body is empty");
        }
        try {
            JsonNode node = MAPPER.readTree(body, 0, length);
            if (node == null || !node.isObject()) {
                throw HttpError.badRequest("malformed JSON in " + what + ": expected an object, got "
                        + (node == null
                                ? "nothing"
                                : node.getNodeType().toString().toLowerCase()));
            }
            return node;
        } catch (JsonProcessingException e) {
            // some failures have no location (e.g. nesting deeper than Jackson's limit of 1000)
            var at = e.getLocation();
            throw HttpError.badRequest("malformed JSON in " + what + ": " + e.getOriginalMessage()
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        } catch (java.io.IOException e) {
            throw HttpError.badRequest("malformed JSON in " + what + ": " + e.getMessage());
        }
    }

    static void send(ServerResponse res, int status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(bytes);
    }

    /** {@code {"error": message}} with the error's status (and Retry-After for a 503 that has one). */
    static void sendError(ServerResponse res, HttpError e) {
        if (e.retryAfterSeconds() != null) {
            res.header(HeaderNames.RETRY_AFTER, Integer.toString(e.retryAfterSeconds()));
        }
        send(res, e.status(), object().put("error", e.getMessage()));
    }
}
