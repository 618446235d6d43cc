package dev.torchlet.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * safetensors, Torchlet's native file format: an 8-byte little-endian header length N, N bytes
 * of JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}}
 * (plus an optional {@code "__metadata__"} string map), then the raw little-endian data; offsets
 * are relative to the byte after the header.
 *
 * <p>Reading memory-maps the file and checks every header entry (known dtype, non-negative shape,
 * offsets inside the data and matching the shape, no overlaps). F16/BF16/F32 load as float32,
 * F64 as float64, I64/I32/U8 as int64, BOOL as bool. Writing goes to a temporary file that is then
 * renamed, so a failed write never leaves a half-written file.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Refuse headers above 100 MB, like the reference implementation. */
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private SafeTensors() {}

    /** A file's tensors (in header order) and its {@code __metadata__}. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Reads all tensors of a file, in the order of its header. */
    public static Map<String, Tensor> read(Path path) throws IOException {
        return readWithMetadata(path).tensors();
    }

    public static Contents readWithMetadata(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw bad(path, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw bad(path, "header length " + headerLen + " points past the end of the " + size + "-byte file");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            ch.read(headerBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw bad(path, "header is not valid JSON: " + e.getOriginalMessage());
            }
            if (header == null || !header.isObject()) {
                throw bad(path, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            ByteBuffer data = dataLen == 0 ? ByteBuffer.allocate(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLen).order(ByteOrder.LITTLE_ENDIAN);
            return parse(path, header, data, dataLen);
        }
    }

    private static Contents parse(Path path, JsonNode header, ByteBuffer data, long dataLen) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        java.util.List<long[]> ranges = new java.util.ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = header.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode info = e.getValue();
            if (name.equals("__metadata__")) {
                if (!info.isObject()) {
                    throw bad(path, "__metadata__ must be an object of strings");
                }
                info.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            if (!info.isObject() || !info.has("dtype") || !info.has("shape") || !info.has("data_offsets")) {
                throw bad(path, "tensor '" + name + "' needs dtype, shape and data_offsets");
            }
            String dtype = info.get("dtype").asText();
            int width = elementSize(dtype);
            if (width < 0) {
                throw bad(path, "tensor '" + name + "' has unknown dtype '" + dtype + "'");
            }
            JsonNode shapeNode = info.get("shape");
            JsonNode offs = info.get("data_offsets");
            if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                throw bad(path, "tensor '" + name + "' has a malformed shape or data_offsets");
            }
            int[] shape = new int[shapeNode.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                long s = shapeNode.get(i).asLong(-1);
                if (s < 0 || s > Integer.MAX_VALUE) {
                    throw bad(path, "tensor '" + name + "' has invalid size " + shapeNode.get(i) + " in its shape");
                }
                shape[i] = (int) s;
                numel *= s;
                if (numel > Integer.MAX_VALUE) {
                    throw bad(path, "tensor '" + name + "' is too large (" + shapeNode + ")");
                }
            }
            long begin = offs.get(0).asLong(-1);
            long end = offs.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataLen) {
                throw bad(path, "tensor '" + name + "' has data_offsets [" + begin + ", " + end
                        + "] outside the " + dataLen + " data bytes");
            }
            if (end - begin != numel * width) {
                throw bad(path, "tensor '" + name + "' with dtype " + dtype + " and shape " + Shape.str(shape)
                        + " needs " + numel * width + " bytes but its data_offsets span " + (end - begin));
            }
            ranges.add(new long[] {begin, end});
            tensors.put(name, decode(dtype, shape, (int) numel, data.slice((int) begin, (int) (end - begin))
                    .order(ByteOrder.LITTLE_ENDIAN)));
        }
        checkNoOverlap(path, ranges);
        return new Contents(tensors, metadata);
    }

    private static void checkNoOverlap(Path path, java.util.List<long[]> ranges) throws IOException {
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i)[0] < ranges.get(i - 1)[1]) {
                throw bad(path, "tensor data ranges overlap: [" + ranges.get(i - 1)[0] + ", " + ranges.get(i - 1)[1]
                        + ") and [" + ranges.get(i)[0] + ", " + ranges.get(i)[1] + ")");
            }
        }
    }

    private static int elementSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            case "U8", "BOOL" -> 1;
            default -> -1;
        };
    }

    private static Tensor decode(String dtype, int[] shape, int n, ByteBuffer b) {
        Storage s;
        switch (dtype) {
            case "F32" -> {
                float[] d = new float[n];
                b.asFloatBuffer().get(d);
                s = Storage.of(d);
            }
            case "F64" -> {
                double[] d = new double[n];
                b.asDoubleBuffer().get(d);
                s = Storage.of(d);
            }
            case "F16" -> {
                float[] d = new float[n];
                for (int i = 0; i < n; i++) {
                    d[i] = Float.float16ToFloat(b.getShort(2 * i));
                }
                s = Storage.of(d);
            }
            case "BF16" -> {
                float[] d = new float[n];
                for (int i = 0; i < n; i++) {
                    d[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
                s = Storage.of(d);
            }
            case "I64" -> {
                long[] d = new long[n];
                b.asLongBuffer().get(d);
                s = Storage.of(d);
            }
            case "I32" -> {
                long[] d = new long[n];
                for (int i = 0; i < n; i++) {
                    d[i] = b.getInt(4 * i);
                }
                s = Storage.of(d);
            }
            case "U8" -> {
                long[] d = new long[n];
                for (int i = 0; i < n; i++) {
                    d[i] = b.get(i) & 0xff;
                }
                s = Storage.of(d);
            }
            case "BOOL" -> {
                boolean[] d = new boolean[n];
                for (int i = 0; i < n; i++) {
                    d[i] = b.get(i) != 0;
                }
                s = Storage.of(d);
            }
            default -> throw new IllegalStateException("unreachable dtype " + dtype);
        }
        return Tensor.wrap(s, shape);
    }

    /** Writes tensors (F32, F64, I64 or BOOL by their dtype) atomically: temp file, then rename. */
    public static void write(Map<String, Tensor> tensors, Path path) throws IOException {
        write(tensors, Map.of(), path);
    }

    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path path)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        Map<String, Tensor> contiguous = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("safetensors: '__metadata__' is reserved and cannot name a tensor");
            }
            Tensor t = e.getValue().detach().contiguousCopy();
            contiguous.put(e.getKey(), t);
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", switch (t.dtype()) {
                case FLOAT32 -> "F32";
                case FLOAT64 -> "F64";
                case INT64 -> "I64";
                case BOOL -> "BOOL";
            });
            var shape = info.putArray("shape");
            for (int s : t.shapeRef()) {
                shape.add(s);
            }
            long bytes = (long) t.numel() * t.dtype().byteSize();
            info.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        int padded = (headerBytes.length + 7) / 8 * 8;
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                out.write(len.array());
                out.write(headerBytes);
                for (int i = headerBytes.length; i < padded; i++) {
                    out.write(' ');
                }
                for (Tensor t : contiguous.values()) {
                    out.write(encode(t));
                }
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] encode(Tensor t) {
        int n = t.numel();
        Storage s = t.storage();
        ByteBuffer b = ByteBuffer.allocate(n * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> b.asFloatBuffer().put(s.floats(), t.offset(), n);
            case FLOAT64 -> b.asDoubleBuffer().put(s.doubles(), t.offset(), n);
            case INT64 -> b.asLongBuffer().put(s.longs(), t.offset(), n);
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    b.put(i, (byte) (s.bools()[t.offset() + i] ? 1 : 0));
                }
            }
        }
        return b.array();
    }

    private static IOException bad(Path path, String why) {
        return new IOException("safetensors: " + path + ": " + why);
    }

    /** The DType a safetensors dtype string loads as, or null when unknown. */
    public static DType loadedDType(String dtype) {
        return switch (dtype) {
            case "F32", "F16", "BF16" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I64", "I32", "U8" -> DType.INT64;
            case "BOOL" -> DType.BOOL;
            default -> null;
        };
    }
}
