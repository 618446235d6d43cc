package dev.torchlet.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounds on untrusted input (docs/security.md, {@link InputLimits}) and the fuzzers' findings,
 * one test each: every case is refused with an IOException that names the problem, before
 * anything large is allocated.
 */
class UntrustedInputTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static String error(Executable read) {
        IOException e = assertThrows(IOException.class, read);
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "blank message");
        return e.getMessage();
    }

    private String pthError(byte[] file) throws IOException {
        Path p = write("x.pt", file);
        return error(() -> PyTorchCheckpoint.read(p));
    }

    /** Runs {@code body} with a system property set, restoring the old value afterwards. */
    private static void withProperty(String name, String value, Executable body) throws Throwable {
        String old = System.getProperty(name);
        System.setProperty(name, value);
        try {
            body.execute();
        } finally {
            if (old == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, old);
            }
        }
    }

    private static byte[] oneTensorPickle(int numel) {
        return new PickleBytes()
                .proto(2)
                .orderedDict()
                .mark()
                .str("w")
                .tensor("FloatStorage", "0", numel, 0, new int[] {numel}, new int[] {1})
                .setItems()
                .stop()
                .bytes();
    }

    // ---------------------------------------------------------------- zip: declared sizes and bombs

    /** Sets the uncompressed size in the central directory record of the entry named {@code name}. */
    private static byte[] patchCentralSize(byte[] zip, String name, int size) {
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(zip.clone()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 < zip.length; i++) {
            if (b.getInt(i) == 0x02014b50 && b.getShort(i + 28) == key.length) {
                String n = new String(zip, i + 46, key.length, StandardCharsets.UTF_8);
                if (n.equals(name)) {
                    b.putInt(i + 24, size);
                    return b.array();
                }
            }
        }
        throw new IllegalArgumentException("no central directory record for " + name);
    }

    @Test
    void deflatedEntryClaimingAnImpossibleRatioIsRefused() throws IOException {
        byte[] zip = PickleBytes.torchZip(oneTensorPickle(2), Map.of("0", PickleBytes.floats(1, 2)));
        String msg = pthError(patchCentralSize(zip, "archive/data.pkl", Integer.MAX_VALUE - 16));
        assertTrue(msg.contains("a zip bomb?") || msg.contains("more than the"), msg);
    }

    @Test
    void storedEntryWhoseSizeDisagreesWithItsDataIsRefused() throws IOException {
        byte[] pickle = oneTensorPickle(4);
        byte[] zip = PyTorchZipFuzzTest.wrap(pickle); // entries STORED
        String msg = pthError(patchCentralSize(zip, "archive/data.pkl", pickle.length + 1));
        assertTrue(
                msg.contains("stored entry 'archive/data.pkl' declares " + (pickle.length + 1) + " bytes but holds "
                        + pickle.length),
                msg);
    }

    @Test
    void realBombStopsAtThePickleCeiling() throws Throwable {
        byte[] zeros = new byte[4 << 20]; // deflates about 1000:1, a legal ratio
        withProperty(InputLimits.MAX_PICKLE_BYTES, Integer.toString(1 << 20), () -> {
            String msg = pthError(PickleBytes.torchZip(zeros, Map.of()));
            assertTrue(msg.contains("more than the 1048576 allowed"), msg);
        });
    }

    @Test
    void storageAboveTheTensorCeilingIsRefusedBeforeAllocating() throws Throwable {
        byte[] file = PickleBytes.torchZip(oneTensorPickle(6), Map.of("0", PickleBytes.floats(0, 1, 2, 3, 4, 5)));
        withProperty(InputLimits.MAX_TENSOR_BYTES, "16", () -> {
            String msg = pthError(file);
            assertTrue(msg.contains("storage '0' needs 24 bytes") && msg.contains(InputLimits.MAX_TENSOR_BYTES), msg);
        });
    }

    /** Fuzzer finding: an entry whose data lies past the end made the JDK throw a bare EOFException. */
    @Test
    void entryDataPastTheEndOfTheFileIsNamed() throws IOException {
        for (String crash : new String[] {
            "crash-3dde099447c997f4fdbd1ec8b3bcaea595ebaede", "crash-4a6865e451024d663680183118d719859ac6ddea"
        }) {
            try (InputStream in = getClass().getResourceAsStream("PyTorchZipFuzzTestInputs/fuzz/" + crash)) {
                String msg = pthError(in.readAllBytes());
                assertTrue(msg.contains("lies past the end of the file"), msg);
            }
        }
    }

    // ---------------------------------------------------------------- pickles

    /** Fuzzer finding: a legacy file led by a float pickle (3.0, .41737052, ...) threw NumberFormatException. */
    @Test
    void legacyMagicThatIsAFloatIsNamed() throws IOException {
        for (String crash : new String[] {
            "crash-48c1347598a3daa827d612d73c03d27da96fa1bb",
            "crash-b6715c6960e73b29b79dfc81e4114fb4356d697b",
            "crash-eda790dc673f6d0182d509e40d6ab53424eff229"
        }) {
            try (InputStream in = getClass().getResourceAsStream("PyTorchLegacyFuzzTestInputs/fuzz/" + crash)) {
                String msg = pthError(in.readAllBytes());
                assertTrue(msg.contains("the leading pickle is float") && msg.contains("legacy magic number"), msg);
            }
        }
    }

    @Test
    void deeplyNestedTuplesAreRefused() throws IOException {
        PickleBytes p = new PickleBytes().proto(2).emptyTuple();
        for (int i = 0; i < 1000; i++) {
            p.op(0x85); // TUPLE1
        }
        String msg = pthError(PickleBytes.torchZip(p.stop().bytes(), Map.of()));
        assertTrue(msg.contains("tuples nested 65 deep") && msg.contains(InputLimits.MAX_PICKLE_DEPTH), msg);
    }

    @Test
    void setsAreRefused() throws IOException {
        String msg = pthError(
                PickleBytes.torchZip(new PickleBytes().proto(4).op(0x8f).stop().bytes(), Map.of())); // EMPTY_SET
        assertTrue(msg.contains("sets are not part of a state dict"), msg);
    }

    @Test
    void aListAsDictKeyIsRefusedRatherThanHashed() throws IOException {
        // {[...]: None} where the list contains itself: hashing it would recurse forever
        byte[] pkl = new PickleBytes()
                .proto(2)
                .emptyDict()
                .op(']') // EMPTY_LIST
                .op('q')
                .op(1) // BINPUT 1
                .op('h')
                .op(1) // BINGET 1
                .op('a') // APPEND: the list holds itself
                .op('N')
                .op('s') // SETITEM
                .stop()
                .bytes();
        String msg = pthError(PickleBytes.torchZip(pkl, Map.of()));
        assertTrue(msg.contains("dict key list is not a string or number"), msg);
    }

    @Test
    void aListAsOrderedDictKeyIsRefusedToo() throws IOException {
        // OrderedDict([([...], None)]) where the key list contains itself
        byte[] pkl = new PickleBytes()
                .proto(2)
                .global("collections", "OrderedDict")
                .op(']') // the list of pairs
                .op(']') // the key
                .op('q')
                .op(1)
                .op('h')
                .op(1)
                .op('a') // the key holds itself
                .op('N')
                .op(0x86) // TUPLE2: (key, None)
                .op('a')
                .op(0x85) // TUPLE1: the arguments
                .reduce()
                .stop()
                .bytes();
        String msg = pthError(PickleBytes.torchZip(pkl, Map.of()));
        assertTrue(msg.contains("dict key list is not a string or number"), msg);
    }

    @Test
    void razorvineFailuresOnMalformedOpcodesBecomeFormatErrors() throws IOException {
        byte[] pkl = new PickleBytes().proto(2).op('0').stop().bytes(); // POP on an empty stack
        String msg = pthError(PickleBytes.torchZip(pkl, Map.of()));
        assertTrue(msg.contains("malformed pickle before byte"), msg);
    }

    // ---------------------------------------------------------------- safetensors and npy

    private static byte[] safetensors(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length)
                .array());
        out.writeBytes(h);
        out.writeBytes(new byte[dataBytes]);
        return out.toByteArray();
    }

    @Test
    void deeplyNestedSafetensorsHeaderIsRefused() throws IOException {
        String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        Path p = write("deep.safetensors", safetensors(deep, 0));
        String msg = error(() -> SafeTensors.read(p));
        assertTrue(msg.contains("header is not valid JSON") && msg.contains("nesting depth"), msg);
    }

    @Test
    void safetensorsTensorAboveTheCeilingIsRefused() throws Throwable {
        Path p = write(
                "big.safetensors",
                safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16));
        withProperty(InputLimits.MAX_TENSOR_BYTES, "8", () -> {
            String msg = error(() -> SafeTensors.read(p));
            assertTrue(msg.contains("tensor 'w' needs 16 bytes"), msg);
        });
    }

    private static byte[] npy(String shape) {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.writeBytes(new byte[] {(byte) header.length(), (byte) (header.length() >> 8)});
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[16]);
        return out.toByteArray();
    }

    @Test
    void npyShapeThatOverflowsIsRefused() throws IOException {
        Path huge = write("huge.npy", npy("99999999999, 2"));
        assertTrue(error(() -> Npy.read(huge)).contains("is not an int"));
        Path overflow = write("overflow.npy", npy("65536, 65536, 4"));
        String msg = error(() -> Npy.read(overflow));
        assertTrue(msg.contains("too many elements"), msg);
        Path wraps = write("wraps.npy", npy("65536, 65537")); // 2^32 + 65536 elements: wrapped to 65536 in int
        assertTrue(error(() -> Npy.read(wraps)).contains("16 data bytes"));
    }
}
