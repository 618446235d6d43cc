package dev.torchlet.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * safetensors, Torchlet's native file format (the published format, byte for byte):
 * <pre>
 *   [8 bytes]  N, little-endian unsigned 64-bit header length
 *   [N bytes]  UTF-8 JSON object, starting with '{', optionally padded with trailing spaces:
 *              {"__metadata__": {"k": "v", ...},                      (optional, strings only)
 *               "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
 *   [rest]     the tensors' raw little-endian row-major bytes; offsets are relative to the
 *              first byte after the header and must tile the data exactly (no gaps, overlaps
 *              or trailing bytes).
 * </pre>
 *
 * <p>Reading memory-maps the file (so multi-gigabyte files stream through, one window at a time,
 * into the tensors' heap arrays) and checks every header entry before decoding anything: known
 * dtype, non-negative shape, offsets inside the data matching dtype and shape, and the tiling
 * above. F16/BF16/F32 load as float32, F64 as float64, I64/I32/I16/I8/U8 as int64, BOOL as bool.
 *
 * <p>Writing stores F32/F64/I64/BOOL by the tensor's dtype, or any of F32, F16, BF16, F64, I64,
 * I32, I16, I8, U8, BOOL on request ({@link #write(Map, Map, Map, Path)}). It goes to a temporary
 * file in the target's directory that is flushed to disk and then renamed over the target, so a
 * failed write never leaves a half-written file and never touches an existing one.
 */
public final class SafeTensors {
    /** A header nests 3 deep; 64 bounds the recursion of anything that walks a hostile one. */
    static final int MAX_HEADER_DEPTH = 64;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_HEADER_DEPTH)
                            .build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Headers above 100 MB are refused, like the reference implementation. */
    static final long MAX_HEADER = 100_000_000L;
    /** Bytes decoded or encoded per window. */
    private static final int CHUNK = 1 << 20;

    private SafeTensors() {}

    /** A file's tensors (in header order) and its {@code __metadata__}. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** One header entry: dtype string, shape and byte range {@code [begin, end)} of the data section. */
    public record TensorInfo(String name, String dtype, int[] shape, long begin, long end) {}

    /** A validated header: entries in file order, metadata, and the file offset of the data section. */
    public record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart) {}

    // ---------------------------------------------------------------- reading

    /** Reads all tensors of a file, in the order of its header. */
    public static Map<String, Tensor> read(Path path) throws IOException {
        return readWithMetadata(path).tensors();
    }

    /** Reads all tensors and the {@code __metadata__} strings. */
    public static Contents readWithMetadata(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
                Arena arena = Arena.ofConfined()) {
            Header header = readHeader(path, ch);
            long dataLen = ch.size() - header.dataStart();
            MemorySegment data = dataLen == 0
                    ? MemorySegment.ofArray(new byte[0])
                    : ch.map(FileChannel.MapMode.READ_ONLY, header.dataStart(), dataLen, arena);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (TensorInfo info : header.tensors().values()) {
                tensors.put(info.name(), decode(info, data));
            }
            return new Contents(Collections.unmodifiableMap(tensors), header.metadata());
        }
    }

    /** Reads and validates only the header (cheap even for huge files). */
    public static Header header(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readHeader(path, ch);
        }
    }

    private static Header readHeader(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw bad(path, "file is " + size + " bytes, shorter than the 8-byte header length");
        }
        long headerLen = readFully(ch, 0, 8).getLong();
        if (headerLen < 0 || headerLen > MAX_HEADER) {
            throw bad(
                    path,
                    "header length " + Long.toUnsignedString(headerLen) + " exceeds the limit of " + MAX_HEADER
                            + " bytes");
        }
        if (8 + headerLen > size) {
            throw bad(
                    path,
                    "header length " + headerLen + " points past the end of the " + size + "-byte file (truncated?)");
        }
        if (headerLen < 2) {
            throw bad(path, "header length " + headerLen + " is too small for a JSON object");
        }
        ByteBuffer raw = readFully(ch, 8, (int) headerLen);
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(raw)
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad(path, "header is not valid UTF-8");
        }
        if (text.charAt(0) != '{') {
            throw bad(
                    path,
                    "header must start with '{', found byte 0x" + Integer.toHexString(text.charAt(0))
                            + " (not a safetensors file?)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw bad(path, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(path, "header is not a JSON object");
        }
        return parseHeader(path, root, 8 + headerLen, size - 8 - headerLen);
    }

    private static Header parseHeader(Path path, JsonNode root, long dataStart, long dataLen) throws IOException {
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode info = e.getValue();
            if (name.equals("__metadata__")) {
                if (!info.isObject()) {
                    throw bad(path, "__metadata__ must be an object of strings, got " + info.getNodeType());
                }
                for (var m : (Iterable<Map.Entry<String, JsonNode>>) info::fields) {
                    if (!m.getValue().isTextual()) {
                        throw bad(
                                path,
                                "__metadata__ value for '" + m.getKey() + "' must be a string, got "
                                        + abbreviate(m.getValue()));
                    }
                    metadata.put(m.getKey(), m.getValue().textValue());
                }
                continue;
            }
            tensors.put(name, parseEntry(path, name, info, dataLen));
        }
        checkTiling(path, tensors.values(), dataLen);
        return new Header(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata), dataStart);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode info, long dataLen) throws IOException {
        String what = "tensor '" + name + "'";
        if (!info.isObject() || !info.has("dtype") || !info.has("shape") || !info.has("data_offsets")) {
            throw bad(path, what + " needs dtype, shape and data_offsets, got " + abbreviate(info));
        }
        JsonNode dtypeNode = info.get("dtype");
        ElementType type = dtypeNode.isTextual() ? ElementType.ofSafetensors(dtypeNode.textValue()) : null;
        if (type == null) {
            throw bad(
                    path,
                    what + " has unknown or unsupported dtype " + abbreviate(dtypeNode)
                            + " (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        }
        JsonNode shapeNode = info.get("shape");
        JsonNode offs = info.get("data_offsets");
        if (!shapeNode.isArray()) {
            throw bad(path, what + " has a malformed shape " + abbreviate(shapeNode));
        }
        if (!offs.isArray() || offs.size() != 2 || !isLong(offs.get(0)) || !isLong(offs.get(1))) {
            throw bad(path, what + " has malformed data_offsets " + abbreviate(offs) + " (expected [begin, end])");
        }
        int[] shape = new int[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode s = shapeNode.get(i);
            if (!isLong(s) || s.longValue() < 0 || s.longValue() > Integer.MAX_VALUE) {
                throw bad(path, what + " has invalid size " + abbreviate(s) + " in its shape " + abbreviate(shapeNode));
            }
            shape[i] = (int) s.longValue();
            numel = Math.min(numel * shape[i], Integer.MAX_VALUE + 1L); // capped: never overflows
        }
        if (numel > Integer.MAX_VALUE) {
            throw bad(
                    path,
                    what + " with shape " + abbreviate(shapeNode) + " has more than " + Integer.MAX_VALUE
                            + " elements");
        }
        long begin = offs.get(0).longValue();
        long end = offs.get(1).longValue();
        if (begin < 0 || end < begin || end > dataLen) {
            throw bad(
                    path,
                    what + " has data_offsets [" + begin + ", " + end + "] outside the " + dataLen + " data bytes");
        }
        if (end - begin != numel * type.width) {
            throw bad(
                    path,
                    what + " with dtype " + type + " and shape " + Shape.str(shape) + " needs "
                            + numel * type.width + " bytes but its data_offsets [" + begin + ", " + end + "] span "
                            + (end - begin));
        }
        String tooBig = InputLimits.checkTensorBytes(what, numel * type.loadsAs.byteSize());
        if (tooBig != null) {
            throw bad(path, tooBig);
        }
        return new TensorInfo(name, type.name(), shape, begin, end);
    }

    /** A JSON value for an error message, cut to 200 characters (a header may be 100 MB). */
    private static String abbreviate(JsonNode n) {
        String text = String.valueOf(n);
        return text.length() <= 200 ? text : text.substring(0, 200) + "... (" + text.length() + " characters)";
    }

    private static boolean isLong(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToLong();
    }

    /** The byte ranges must tile [0, dataLen) exactly, as the spec requires (no polyglot files). */
    private static void checkTiling(Path path, java.util.Collection<TensorInfo> entries, long dataLen)
            throws IOException {
        List<TensorInfo> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw bad(
                        path,
                        "tensor data ranges overlap: '" + prev.name() + "' [" + prev.begin() + ", " + prev.end()
                                + ") and '" + t.name() + "' [" + t.begin() + ", " + t.end() + ")");
            }
            if (t.begin() > covered) {
                throw bad(path, "data bytes [" + covered + ", " + t.begin() + ") belong to no tensor");
            }
            covered = t.end();
            prev = t;
        }
        if (covered != dataLen) {
            throw bad(
                    path,
                    "the data section has " + dataLen + " bytes but the tensors cover " + covered
                            + " (extra trailing bytes)");
        }
    }

    private static Tensor decode(TensorInfo info, MemorySegment data) {
        ElementType type = ElementType.valueOf(info.dtype());
        int n = Shape.numel(info.shape());
        Storage s = Storage.allocate(type.loadsAs, n);
        int perChunk = CHUNK / type.width;
        long pos = info.begin();
        for (int at = 0; at < n; at += perChunk) {
            int c = Math.min(perChunk, n - at);
            ByteBuffer window =
                    data.asSlice(pos, (long) c * type.width).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            type.decode(window, s, at, c);
            pos += (long) c * type.width;
        }
        return TensorInternals.wrap(s, info.shape());
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("safetensors: unexpected end of file");
            }
        }
        return b.flip();
    }

    // ---------------------------------------------------------------- writing

    /** Writes tensors (F32, F64, I64 or BOOL by their dtype) atomically: temp file, then rename. */
    public static void write(Map<String, Tensor> tensors, Path path) throws IOException {
        write(tensors, Map.of(), Map.of(), path);
    }

    /** Writes tensors and {@code __metadata__} strings atomically. */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path path) throws IOException {
        write(tensors, metadata, Map.of(), path);
    }

    /**
     * Writes tensors and metadata atomically, storing the tensors named in {@code storeAs} as the
     * given safetensors dtype ("F16", "BF16", "I32", "U8", ...). Conversions that would change a
     * value (a fraction or out-of-range value to an integer type, anything but 0/1 to BOOL) fail
     * the write; float types round to nearest even.
     */
    public static void write(
            Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, String> storeAs, Path path)
            throws IOException {
        List<Map.Entry<String, Tensor>> entries = new ArrayList<>();
        List<ElementType> types = new ArrayList<>();
        for (var e : storeAs.entrySet()) {
            if (!tensors.containsKey(e.getKey())) {
                throw new IllegalArgumentException(
                        "safetensors: storeAs names '" + e.getKey() + "' but there is no such tensor");
            }
            if (ElementType.ofSafetensors(e.getValue()) == null) {
                throw new IllegalArgumentException("safetensors: cannot store tensor '" + e.getKey() + "' as unknown "
                        + "dtype '" + e.getValue() + "' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
            }
        }
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new IllegalArgumentException(
                            "safetensors: metadata keys and values must not be null, got " + k + " -> " + v);
                }
                meta.put(k, v);
            });
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.equals("__metadata__")) {
                throw new IllegalArgumentException("safetensors: '" + name + "' cannot name a tensor");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("safetensors: tensor '" + name + "' is null");
            }
            Tensor t = e.getValue().detach().contiguous();
            ElementType type = storeAs.containsKey(name)
                    ? ElementType.ofSafetensors(storeAs.get(name))
                    : ElementType.defaultFor(t.dtype());
            ObjectNode info = header.putObject(name);
            info.put("dtype", type.name());
            var shape = info.putArray("shape");
            for (int s : TensorInternals.shapeRef(t)) {
                shape.add(s);
            }
            long bytes = (long) t.numel() * type.width;
            info.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
            entries.add(Map.entry(name, t));
            types.add(type);
        }
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        int padded = (headerBytes.length + 7) / 8 * 8; // the reference writer aligns the data to 8 bytes
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(headerBytes);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        writeAtomically(path, ch -> {
            writeFully(ch, head.flip());
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < entries.size(); i++) {
                Tensor t = entries.get(i).getValue();
                ElementType type = types.get(i);
                String what = "safetensors: writing tensor '" + entries.get(i).getKey() + "' as " + type;
                int n = t.numel();
                int perChunk = CHUNK / type.width;
                for (int at = 0; at < n; at += perChunk) {
                    int c = Math.min(perChunk, n - at);
                    buf.clear();
                    type.encode(TensorInternals.storage(t), t.offset() + at, c, at, buf, what);
                    writeFully(ch, buf.flip());
                }
            }
        });
    }

    /** Body of an atomic write: fills the channel of the temporary file. */
    interface ChannelWriter {
        void write(FileChannel ch) throws IOException;
    }

    /**
     * Writes a file atomically: a temporary file next to {@code path} is filled by {@code body},
     * forced to disk and renamed over {@code path}. On any failure the temporary file is deleted
     * and an existing file at {@code path} is left as it was.
     */
    static void writeAtomically(Path path, ChannelWriter body) throws IOException {
        AtomicFiles.writeFile(path, tmp -> {
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
            }
        });
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static IOException bad(Path path, String why) {
        return new IOException("safetensors: " + path + ": " + why);
    }

    /** The DType a safetensors dtype string loads as, or null when unknown. */
    public static DType loadedDType(String dtype) {
        ElementType t = ElementType.ofSafetensors(dtype);
        return t == null ? null : t.loadsAs;
    }
}
