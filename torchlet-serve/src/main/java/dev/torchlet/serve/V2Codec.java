package dev.torchlet.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Open Inference Protocol (v2) infer requests and responses, JSON and the binary tensor data extension:
 * with an {@code Inference-Header-Content-Length: N} header the first N body bytes are the JSON and each
 * input with a {@code binary_data_size} parameter takes that many bytes (little-endian FP32, row-major) from
 * what follows, in input order. Outputs come back as binary when the request output has
 * {@code "binary_data": true} or the request parameters have {@code "binary_data_output": true}.
 */
final class V2Codec {
    /** A parsed request: its id (nullable), the input (n, C, H, W), and whether the output goes back binary. */
    record Request(JsonNode id, Tensor input, boolean binaryOutput) {}

    /** An encoded response: JSON header length (the whole body when not binary) and the body. */
    record Response(byte[] body, int jsonLength, boolean binary) {}

    private V2Codec() {}

    static Request parse(ServedModel model, byte[] body, Integer headerLength) {
        int jsonLength = body.length;
        if (headerLength != null) {
            if (headerLength < 0 || headerLength > body.length) {
                throw HttpError.badRequest("Inference-Header-Content-Length " + headerLength + " is outside the body's "
                        + body.length + " bytes (truncated upload?)");
            }
            jsonLength = headerLength;
        }
        JsonNode root = Json.parse(body, jsonLength, "the infer request");
        JsonNode inputs = root.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw HttpError.badRequest("infer request needs a non-empty \"inputs\" array");
        }
        if (inputs.size() != 1) {
            throw HttpError.badRequest("model '" + model.name() + "' has 1 input ('" + ServedModel.INPUT_NAME
                    + "'), got " + inputs.size());
        }
        int[] offset = {jsonLength};
        Tensor input = input(model, inputs.get(0), body, offset, headerLength != null);
        if (offset[0] != body.length) {
            throw HttpError.badRequest((body.length - offset[0]) + " bytes follow the JSON header and the inputs' "
                    + "binary data unused (binary_data_size does not match the body)");
        }
        boolean binary = root.path("parameters").path("binary_data_output").asBoolean(false);
        JsonNode outputs = root.get("outputs");
        if (outputs != null) {
            if (!outputs.isArray()) {
                throw HttpError.badRequest("\"outputs\" must be an array");
            }
            for (JsonNode o : outputs) {
                String name = o.path("name").asText("");
                if (!name.equals(ServedModel.OUTPUT_NAME)) {
                    throw HttpError.badRequest("unknown output '" + name + "'; model '" + model.name()
                            + "' has output '" + ServedModel.OUTPUT_NAME + "'");
                }
                binary |= o.path("parameters").path("binary_data").asBoolean(false);
            }
        }
        return new Request(root.get("id"), input, binary);
    }

    private static Tensor input(ServedModel model, JsonNode in, byte[] body, int[] offset, boolean binaryAllowed) {
        String name = in.path("name").asText("");
        if (!name.equals(ServedModel.INPUT_NAME)) {
            throw HttpError.badRequest("unknown input '" + name + "'; model '" + model.name() + "' has input '"
                    + ServedModel.INPUT_NAME + "'");
        }
        String datatype = in.path("datatype").asText("");
        if (!datatype.equals(ServedModel.DATATYPE)) {
            throw HttpError.badRequest(
                    "input '" + name + "': datatype expected " + ServedModel.DATATYPE + ", got '" + datatype + "'");
        }
        int[] shape = shape(model, in.get("shape"));
        int n = shape[0];
        int numel = n * model.inputNumel();
        float[] data;
        JsonNode size = in.path("parameters").get("binary_data_size");
        if (size != null) {
            if (!binaryAllowed) {
                throw HttpError.badRequest("input '" + name + "' has binary_data_size but the request has no "
                        + "Inference-Header-Content-Length header");
            }
            long bytes = size.asLong(-1);
            if (bytes != 4L * numel) {
                throw HttpError.badRequest("input '" + name + "': binary_data_size " + size + " but shape "
                        + Arrays.toString(shape) + " FP32 needs " + 4L * numel + " bytes");
            }
            if (offset[0] + bytes > body.length) {
                throw HttpError.badRequest("truncated binary data: input '" + name + "' needs " + bytes
                        + " bytes after the JSON header, only " + (body.length - offset[0]) + " follow");
            }
            data = new float[numel];
            ByteBuffer.wrap(body, offset[0], (int) bytes)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(data);
            offset[0] += (int) bytes;
        } else {
            JsonNode values = in.get("data");
            if (values == null) {
                throw HttpError.badRequest(
                        "input '" + name + "' has neither \"data\" nor a binary_data_size " + "parameter");
            }
            // count first: the shape alone must not size an allocation (a 30-byte request can claim 2^29 values)
            int count = flatten(values, null, 0, name);
            if (count != numel) {
                throw HttpError.badRequest("input '" + name + "': shape " + Arrays.toString(shape) + " needs " + numel
                        + " values, got " + count);
            }
            data = new float[numel];
            flatten(values, data, 0, name);
        }
        int[] s = model.inputShape();
        return Torch.tensor(data, n, s[0], s[1], s[2]);
    }

    /** The request shape as (n, C, H, W): [n, C, H, W] or, for one sample, [C, H, W]. */
    private static int[] shape(ServedModel model, JsonNode node) {
        int[] want = model.inputShape();
        String expected = "[-1, " + want[0] + ", " + want[1] + ", " + want[2] + "]";
        if (node == null || !node.isArray()) {
            throw HttpError.badRequest(
                    "input '" + ServedModel.INPUT_NAME + "': \"shape\" must be an array like " + expected);
        }
        int[] got = new int[node.size()];
        for (int i = 0; i < got.length; i++) {
            JsonNode d = node.get(i);
            if (!d.canConvertToInt() || !d.isIntegralNumber() || d.asInt() < 1) {
                throw HttpError.badRequest("input '" + ServedModel.INPUT_NAME + "': shape entries must be positive "
                        + "integers, got " + node);
            }
            got[i] = d.asInt();
        }
        boolean batched = got.length == 4 && Arrays.equals(Arrays.copyOfRange(got, 1, 4), want);
        boolean single = Arrays.equals(got, want);
        if (!batched && !single) {
            throw HttpError.badRequest("input '" + ServedModel.INPUT_NAME + "': expected shape " + expected + ", got "
                    + Arrays.toString(got));
        }
        if (batched && (long) got[0] * model.inputNumel() > Integer.MAX_VALUE / 4) {
            throw HttpError.badRequest("input '" + ServedModel.INPUT_NAME + "': batch " + got[0] + " is too large");
        }
        return batched ? got : new int[] {1, want[0], want[1], want[2]};
    }

    /**
     * Copies flat or nested number arrays into out (row-major; null: only counts); returns how many values there
     * were.
     */
    private static int flatten(JsonNode node, float[] out, int pos, String name) {
        if (node.isArray()) {
            for (JsonNode child : node) {
                pos = flatten(child, out, pos, name);
            }
            return pos;
        }
        if (!node.isNumber()) {
            throw HttpError.badRequest("input '" + name + "': FP32 data must be numbers, got " + node);
        }
        if (out != null && pos < out.length) {
            out[pos] = node.floatValue();
        }
        return pos + 1;
    }

    static Response encode(ServedModel model, String version, JsonNode id, int n, float[] output, boolean binary) {
        ObjectNode root = Json.object();
        root.put("model_name", model.name());
        root.put("model_version", version);
        if (id != null) {
            root.set("id", id);
        }
        ObjectNode out = root.putArray("outputs").addObject();
        out.put("name", ServedModel.OUTPUT_NAME);
        out.put("datatype", ServedModel.DATATYPE);
        ArrayNode shape = out.putArray("shape").add(n);
        for (int d : model.outputShape()) {
            shape.add(d);
        }
        try {
            if (!binary) {
                ArrayNode data = out.putArray("data");
                for (float v : output) {
                    data.add(v);
                }
                byte[] body = Json.MAPPER.writeValueAsBytes(root);
                return new Response(body, body.length, false);
            }
            out.putObject("parameters").put("binary_data_size", 4L * output.length);
            byte[] json = Json.MAPPER.writeValueAsBytes(root);
            ByteBuffer buf =
                    ByteBuffer.allocate(json.length + 4 * output.length).order(ByteOrder.LITTLE_ENDIAN);
            buf.put(json);
            buf.asFloatBuffer().put(output);
            return new Response(buf.array(), json.length, true);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
