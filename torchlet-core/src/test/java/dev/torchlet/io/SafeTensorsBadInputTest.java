package dev.torchlet.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Torch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file is refused with an IOException that says what is wrong (bytes crafted here). */
class SafeTensorsBadInputTest {
    @TempDir
    Path dir;

    /** 8-byte LE length + header + data. */
    private static byte[] file(long headerLength, String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(headerLength)
                .array());
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] file(String header, int dataBytes) {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, new byte[dataBytes]);
    }

    private String error(byte[] bytes) throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, bytes);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().startsWith("safetensors: " + p + ": "), e.getMessage());
        return e.getMessage();
    }

    private void assertError(byte[] bytes, String... fragments) throws IOException {
        String msg = error(bytes);
        for (String f : fragments) {
            assertTrue(msg.contains(f), "'" + msg + "' should contain '" + f + "'");
        }
    }

    private static final String ONE = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void validFileOfTheCraftedShapeReads() throws IOException {
        // guards the helpers: the same bytes with a correct header do load
        Path p = dir.resolve("ok.safetensors");
        byte[] data = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(1.5f)
                .putFloat(-2f)
                .array();
        Files.write(p, file(ONE.length(), ONE, data));
        assertEquals(-2f, SafeTensors.read(p).get("a").toFloatArray()[1], 0f);
    }

    @Test
    void tooShortForTheLengthPrefix() throws IOException {
        assertError(new byte[] {1, 2, 3}, "3 bytes", "8-byte header length");
        assertError(new byte[0], "0 bytes");
    }

    @Test
    void headerLengthPastTheEnd() throws IOException {
        assertError(file(1000, ONE, new byte[8]), "header length 1000 points past the end");
        assertError(file(-1, ONE, new byte[8]), "18446744073709551615", "exceeds the limit");
        assertError(file(200_000_000L, ONE, new byte[8]), "exceeds the limit of 100000000");
        assertError(file(1, "{", new byte[0]), "too small");
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] full = file(ONE, 8);
        // cut inside the data: the offsets now point past the end of the data
        assertError(Arrays.copyOf(full, full.length - 3), "data_offsets [0, 8] outside the 5 data bytes");
        // cut inside the header
        assertError(Arrays.copyOf(full, 20), "points past the end");
    }

    @Test
    void corruptedHeader() throws IOException {
        assertError(file("[1,2,3]   ", 0), "must start with '{'");
        assertError(file("{\"a\": {\"dtype\": ", 0), "not valid JSON");
        assertError(file(ONE + "garbage", 8), "not valid JSON");
        byte[] invalidUtf8 = file(ONE, 8);
        invalidUtf8[10] = (byte) 0xff;
        assertError(invalidUtf8, "not valid UTF-8");
        assertError(file("{\"a\": 3}", 0), "needs dtype, shape and data_offsets");
        assertError(file("{\"__metadata__\": {\"epoch\": 3}}", 0), "must be a string");
        assertError(file("{\"__metadata__\": [1]}", 0), "__metadata__ must be an object");
        // duplicate names would let one entry hide another
        assertError(
                file(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        8),
                "not valid JSON",
                "'a'");
    }

    @Test
    void unknownDtype() throws IOException {
        assertError(
                file("{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a'",
                "unknown or unsupported dtype \"F33\"");
        assertError(file("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2), "\"F8_E4M3\"");
        assertError(file("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "dtype 4");
    }

    @Test
    void badShapes() throws IOException {
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "invalid size -2");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8), "invalid size 2.5");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8), "malformed shape");
        assertError(
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", 8),
                "more than 2147483647 elements");
        // shape and byte count disagree
        assertError(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "needs 12 bytes but its data_offsets [0, 8] span 8");
    }

    @Test
    void outOfBoundsOffsets() throws IOException {
        assertError(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8),
                "data_offsets [8, 16] outside the 8 data bytes");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8), "outside");
        assertError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8), "[8, 0]");
        assertError(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8), "malformed data_offsets");
        assertError(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999]}}", 8),
                "malformed data_offsets");
    }

    @Test
    void overlappingGapsAndTrailingBytes() throws IOException {
        assertError(
                file(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        12),
                "overlap",
                "'a' [0, 8)",
                "'b' [4, 12)");
        assertError(
                file(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        8),
                "overlap");
        assertError(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
                "data bytes [0, 4) belong to no tensor");
        assertError(file(ONE, 12), "12 bytes but the tensors cover 8");
    }

    @Test
    void writerOutputWithAFlippedByteIsStillCheckedNotTrusted() throws IOException {
        Path p = dir.resolve("w.safetensors");
        SafeTensors.write(Map.of("w", Torch.ones(4)), p);
        byte[] bytes = Files.readAllBytes(p);
        String header = new String(
                bytes,
                8,
                (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0),
                StandardCharsets.UTF_8);
        int i = header.indexOf("16]"); // data_offsets [0,16] -> [0,96]
        bytes[8 + i] = '9';
        assertError(bytes, "tensor 'w'", "[0, 96]");
    }
}
