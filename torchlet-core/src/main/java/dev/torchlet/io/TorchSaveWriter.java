package dev.torchlet.io;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict in the zip format of {@code torch.save} (PyTorch 1.6+), readable by
 * {@code torch.load}: {@code archive/data.pkl} is a protocol-2 pickle of an OrderedDict whose values
 * are {@code torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}, each
 * storage a persistent id {@code ('storage', torch.FloatStorage, key, 'cpu', numel)} whose raw
 * little-endian bytes are {@code archive/data/<key>}; {@code archive/version} is "3". Every tensor is
 * written contiguous, with its own storage. Entries are stored uncompressed, as PyTorch writes them.
 */
final class TorchSaveWriter {
    private final ByteArrayOutputStream pickle = new ByteArrayOutputStream();

    private TorchSaveWriter() {}

    /** Writes tensors to path atomically (temporary file in the same directory, then rename). */
    static void write(Map<String, Tensor> tensors, Path path) throws IOException {
        AtomicFiles.write(path, file -> {
            try (ZipOutputStream zip = new ZipOutputStream(file)) {
                TorchSaveWriter w = new TorchSaveWriter();
                byte[][] storages = w.pickleStateDict(tensors);
                stored(zip, "archive/data.pkl", w.pickle.toByteArray());
                for (int i = 0; i < storages.length; i++) {
                    stored(zip, "archive/data/" + i, storages[i]);
                }
                stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            }
        });
    }

    /** Pickles the dict; returns each tensor's storage bytes (storage key = index). */
    private byte[][] pickleStateDict(Map<String, Tensor> tensors) {
        byte[][] storages = new byte[tensors.size()][];
        op(0x80).op(2); // PROTO 2
        global("collections", "OrderedDict").op(')').op('R'); // OrderedDict()
        op('(');
        int key = 0;
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue().contiguous();
            storages[key] = bytes(t);
            str(e.getKey());
            global("torch._utils", "_rebuild_tensor_v2");
            op('(');
            op('(').str("storage")
                    .global("torch", storageClass(e.getKey(), t.dtype()))
                    .str(Integer.toString(key));
            str("cpu").integer(t.numel()).op('t').op('Q'); // tuple, BINPERSID
            integer(0); // storage offset
            ints(t.shape());
            ints(contiguousStrides(t.shape()));
            op(0x89); // NEWFALSE: requires_grad
            global("collections", "OrderedDict").op(')').op('R'); // backward hooks
            op('t').op('R');
            key++;
        }
        op('u').op('.'); // SETITEMS, STOP
        return storages;
    }

    private static String storageClass(String name, DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "FloatStorage";
            case FLOAT64 -> "DoubleStorage";
            case INT64 -> "LongStorage";
            case BOOL -> "BoolStorage";
            default ->
                throw new IllegalArgumentException("PyTorchCheckpoint.write: tensor '" + name + "' has dtype " + dtype
                        + ", which torch.save here " + "cannot write");
        };
    }

    private static byte[] bytes(Tensor t) {
        int n = t.numel();
        ByteBuffer b;
        switch (t.dtype()) {
            case FLOAT32 -> {
                b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.toFloatArray());
            }
            case FLOAT64 -> {
                b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                b.asDoubleBuffer().put(t.toDoubleArray());
            }
            case INT64 -> {
                b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                b.asLongBuffer().put(t.toLongArray());
            }
            case BOOL -> {
                b = ByteBuffer.allocate(n);
                for (long v : t.toLongArray()) {
                    b.put((byte) (v != 0 ? 1 : 0));
                }
            }
            default -> throw new IllegalArgumentException("PyTorchCheckpoint.write: unsupported dtype " + t.dtype());
        }
        return b.array();
    }

    private static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    // ---------------------------------------------------------------- pickle opcodes

    private TorchSaveWriter op(int code) {
        pickle.write(code);
        return this;
    }

    private TorchSaveWriter global(String module, String name) {
        op('c');
        pickle.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    private TorchSaveWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        pickle.writeBytes(le4(b.length));
        pickle.writeBytes(b);
        return this;
    }

    private TorchSaveWriter integer(int v) {
        op('J');
        pickle.writeBytes(le4(v));
        return this;
    }

    private TorchSaveWriter ints(int[] values) {
        op('(');
        for (int v : values) {
            integer(v);
        }
        return op('t');
    }

    private static byte[] le4(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
