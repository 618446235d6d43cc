package dev.torchlet.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-assembles pickle opcodes (and torch.save-style zip archives) for tests, no Python needed. */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBytes proto(int version) {
        return op(0x80).op(version);
    }

    PickleBytes global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    PickleBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        out.writeBytes(le4(b.length));
        out.writeBytes(b);
        return this;
    }

    PickleBytes integer(int v) {
        op('J');
        out.writeBytes(le4(v));
        return this;
    }

    /** A tuple of small non-negative ints. */
    PickleBytes ints(int... values) {
        mark();
        for (int v : values) {
            integer(v);
        }
        return tuple();
    }

    PickleBytes mark() {
        return op('(');
    }

    PickleBytes tuple() {
        return op('t');
    }

    PickleBytes emptyTuple() {
        return op(')');
    }

    PickleBytes emptyDict() {
        return op('}');
    }

    PickleBytes reduce() {
        return op('R');
    }

    PickleBytes binPersId() {
        return op('Q');
    }

    PickleBytes setItems() {
        return op('u');
    }

    PickleBytes build() {
        return op('b');
    }

    PickleBytes newFalse() {
        return op(0x89);
    }

    PickleBytes stop() {
        return op('.');
    }

    PickleBytes op(int code) {
        out.write(code);
        return this;
    }

    PickleBytes raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** {@code collections.OrderedDict()}. */
    PickleBytes orderedDict() {
        return global("collections", "OrderedDict").emptyTuple().reduce();
    }

    /**
     * {@code _rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, size, stride, False,
     * OrderedDict())}.
     */
    PickleBytes tensor(String storageType, String key, int numel, int offset, int[] size, int[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        mark().str("storage")
                .global("torch", storageType)
                .str(key)
                .str("cpu")
                .integer(numel)
                .tuple()
                .binPersId();
        integer(offset).ints(size).ints(stride).newFalse().orderedDict();
        return tuple().reduce();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static byte[] le4(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    /** A torch.save-style archive: {@code archive/data.pkl}, {@code archive/data/<key>}, {@code archive/version}. */
    static byte[] torchZip(byte[] pickle, Map<String, byte[]> storages) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                zip.putNextEntry(new ZipEntry("archive/data.pkl"));
                zip.write(pickle);
                for (var e : storages.entrySet()) {
                    zip.putNextEntry(new ZipEntry("archive/data/" + e.getKey()));
                    zip.write(e.getValue());
                }
                zip.putNextEntry(new ZipEntry("archive/version"));
                zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
