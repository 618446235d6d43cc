package dev.torchlet.io;

import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.io.TorchUnpickler.PendingTensor;
import dev.torchlet.io.TorchUnpickler.StorageRef;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;

/**
 * Reads a PyTorch state dict saved with {@code torch.save(model.state_dict(), path)}: the zip
 * format of PyTorch 1.6+ and the older "legacy" format ({@code _use_new_zipfile_serialization=False}).
 *
 * <p>Zip format: {@code <name>/data.pkl} (the pickled dict), {@code <name>/data/<key>} (each
 * storage's raw bytes, little-endian unless {@code <name>/byteorder} says "big"),
 * {@code <name>/version}. Legacy format: five pickles back to back (magic number, protocol
 * version 1001, system info, the object, the sorted storage keys), then per storage an int64
 * element count and the raw bytes.
 *
 * <p>The pickle is read by {@link TorchUnpickler}, which only knows OrderedDict, the
 * tensor-rebuild functions and the storage classes; any other class in the file is refused with
 * an error naming it, and nothing from the file is ever executed. Tensors are views into their
 * storage with the saved offset and strides (tensors sharing a storage in PyTorch share one
 * here). Float16/bfloat16 storages load as float32; integer and uint8 storages as int64.
 */
public final class PyTorchCheckpoint {
    private static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    private static final int CHUNK = 1 << 20;

    private PyTorchCheckpoint() {}

    /**
     * Writes a state dict as {@code torch.save(state_dict, path)} does (zip format, readable by
     * {@code torch.load} and by {@link #read}), atomically. float32, float64, int64 and bool tensors.
     */
    public static void write(Map<String, Tensor> stateDict, Path path) throws IOException {
        TorchSaveWriter.write(stateDict, path);
    }

    /** The state dict in the file: tensor name to tensor, in the saved order. */
    public static Map<String, Tensor> read(Path path) throws IOException {
        byte[] head = new byte[4];
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (ch.size() < head.length) {
                throw bad(path, "file is " + ch.size() + " bytes: too short to be a PyTorch checkpoint");
            }
            ByteBuffer b = ByteBuffer.wrap(head);
            while (b.hasRemaining()) {
                if (ch.read(b, b.position()) < 0) {
                    throw bad(path, "file shrank while being read");
                }
            }
        }
        try {
            if (head[0] == 'P' && head[1] == 'K') {
                return readZip(path);
            }
            if ((head[0] & 0xff) == 0x80) { // pickle PROTO opcode: the legacy format
                return readLegacy(path);
            }
        } catch (PickleException e) {
            throw pickleError(path, e);
        }
        throw bad(
                path,
                "not a PyTorch checkpoint: expected a torch.save zip archive or a legacy pickle, "
                        + "found first bytes "
                        + String.format("%02x %02x %02x %02x", head[0], head[1], head[2], head[3]));
    }

    // ---------------------------------------------------------------- zip format

    private static Map<String, Tensor> readZip(Path path) throws IOException {
        try (ZipFile zip = new ZipFile(path.toFile())) {
            String prefix = recordPrefix(path, zip);
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
            if (byteorder != null) {
                String s = new String(readEntry(path, zip, byteorder, 16), StandardCharsets.US_ASCII).trim();
                if (s.equals("big")) {
                    order = ByteOrder.BIG_ENDIAN;
                } else if (!s.equals("little")) {
                    throw bad(path, "unknown byteorder '" + s + "'");
                }
            }
            long pickleLimit = Math.min(InputLimits.maxPickleBytes(), Integer.MAX_VALUE - 8);
            byte[] pickle = readEntry(path, zip, zip.getEntry(prefix + "data.pkl"), (int) pickleLimit);
            Map<String, StorageRef> refs = new LinkedHashMap<>();
            Object root = new TorchUnpickler(refs).load(BytesInput.of(pickle));
            Map<StorageRef, Storage> storages = new HashMap<>();
            for (StorageRef ref : refs.values()) {
                storages.put(ref, readZipStorage(path, zip, prefix, ref, order));
            }
            return stateDict(path, root, storages);
        } catch (ZipException e) {
            throw bad(path, "not a readable zip archive (truncated or corrupted?): " + e.getMessage());
        }
    }

    /** The archive's top folder ("name/"), found from its single {@code name/data.pkl}. */
    private static String recordPrefix(Path path, ZipFile zip) throws IOException {
        List<String> found = new ArrayList<>();
        zip.stream()
                .map(ZipEntry::getName)
                .filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length())
                .forEach(found::add);
        if (found.size() != 1) {
            throw bad(
                    path,
                    found.isEmpty()
                            ? "zip archive has no <name>/data.pkl: not a torch.save file"
                            : "zip archive has several data.pkl records " + found);
        }
        return found.getFirst().substring(0, found.getFirst().length() - "data.pkl".length());
    }

    private static byte[] readEntry(Path path, ZipFile zip, ZipEntry e, int limit) throws IOException {
        if (e.getSize() > limit) {
            throw bad(path, "'" + e.getName() + "' is " + e.getSize() + " bytes, more than the " + limit + " allowed");
        }
        checkDeclaredSize(path, e);
        byte[] b;
        try (InputStream in = zip.getInputStream(e)) {
            // never more than declared: a lying size in the zip directory cannot grow the buffer
            b = in.readNBytes((int) Math.min(limit, Math.max(e.getSize(), 0)));
            if (in.read() != -1) {
                throw bad(path, "'" + e.getName() + "' holds more than the " + e.getSize() + " bytes it declares");
            }
        } catch (EOFException ex) {
            throw pastEnd(path, e);
        }
        if (b.length != e.getSize()) {
            throw bad(path, "'" + e.getName() + "' is truncated: " + b.length + " of " + e.getSize() + " bytes");
        }
        checkCrc(path, e, b, b.length);
        return b;
    }

    /**
     * Checks an entry's declared sizes before it is decompressed: a stored entry is as large as
     * its compressed data, a deflated one at most {@link InputLimits#MAX_DEFLATE_RATIO} times it
     * (more is a zip bomb or a lie), and none expands beyond {@link InputLimits#maxDecompressedBytes()}.
     */
    private static void checkDeclaredSize(Path path, ZipEntry e) throws IOException {
        long size = e.getSize();
        long packed = e.getCompressedSize();
        if (size < 0 || packed < 0) {
            throw bad(path, "'" + e.getName() + "' has no size in the zip directory");
        }
        if (e.getMethod() == ZipEntry.STORED && size != packed) {
            throw bad(path, "stored entry '" + e.getName() + "' declares " + size + " bytes but holds " + packed);
        }
        if (size > packed * InputLimits.MAX_DEFLATE_RATIO + 64) {
            throw bad(
                    path,
                    "'" + e.getName() + "' claims to expand from " + packed + " to " + size + " bytes, more than "
                            + InputLimits.MAX_DEFLATE_RATIO + ":1 (a zip bomb?)");
        }
        if (size > InputLimits.maxDecompressedBytes()) {
            throw bad(
                    path,
                    "'" + e.getName() + "' expands to " + size + " bytes, more than the limit of "
                            + InputLimits.maxDecompressedBytes() + " (system property "
                            + InputLimits.MAX_DECOMPRESSED_BYTES + ")");
        }
    }

    private static Storage readZipStorage(Path path, ZipFile zip, String prefix, StorageRef ref, ByteOrder order)
            throws IOException {
        String name = prefix + "data/" + ref.key();
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw bad(path, "storage '" + ref.key() + "' (" + name + ") is missing from the archive");
        }
        long expected = checkedNumel(path, ref) * ref.type().width;
        if (e.getSize() != expected) {
            throw bad(
                    path,
                    "storage '" + ref.key() + "' has " + e.getSize() + " bytes but " + ref.type().torchStorage + " of "
                            + ref.numel() + " elements needs " + expected);
        }
        checkDeclaredSize(path, e);
        int n = (int) ref.numel();
        Storage s = Storage.allocate(ref.type().loadsAs, n);
        int perChunk = CHUNK / ref.type().width;
        byte[] buf = new byte[perChunk * ref.type().width];
        CRC32 crc = new CRC32();
        try (InputStream in = zip.getInputStream(e)) {
            for (int at = 0; at < n; at += perChunk) {
                int c = Math.min(perChunk, n - at);
                int len = c * ref.type().width;
                if (in.readNBytes(buf, 0, len) != len) {
                    throw bad(path, "storage '" + ref.key() + "' is truncated: fewer than " + expected + " bytes");
                }
                crc.update(buf, 0, len);
                ref.type().decode(ByteBuffer.wrap(buf, 0, len).order(order), s, at, c);
            }
            if (in.read() != -1) {
                throw bad(path, "storage '" + ref.key() + "' has more than the " + expected + " bytes it needs");
            }
        } catch (EOFException ex) {
            throw pastEnd(path, e);
        }
        if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
            throw bad(path, "storage '" + ref.key() + "' is corrupted (CRC-32 mismatch)");
        }
        return s;
    }

    /** The JDK's zip reader says only "EOFException" when an entry's data lies past the end of the file. */
    private static IOException pastEnd(Path path, ZipEntry e) {
        return bad(path, "the data of '" + e.getName() + "' lies past the end of the file (truncated or corrupted?)");
    }

    private static void checkCrc(Path path, ZipEntry e, byte[] b, int len) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(b, 0, len);
        if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
            throw bad(path, "'" + e.getName() + "' is corrupted (CRC-32 mismatch)");
        }
    }

    // ---------------------------------------------------------------- legacy format

    private static Map<String, Tensor> readLegacy(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
                Arena arena = Arena.ofConfined()) {
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            BytesInput in = new BytesInput(file);
            Map<String, StorageRef> refs = new LinkedHashMap<>();
            Object magic = new TorchUnpickler(refs).load(in);
            if (!isInteger(magic) || !new BigInteger(magic.toString()).equals(MAGIC)) {
                throw bad(
                        path,
                        "not a PyTorch checkpoint: the leading pickle is " + TorchUnpickler.describe(magic)
                                + ", not the legacy magic number");
            }
            Object protocol = new TorchUnpickler(refs).load(in);
            if (!(protocol instanceof Number p) || p.longValue() != LEGACY_PROTOCOL) {
                throw bad(
                        path,
                        "unsupported legacy protocol version " + TorchUnpickler.describe(protocol) + " (expected "
                                + LEGACY_PROTOCOL + ")");
            }
            Object sysInfo = new TorchUnpickler(refs).load(in);
            ByteOrder order = sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))
                    ? ByteOrder.BIG_ENDIAN
                    : ByteOrder.LITTLE_ENDIAN;
            Object root = new TorchUnpickler(refs).load(in);
            Object keys = new TorchUnpickler(refs).load(in);
            if (!(keys instanceof List<?> keyList)) {
                throw bad(path, "the storage key list is a " + TorchUnpickler.describe(keys) + ", not a list");
            }
            Map<StorageRef, Storage> storages = new HashMap<>();
            for (Object k : keyList) {
                StorageRef ref = refs.get(k);
                if (ref == null || storages.containsKey(ref)) {
                    throw bad(
                            path,
                            "storage key " + TorchUnpickler.describe(k)
                                    + (ref == null ? " is used by no tensor" : " is listed twice"));
                }
                storages.put(ref, readLegacyStorage(path, in, ref, order));
            }
            for (StorageRef ref : refs.values()) {
                if (!storages.containsKey(ref)) {
                    throw bad(path, "storage '" + ref.key() + "' has no data in the file");
                }
            }
            return stateDict(path, root, storages);
        }
    }

    /** A pickled Python int (not a float, whose text BigInteger cannot parse). */
    private static boolean isInteger(Object o) {
        return o instanceof Integer || o instanceof Long || o instanceof BigInteger;
    }

    /** int64 element count, then the raw bytes. */
    private static Storage readLegacyStorage(Path path, BytesInput in, StorageRef ref, ByteOrder order)
            throws IOException {
        if (in.remaining() < 8) {
            throw bad(path, "truncated: storage '" + ref.key() + "' is missing");
        }
        long count = in.window(8, order).getLong();
        if (count != ref.numel()) {
            throw bad(
                    path,
                    "storage '" + ref.key() + "' holds " + count + " elements but is declared with " + ref.numel());
        }
        int n = checkedNumel(path, ref);
        long bytes = (long) n * ref.type().width;
        if (bytes > in.remaining()) {
            throw bad(
                    path,
                    "truncated: storage '" + ref.key() + "' needs " + bytes + " bytes but only " + in.remaining()
                            + " remain");
        }
        Storage s = Storage.allocate(ref.type().loadsAs, n);
        int perChunk = CHUNK / ref.type().width;
        for (int at = 0; at < n; at += perChunk) {
            int c = Math.min(perChunk, n - at);
            ref.type().decode(in.window(c * ref.type().width, order), s, at, c);
        }
        return s;
    }

    // ---------------------------------------------------------------- common

    private static int checkedNumel(Path path, StorageRef ref) throws IOException {
        if (ref.numel() > Integer.MAX_VALUE - 8) {
            throw bad(
                    path, "storage '" + ref.key() + "' has " + ref.numel() + " elements, more than a Java array holds");
        }
        long loaded = ref.numel() * ref.type().loadsAs.byteSize();
        String tooBig = InputLimits.checkTensorBytes("storage '" + ref.key() + "'", loaded);
        if (tooBig != null) {
            throw bad(path, tooBig);
        }
        return (int) ref.numel();
    }

    /** Checks the unpickled object is a dict of name to tensor and builds the tensors as storage views. */
    private static Map<String, Tensor> stateDict(Path path, Object root, Map<StorageRef, Storage> storages)
            throws IOException {
        if (!(root instanceof Map<?, ?> dict)) {
            throw bad(
                    path,
                    "the file holds " + TorchUnpickler.describe(root) + ", not a state dict "
                            + "(save one with torch.save(model.state_dict(), path))");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw bad(path, "state dict key " + TorchUnpickler.describe(e.getKey()) + " is not a string");
            }
            if (!(e.getValue() instanceof PendingTensor t)) {
                throw bad(
                        path,
                        "entry '" + key + "' holds " + TorchUnpickler.describe(e.getValue())
                                + ", not a tensor: expected a state dict as saved by "
                                + "torch.save(model.state_dict(), path)"
                                + (e.getValue() instanceof Map<?, ?>
                                        ? " (for a dict of state dicts, save each one)"
                                        : ""));
            }
            Storage s = storages.get(t.storage().root());
            out.put(key, TensorInternals.wrap(s, (int) (t.storage().offset() + t.offset()), t.size(), t.stride()));
        }
        return Collections.unmodifiableMap(out);
    }

    private static IOException pickleError(Path path, PickleException e) {
        String msg = e instanceof TorchUnpickler.FormatException
                ? e.getMessage()
                : "malformed pickle (" + e.getMessage() + ")";
        return new IOException("PyTorchCheckpoint: " + path + ": " + msg, e);
    }

    private static IOException bad(Path path, String why) {
        return new IOException("PyTorchCheckpoint: " + path + ": " + why);
    }
}
