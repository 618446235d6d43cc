package dev.torchlet.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, an independent spec-level reader, a Python-written file, and atomic writes. */
class SafeTensorsTest {
    @TempDir
    Path dir;

    /**
     * A deliberately independent reader of the published format, written from the spec alone:
     * u64 LE header length N, N bytes of JSON starting with '{' (space padded), data tiled exactly
     * by the offsets. Returns name -> raw little-endian bytes, and fills dtypes/shapes/metadata.
     */
    static final class SpecReader {
        final Map<String, byte[]> raw = new LinkedHashMap<>();
        final Map<String, String> dtypes = new LinkedHashMap<>();
        final Map<String, long[]> shapes = new LinkedHashMap<>();
        final Map<String, String> metadata = new LinkedHashMap<>();
        final long headerLength;

        SpecReader(byte[] file) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            headerLength = b.getLong(0);
            assertTrue(headerLength > 0 && 8 + headerLength <= file.length, "header length in range");
            String header = new String(file, 8, (int) headerLength, StandardCharsets.UTF_8);
            assertEquals('{', header.charAt(0), "header starts with '{'");
            assertEquals(header.stripTrailing().length(), header.trim().length(), "only trailing padding");
            JsonNode root = new ObjectMapper().readTree(header);
            long dataStart = 8 + headerLength;
            long covered = 0;
            List<long[]> ranges = new ArrayList<>();
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                JsonNode info = root.get(name);
                if (name.equals("__metadata__")) {
                    info.fields()
                            .forEachRemaining(
                                    e -> metadata.put(e.getKey(), e.getValue().textValue()));
                    continue;
                }
                long[] shape = new long[info.get("shape").size()];
                long numel = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = info.get("shape").get(i).longValue();
                    numel *= shape[i];
                }
                long begin = info.get("data_offsets").get(0).longValue();
                long end = info.get("data_offsets").get(1).longValue();
                int width = switch (info.get("dtype").textValue()) {
                    case "F64", "I64" -> 8;
                    case "F32", "I32" -> 4;
                    case "F16", "BF16", "I16" -> 2;
                    case "U8", "I8", "BOOL" -> 1;
                    default -> throw new AssertionError("dtype " + info.get("dtype"));
                };
                assertEquals(numel * width, end - begin, name + ": byte count");
                ranges.add(new long[] {begin, end});
                byte[] bytes = new byte[(int) (end - begin)];
                System.arraycopy(file, (int) (dataStart + begin), bytes, 0, bytes.length);
                raw.put(name, bytes);
                dtypes.put(name, info.get("dtype").textValue());
                shapes.put(name, shape);
            }
            ranges.sort((x, y) -> Long.compare(x[0], y[0]));
            for (long[] r : ranges) {
                assertEquals(covered, r[0], "no gaps or overlaps");
                covered = r[1];
            }
            assertEquals(file.length - dataStart, covered, "data fully covered");
        }

        ByteBuffer le(String name) {
            return ByteBuffer.wrap(raw.get(name)).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f32", Torch.tensor(new float[] {1.5f, -2.25f, Float.MAX_VALUE, Float.MIN_VALUE, 0f, -0f}, 2, 3));
        m.put("f64", Torch.tensor(new double[] {Math.PI, -1e300, Double.MIN_VALUE}, 3));
        m.put("i64", Torch.tensor(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, 2, 2));
        m.put("bool", Torch.tensor(new boolean[] {true, false, false, true, true}, 5));
        m.put("scalar", Torch.full(DType.FLOAT64, 0.125));
        m.put("empty", Torch.zeros(0, 4));
        return m;
    }

    @Test
    void roundTripsNativeDtypesExactly() throws IOException {
        Path p = dir.resolve("native.safetensors");
        Map<String, Tensor> in = sample();
        SafeTensors.write(in, Map.of("epoch", "3", "note", "ünïcode ✓"), p);
        SafeTensors.Contents out = SafeTensors.readWithMetadata(p);
        assertEquals(List.copyOf(in.keySet()), List.copyOf(out.tensors().keySet()), "header order kept");
        assertEquals(Map.of("epoch", "3", "note", "ünïcode ✓"), out.metadata());
        for (var e : in.entrySet()) {
            Tensor got = out.tensors().get(e.getKey());
            assertEquals(e.getValue().dtype(), got.dtype(), e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertArrayEquals(e.getValue().toDoubleArray(), got.toDoubleArray(), 0.0, e.getKey());
        }
        assertArrayEquals(in.get("i64").toLongArray(), out.tensors().get("i64").toLongArray());
    }

    @Test
    void roundTripsEveryStorableDtype() throws IOException {
        Path p = dir.resolve("all.safetensors");
        float[] vals = {0f, 1f, -2.5f, 0.1f, 65504f, 1e-8f, Float.NaN, Float.POSITIVE_INFINITY};
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("as_f16", Torch.tensor(vals, 8));
        in.put("as_bf16", Torch.tensor(vals, 8));
        in.put("as_i32", Torch.tensor(new long[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, 4));
        in.put("as_i16", Torch.tensor(new long[] {Short.MIN_VALUE, Short.MAX_VALUE}, 2));
        in.put("as_i8", Torch.tensor(new long[] {-128, 127}, 2));
        in.put("as_u8", Torch.tensor(new long[] {0, 17, 255}, 3));
        in.put("as_bool", Torch.tensor(new boolean[] {true, false}, 2));
        in.put("f32_as_f64", Torch.tensor(new float[] {0.1f}, 1));
        in.put("float_as_i32", Torch.tensor(new float[] {-3f, 42f}, 2));
        Map<String, String> storeAs = Map.of(
                "as_f16",
                "F16",
                "as_bf16",
                "BF16",
                "as_i32",
                "I32",
                "as_i16",
                "I16",
                "as_i8",
                "I8",
                "as_u8",
                "U8",
                "f32_as_f64",
                "F64",
                "float_as_i32",
                "I32");
        SafeTensors.write(in, Map.of(), storeAs, p);

        SpecReader spec = new SpecReader(Files.readAllBytes(p));
        assertEquals("F16", spec.dtypes.get("as_f16"));
        assertEquals("BF16", spec.dtypes.get("as_bf16"));
        assertEquals("BOOL", spec.dtypes.get("as_bool"));
        // F16 bits are exactly IEEE binary16 (1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff)
        assertEquals((short) 0x3c00, spec.le("as_f16").getShort(2));
        assertEquals((short) 0xc100, spec.le("as_f16").getShort(4));
        assertEquals((short) 0x7bff, spec.le("as_f16").getShort(8));
        // BF16 is the rounded top half of the float32: 0.1f = 0x3dcccccd rounds to 0x3dcd
        assertEquals((short) 0x3dcd, spec.le("as_bf16").getShort(6));
        assertEquals(Integer.MIN_VALUE, spec.le("as_i32").getInt(0));
        assertEquals((byte) 255, spec.raw.get("as_u8")[2]);

        Map<String, Tensor> out = SafeTensors.read(p);
        float[] f16 = out.get("as_f16").toFloatArray();
        float[] bf16 = out.get("as_bf16").toFloatArray();
        for (int i = 0; i < vals.length; i++) {
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(vals[i])), f16[i], 0f, "f16 " + i);
            float expectBf = Float.intBitsToFloat((ElementType.toBFloat16(vals[i]) & 0xffff) << 16);
            assertEquals(expectBf, bf16[i], 0f, "bf16 " + i);
        }
        assertEquals(0.1f, bf16[3], 0.1f / 128, "bf16 keeps 8 significant bits");
        assertEquals(DType.FLOAT32, out.get("as_f16").dtype());
        assertEquals(DType.INT64, out.get("as_u8").dtype());
        assertArrayEquals(in.get("as_i32").toLongArray(), out.get("as_i32").toLongArray());
        assertArrayEquals(in.get("as_i16").toLongArray(), out.get("as_i16").toLongArray());
        assertArrayEquals(in.get("as_i8").toLongArray(), out.get("as_i8").toLongArray());
        assertArrayEquals(in.get("as_u8").toLongArray(), out.get("as_u8").toLongArray());
        assertArrayEquals(new boolean[] {true, false}, out.get("as_bool").toBooleanArray());
        assertEquals((double) 0.1f, out.get("f32_as_f64").toDoubleArray()[0], 0.0);
        assertArrayEquals(new long[] {-3, 42}, out.get("float_as_i32").toLongArray());
    }

    @Test
    void independentSpecReaderAgreesWithWriter() throws IOException {
        Path p = dir.resolve("spec.safetensors");
        Map<String, Tensor> in = sample();
        SafeTensors.write(in, Map.of("k", "v"), p);
        byte[] file = Files.readAllBytes(p);
        SpecReader spec = new SpecReader(file);
        assertEquals(0, spec.headerLength % 8, "data aligned to 8 bytes like the reference writer");
        assertEquals(Map.of("k", "v"), spec.metadata);
        assertEquals(List.of("f32", "f64", "i64", "bool", "scalar", "empty"), List.copyOf(spec.raw.keySet()));
        assertArrayEquals(new long[] {2, 3}, spec.shapes.get("f32"));
        assertArrayEquals(new long[] {}, spec.shapes.get("scalar"));
        assertArrayEquals(new long[] {0, 4}, spec.shapes.get("empty"));
        assertEquals(
                Map.of("f32", "F32", "f64", "F64", "i64", "I64", "bool", "BOOL", "scalar", "F64", "empty", "F32"),
                spec.dtypes);
        float[] f = in.get("f32").toFloatArray();
        for (int i = 0; i < f.length; i++) {
            assertEquals(Float.floatToRawIntBits(f[i]), spec.le("f32").getInt(4 * i), "f32 bits " + i);
        }
        assertEquals(Math.PI, spec.le("f64").getDouble(0), 0.0);
        assertEquals(Long.MIN_VALUE, spec.le("i64").getLong(0));
        assertArrayEquals(new byte[] {1, 0, 0, 1, 1}, spec.raw.get("bool"));
        assertEquals(0.125, spec.le("scalar").getDouble(0), 0.0);
        assertEquals(0, spec.raw.get("empty").length);
    }

    @Test
    void writesNonContiguousViewsByValue() throws IOException {
        Path p = dir.resolve("views.safetensors");
        Tensor base = Torch.arange(12).to(DType.FLOAT32).reshape(3, 4);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("t", base.t()); // (4, 3), strides (1, 4)
        in.put("narrow", base.narrow(0, 1, 2)); // offset 4
        in.put("sliced", base.slice(1, 0, 4, 2));
        SafeTensors.write(in, p);
        Map<String, Tensor> out = SafeTensors.read(p);
        for (var e : in.entrySet()) {
            assertArrayEquals(e.getValue().shape(), out.get(e.getKey()).shape());
            assertArrayEquals(e.getValue().toFloatArray(), out.get(e.getKey()).toFloatArray(), 0f, e.getKey());
        }
        assertArrayEquals(
                new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, out.get("t").toFloatArray(), 0f);
    }

    @Test
    void tensorsSpanningSeveralMappedWindowsRoundTrip() throws IOException {
        // 700_001 floats = 2.8 MB: crosses the 1 MiB decode/encode windows at odd element counts
        int n = 700_001;
        float[] v = new float[n];
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i) * i;
            l[i] = (long) i * 7919 - 3;
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("head", Torch.tensor(new boolean[] {true}, 1)); // puts the next tensors at odd offsets
        in.put("f32", Torch.tensor(v, n));
        in.put("f16", Torch.tensor(v, n));
        in.put("i64", Torch.tensor(l, n));
        Path p = dir.resolve("big.safetensors");
        SafeTensors.write(in, Map.of(), Map.of("f16", "F16"), p);
        Map<String, Tensor> out = SafeTensors.read(p);
        assertArrayEquals(v, out.get("f32").toFloatArray(), 0f);
        assertArrayEquals(l, out.get("i64").toLongArray());
        float[] h = out.get("f16").toFloatArray();
        for (int i = 0; i < n; i += 997) {
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(v[i])), h[i], 0f, "f16 " + i);
        }
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(v[n - 1])), h[n - 1], 0f);
    }

    @Test
    void readsFileWrittenByPython() throws Exception {
        Path p = Path.of(SafeTensorsTest.class
                .getResource("/io/python_written.safetensors")
                .toURI());
        SafeTensors.Contents c = SafeTensors.readWithMetadata(p);
        assertEquals(Map.of("format", "pt", "source", "gen_io.py"), c.metadata());
        Map<String, Tensor> expected = SafeTensors.read(Path.of(SafeTensorsTest.class
                .getResource("/io/python_written_expected.safetensors")
                .toURI()));
        assertEquals(expected.keySet(), c.tensors().keySet());
        for (var e : expected.entrySet()) {
            Tensor got = c.tensors().get(e.getKey());
            assertEquals(e.getValue().dtype(), got.dtype(), e.getKey());
            // exact: F16/BF16 widen to float32 losslessly, integers to int64
            Golden.assertClose(e.getValue(), got, 0, 0, e.getKey());
        }
        assertArrayEquals(
                new float[] {1.5f, -2.0f, Float.intBitsToFloat(0x61820000)},
                c.tensors().get("brain").toFloatArray(),
                0f,
                "bf16 3e20 rounds to 0x6182");
        assertArrayEquals(new long[] {0, 17, 255}, c.tensors().get("bytes").toLongArray());
        assertArrayEquals(
                new boolean[] {true, false, false, true},
                c.tensors().get("mask").toBooleanArray());
        SafeTensors.Header h = SafeTensors.header(p);
        assertEquals("F16", h.tensors().get("half").dtype());
        assertEquals("I32", h.tensors().get("ints").dtype());
    }

    // ---------------------------------------------------------------- atomic writes

    private long tempFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".tmp")).count();
        }
    }

    @Test
    void failedWriteLeavesExistingFileUntouchedAndNoTempFile() throws IOException {
        Path p = dir.resolve("model.safetensors");
        SafeTensors.write(sample(), p);
        byte[] before = Files.readAllBytes(p);
        // the second tensor fails to encode (300 is no U8) after the header and first tensor were written
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("ok", Torch.ones(1000));
        in.put("bad", Torch.tensor(new long[] {1, 2, 300}, 3));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> SafeTensors.write(in, Map.of(), Map.of("bad", "U8"), p));
        assertTrue(
                e.getMessage().contains("'bad'")
                        && e.getMessage().contains("300")
                        && e.getMessage().contains("U8"),
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p), "existing file untouched");
        assertEquals(0, tempFiles(), "no temp file left behind");
    }

    @Test
    void failedRenameLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("occupied");
        Files.createDirectories(target.resolve("child")); // a non-empty directory cannot be replaced
        assertThrows(IOException.class, () -> SafeTensors.write(sample(), target));
        assertTrue(Files.isDirectory(target.resolve("child")));
        assertEquals(0, tempFiles());
    }

    @Test
    void rejectsBadWriteArguments() {
        Path p = dir.resolve("x.safetensors");
        var m = Map.of("__metadata__", Torch.ones(1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(m, p))
                .getMessage()
                .contains("__metadata__"));
        var one = Map.of("a", Torch.ones(2));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> SafeTensors.write(one, Map.of(), Map.of("a", "F8_E4M3"), p))
                .getMessage()
                .contains("F8_E4M3"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> SafeTensors.write(one, Map.of(), Map.of("b", "F16"), p))
                .getMessage()
                .contains("'b'"));
        var frac = Map.of("a", Torch.tensor(new float[] {0.5f}, 1));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> SafeTensors.write(frac, Map.of(), Map.of("a", "I32"), p))
                .getMessage()
                .contains("0.5"));
        assertTrue(Files.notExists(p));
    }
}
