package dev.torchlet.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** torch.save'd state dicts (zip and legacy, written by PyTorch 1.13 via tools/golden/gen_io.py). */
class PyTorchCheckpointTest {
    @TempDir
    Path dir;

    static Path resource(String name) throws Exception {
        return Path.of(PyTorchCheckpointTest.class.getResource("/io/" + name).toURI());
    }

    /** Same keys in the same order, same dtypes, bit-identical values. */
    private static void assertStateEquals(SafeTensors.Contents expected, Map<String, Tensor> actual) {
        List<String> keys = expected.tensors().keySet().stream()
                .filter(k -> k.startsWith("state."))
                .map(k -> k.substring("state.".length()))
                .toList();
        assertEquals(List.of(expected.metadata().get("keys").split(",")), keys, "fixture sanity");
        assertEquals(keys, List.copyOf(actual.keySet()), "state dict order");
        for (String k : keys) {
            Tensor e = expected.tensors().get("state." + k);
            assertEquals(e.dtype(), actual.get(k).dtype(), k);
            Golden.assertClose(e, actual.get(k), 0, 0, k);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp.pt", "mlp_legacy.pt"})
    void mlpStateDictLoadsIntoSequentialAndMatchesPyTorchOutput(String file) throws Exception {
        Map<String, Tensor> sd = PyTorchCheckpoint.read(resource(file));
        SafeTensors.Contents expected = SafeTensors.readWithMetadata(resource("mlp_expected.safetensors"));
        assertStateEquals(expected, sd);

        Sequential model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        model.loadStateDict(sd);
        Tensor y = model.forward(expected.tensors().get("input"));
        // float32 Linear layers of width <= 4: only summation order differs from PyTorch
        Golden.assertClose(expected.tensors().get("output"), y, 1e-6, 1e-5, "forward of " + file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"convbn.pt", "convbn_legacy.pt"})
    void convBatchNormStateDictIncludingInt64Counter(String file) throws Exception {
        Map<String, Tensor> sd = PyTorchCheckpoint.read(resource(file));
        assertStateEquals(SafeTensors.readWithMetadata(resource("convbn_expected.safetensors")), sd);
        assertEquals(
                List.of(
                        "0.weight",
                        "0.bias",
                        "1.weight",
                        "1.bias",
                        "1.running_mean",
                        "1.running_var",
                        "1.num_batches_tracked"),
                List.copyOf(sd.keySet()));
        Tensor n = sd.get("1.num_batches_tracked");
        assertEquals(DType.INT64, n.dtype());
        assertEquals(0, n.dim());
        assertArrayEquals(new long[] {3}, n.toLongArray());
        assertArrayEquals(new int[] {2, 1, 3, 3}, sd.get("0.weight").shape());

        // the same state dict drives the equivalent Torchlet model to PyTorch's eval output
        Sequential model = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new ReLU());
        model.loadStateDict(sd);
        model.eval();
        SafeTensors.Contents expected = SafeTensors.readWithMetadata(resource("convbn_expected.safetensors"));
        Tensor y = model.forward(expected.tensors().get("input"));
        Golden.assertClose(expected.tensors().get("eval_output"), y, 1e-6, 1e-5, "eval forward of " + file);
    }

    @Test
    void viewsKeepOffsetsStridesAndSharedStorage() throws Exception {
        Map<String, Tensor> sd = PyTorchCheckpoint.read(resource("views_dtypes.pt"));
        Map<String, Tensor> expected = SafeTensors.read(resource("views_dtypes_expected.safetensors"));
        assertEquals(expected.keySet(), sd.keySet());
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue().dtype(), sd.get(e.getKey()).dtype(), e.getKey());
            Golden.assertClose(e.getValue(), sd.get(e.getKey()), 0, 0, e.getKey());
        }
        Tensor base = sd.get("base");
        Tensor transposed = sd.get("transposed");
        Tensor narrowed = sd.get("narrowed");
        Tensor strided = sd.get("strided");
        assertSame(TensorInternals.storage(base), TensorInternals.storage(transposed), "one storage, as in PyTorch");
        assertSame(TensorInternals.storage(base), TensorInternals.storage(narrowed));
        assertSame(TensorInternals.storage(base), TensorInternals.storage(strided));
        assertArrayEquals(new int[] {1, 5}, transposed.strides());
        assertEquals(7, narrowed.offset());
        assertArrayEquals(new int[] {10, 3}, strided.strides());
        assertArrayEquals(new int[] {0, 3}, sd.get("empty").shape());
        assertEquals(0, sd.get("scalar").dim());
        assertArrayEquals(
                new float[] {1f, -2.5f, 65504f, Float.float16ToFloat(Float.floatToFloat16(0.1f))},
                sd.get("f16").toFloatArray(),
                0f);
        assertArrayEquals(new long[] {0, 200, 255}, sd.get("u8").toLongArray());
        assertArrayEquals(new long[] {-128, 127}, sd.get("i8").toLongArray());
        assertArrayEquals(new boolean[] {true, false, true}, sd.get("bool").toBooleanArray());
    }

    @Test
    void parametersSavedWithKeepVars() throws Exception {
        Map<String, Tensor> sd = PyTorchCheckpoint.read(resource("parameters.pt"));
        Map<String, Tensor> expected = SafeTensors.read(resource("parameters_expected.safetensors"));
        assertEquals(List.of("weight", "bias"), List.copyOf(sd.keySet()));
        for (var e : expected.entrySet()) {
            Golden.assertClose(e.getValue(), sd.get(e.getKey()), 0, 0, e.getKey());
        }
    }

    @Test
    void handBuiltArchiveHonorsOffsetAndStride() throws IOException {
        // storage [0, 1, 2, 3, 4, 5]; tensor = storage[1:].as_strided((2, 2), (1, 2)) = [[1, 3], [2, 4]]
        byte[] pkl = new PickleBytes()
                .proto(2)
                .orderedDict()
                .mark()
                .str("w")
                .tensor("FloatStorage", "0", 6, 1, new int[] {2, 2}, new int[] {1, 2})
                .setItems()
                .stop()
                .bytes();
        Path p = write("hand.pt", PickleBytes.torchZip(pkl, Map.of("0", PickleBytes.floats(0, 1, 2, 3, 4, 5))));
        Tensor w = PyTorchCheckpoint.read(p).get("w");
        assertArrayEquals(new float[] {1, 3, 2, 4}, w.toFloatArray(), 0f);
    }

    @Test
    void largeStorageStreamsThroughSeveralWindows() throws IOException {
        int n = 600_001; // 2.4 MB of float32: several 1 MiB read windows, odd tail
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.5f - 7;
        }
        byte[] pkl = new PickleBytes()
                .proto(2)
                .orderedDict()
                .mark()
                .str("w")
                .tensor("FloatStorage", "0", n, 0, new int[] {n}, new int[] {1})
                .setItems()
                .stop()
                .bytes();
        Path p = write("big.pt", PickleBytes.torchZip(pkl, Map.of("0", PickleBytes.floats(v))));
        assertArrayEquals(v, PyTorchCheckpoint.read(p).get("w").toFloatArray(), 0f);
    }

    // ---------------------------------------------------------------- malicious files

    @Test
    void torchSavedMaliciousObjectIsRefusedAndNothingRuns() throws Exception {
        Path marker = Path.of("/tmp/torchlet-pwned");
        Files.deleteIfExists(marker);
        IOException e = assertThrows(IOException.class, () -> PyTorchCheckpoint.read(resource("malicious.pt")));
        // os.system pickles as posix.system on Linux
        assertTrue(e.getMessage().contains("refusing to load 'posix.system'"), e.getMessage());
        assertTrue(e.getMessage().contains("only state-dict classes are allowed"), e.getMessage());
        assertTrue(Files.notExists(marker), "the payload must not have run");
    }

    private String refused(byte[] pickle) throws IOException {
        Path p = write("evil.pt", PickleBytes.torchZip(pickle, Map.of()));
        IOException e = assertThrows(IOException.class, () -> PyTorchCheckpoint.read(p));
        assertTrue(e.getMessage().startsWith("PyTorchCheckpoint: " + p + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void globalToOsSystemIsRefused() throws IOException {
        byte[] pkl = new PickleBytes()
                .proto(2)
                .global("os", "system")
                .mark()
                .str("touch /tmp/x")
                .tuple()
                .reduce()
                .stop()
                .bytes();
        String msg = refused(pkl);
        assertTrue(msg.contains("refusing to load 'os.system': only state-dict classes are allowed"), msg);
    }

    @Test
    void stackGlobalToBuiltinsEvalIsRefused() throws IOException {
        // protocol 4: STACK_GLOBAL (0x93) takes module and name from the stack
        byte[] pkl = new PickleBytes()
                .proto(4)
                .str("builtins")
                .str("eval")
                .op(0x93)
                .mark()
                .str("__import__('os').system('id')")
                .tuple()
                .reduce()
                .stop()
                .bytes();
        assertTrue(refused(pkl).contains("refusing to load 'builtins.eval'"));
    }

    @Test
    void globalInsideAStateDictValueIsRefusedEvenIfNeverCalled() throws IOException {
        byte[] pkl = new PickleBytes()
                .proto(2)
                .orderedDict()
                .mark()
                .str("w")
                .global("subprocess", "Popen")
                .setItems()
                .stop()
                .bytes();
        assertTrue(refused(pkl).contains("refusing to load 'subprocess.Popen'"));
    }

    @Test
    void instAndExtensionOpcodesAreRefused() throws IOException {
        byte[] inst = new PickleBytes()
                .mark()
                .str("id")
                .op('i')
                .raw("os\nsystem\n".getBytes())
                .stop()
                .bytes();
        assertTrue(refused(inst).contains("refusing to load 'os.system'"));
        byte[] ext = new PickleBytes().proto(2).op(0x82).op(1).stop().bytes();
        assertTrue(refused(ext).contains("extension registry"));
    }

    @Test
    void buildOnAnythingButOrderedDictIsRefused() throws IOException {
        byte[] pkl = new PickleBytes()
                .proto(2)
                .emptyDict()
                .emptyDict()
                .build()
                .stop()
                .bytes();
        assertTrue(refused(pkl).contains("refusing to set the state of a dict"));
    }

    @Test
    void unsupportedStorageTypeIsNamed() throws IOException {
        byte[] pkl = new PickleBytes()
                .proto(2)
                .orderedDict()
                .mark()
                .str("z")
                .tensor("ComplexFloatStorage", "0", 1, 0, new int[] {1}, new int[] {1})
                .setItems()
                .stop()
                .bytes();
        assertTrue(refused(pkl).contains("storage type 'torch.ComplexFloatStorage' is not supported"));
    }

    // ---------------------------------------------------------------- corrupt files

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private String error(Path p) {
        IOException e = assertThrows(IOException.class, () -> PyTorchCheckpoint.read(p));
        assertTrue(e.getMessage().startsWith("PyTorchCheckpoint: " + p + ": "), e.getMessage());
        return e.getMessage();
    }

    private static byte[] oneTensor(int numel, int offset, int[] size, int[] stride) {
        return new PickleBytes()
                .proto(2)
                .orderedDict()
                .mark()
                .str("w")
                .tensor("FloatStorage", "0", numel, offset, size, stride)
                .setItems()
                .stop()
                .bytes();
    }

    @Test
    void tensorReachingPastItsStorageIsRefused() throws IOException {
        byte[] data = PickleBytes.floats(0, 1, 2, 3, 4, 5);
        String msg = error(write(
                "oob.pt",
                PickleBytes.torchZip(oneTensor(6, 3, new int[] {2, 2}, new int[] {2, 1}), Map.of("0", data))));
        assertTrue(msg.contains("reaches element 6 of storage '0', which has 6 elements"), msg);
        msg = error(write(
                "off.pt", PickleBytes.torchZip(oneTensor(6, 9, new int[] {0}, new int[] {1}), Map.of("0", data))));
        assertTrue(msg.contains("storage offset 9 is past the end"), msg);
        msg = error(write(
                "rank.pt", PickleBytes.torchZip(oneTensor(6, 0, new int[] {2, 3}, new int[] {3}), Map.of("0", data))));
        assertTrue(msg.contains("have different lengths"), msg);
    }

    @Test
    void storageBytesMissingOrWrongSize() throws IOException {
        byte[] pkl = oneTensor(6, 0, new int[] {6}, new int[] {1});
        assertTrue(
                error(write("missing.pt", PickleBytes.torchZip(pkl, Map.of()))).contains("is missing"));
        String msg = error(write("short.pt", PickleBytes.torchZip(pkl, Map.of("0", PickleBytes.floats(1, 2)))));
        assertTrue(msg.contains("storage '0' has 8 bytes but FloatStorage of 6 elements needs 24"), msg);
    }

    @Test
    void truncatedOrCorruptedFiles() throws Exception {
        byte[] zip = Files.readAllBytes(resource("mlp.pt"));
        assertTrue(error(write("cut.pt", Arrays.copyOf(zip, zip.length / 2))).contains("not a readable zip archive"));

        // flip one byte inside a stored (uncompressed) storage: the CRC-32 catches it
        byte[] storage;
        try (ZipFile z = new ZipFile(resource("mlp.pt").toFile())) {
            storage = z.getInputStream(z.getEntry("mlp/data/0")).readAllBytes();
        }
        int at = indexOf(zip, storage);
        assertTrue(at > 0);
        byte[] flipped = zip.clone();
        flipped[at + 5] ^= 0x10;
        assertTrue(error(write("flip.pt", flipped)).contains("corrupted (CRC-32 mismatch)"));

        byte[] legacy = Files.readAllBytes(resource("mlp_legacy.pt"));
        String msg = error(write("cut_legacy.pt", Arrays.copyOf(legacy, legacy.length - 10)));
        assertTrue(msg.contains("truncated"), msg);
        msg = error(write("cut_legacy_pickle.pt", Arrays.copyOf(legacy, 200)));
        assertTrue(msg.contains("truncated or corrupt pickle"), msg);

        assertTrue(error(write("text.pt", "hello world".getBytes())).contains("not a PyTorch checkpoint"));
        assertTrue(error(write("tiny.pt", new byte[] {1})).contains("too short"));
    }

    @Test
    void lengthPrefixPastTheEndIsRefusedBeforeAllocating() throws IOException {
        byte[] pkl = new PickleBytes()
                .proto(2)
                .op('X')
                .raw(PickleBytes.le4(2_000_000_000))
                .raw("ab".getBytes())
                .bytes();
        String msg = error(write("len.pt", PickleBytes.torchZip(pkl, Map.of())));
        assertTrue(msg.contains("claims 2000000000 bytes but only 2 remain"), msg);
    }

    @Test
    void notAStateDict() throws IOException {
        byte[] list = new PickleBytes().proto(2).op(']').stop().bytes();
        assertTrue(
                error(write("list.pt", PickleBytes.torchZip(list, Map.of()))).contains("holds list, not a state dict"));
        byte[] epoch = new PickleBytes()
                .proto(2)
                .emptyDict()
                .mark()
                .str("epoch")
                .integer(3)
                .setItems()
                .stop()
                .bytes();
        String msg = error(write("epoch.pt", PickleBytes.torchZip(epoch, Map.of())));
        assertTrue(msg.contains("entry 'epoch' holds int 3, not a tensor"), msg);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
