package dev.torchlet.data.datasets;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.data.transforms.Image;
import dev.torchlet.io.InputLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bounds on untrusted dataset files (docs/security.md): refused with a clear IOException before allocating. */
class UntrustedDataInputTest {
    @TempDir
    Path dir;

    private static byte[] idxHeader(int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
        b.put(new byte[] {0, 0, 8, (byte) dims.length});
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    @Test
    void gzippedIdxClaimingMoreThanItCanHoldIsRefusedBeforeAllocating() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(idxHeader(2_000_000, 28, 28)); // 1.5 GB of pixels announced, none present
        }
        Path p = dir.resolve("big-idx3-ubyte.gz");
        Files.write(p, gz.toByteArray());
        IOException e = assertThrows(IOException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains("can hold at most") && e.getMessage().contains("deflate"), e.getMessage());
    }

    @Test
    void rawIdxLongerThanTheFileIsRefusedBeforeAllocating() throws IOException {
        Path p = dir.resolve("big-idx3-ubyte");
        Files.write(p, idxHeader(60_000, 28, 28));
        IOException e = assertThrows(IOException.class, () -> Idx.read(p));
        assertTrue(
                e.getMessage().contains("can hold at most 16") && e.getMessage().contains("truncated"), e.getMessage());
    }

    /** A PNG signature and IHDR chunk announcing width x height, with no pixel data. */
    private static byte[] pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height);
        ihdr.put(new byte[] {8, 2, 0, 0, 0}); // 8-bit RGB
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        png.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        return png.array();
    }

    @Test
    void imageDimensionsAreCheckedBeforeDecoding() {
        // 100000 x 100000 would be a 40 GB raster; refused from the header alone
        IOException e = assertThrows(IOException.class, () -> Image.decode(pngHeader(100_000, 100_000), 3));
        assertTrue(
                e.getMessage().contains("100000x100000") && e.getMessage().contains(InputLimits.MAX_IMAGE_PIXELS),
                e.getMessage());
    }

    private byte[] finding(String name) throws IOException {
        try (var in = getClass().getResourceAsStream("ImageFolderFuzzTestInputs/fuzz/" + name)) {
            byte[] b = in.readAllBytes();
            return java.util.Arrays.copyOfRange(b, 1, b.length); // the first byte is the target's selector
        }
    }

    /** Fuzzer finding: 616 bytes of WebP announcing 16 x 12,058,640 pixels decoded for over 10 seconds. */
    @Test
    void webpBombIsRefusedFromItsHeader() throws IOException {
        byte[] webp = finding("timeout-d7c3355573c46fe87eec12e78677e61bbe15da31");
        IOException e = assertThrows(IOException.class, () -> Image.decode(webp, 3));
        assertTrue(e.getMessage().contains("16x12058640"), e.getMessage());
    }

    /**
     * Fuzzer finding: 512 bytes of lossless WebP announcing 43024 x 16 pixels; the decoder swallowed every
     * end-of-data and decoded zeros for 4 seconds. Now the decode ends after 1024 reads past the end.
     */
    @Test
    void decoderReadingPastTheEndIsStopped() throws IOException {
        byte[] webp = finding("timeout-766433874fc1674a28e40f20f1507a00001ae911");
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> Image.decode(webp, 3));
        assertTrue(e.getMessage().contains("read past the end"), e.getMessage());
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "took " + (System.nanoTime() - start) / 1e9 + " s");
    }

    /**
     * Fuzzer finding: a WebP with a 16x16 canvas (what ImageIO reports, and the limit checks) whose VP8 frame
     * header says 13565x15776: the decoder allocated macroblocks for the frame until the heap ran out.
     */
    @Test
    void webpFrameLargerThanItsCanvasIsRefused() throws IOException {
        byte[] webp = finding("crash-268df50464780684dcf3541b00321cea598d3a81");
        IOException e = assertThrows(IOException.class, () -> Image.decode(webp, 3));
        assertTrue(
                e.getMessage().contains("VP8 frame of 13565x15776 pixels is larger than its 16x16 canvas"),
                e.getMessage());
    }

    @Test
    void imagePixelLimitIsConfigurable() throws IOException {
        String old = System.getProperty(InputLimits.MAX_IMAGE_PIXELS);
        System.setProperty(InputLimits.MAX_IMAGE_PIXELS, "100");
        try {
            Path p = dir.resolve("x.png");
            new Image(20, 10, 3, new byte[600]).write(p, "png");
            IOException e = assertThrows(IOException.class, () -> Image.read(p));
            assertTrue(e.getMessage().contains("20x10") && e.getMessage().contains("limit of 100"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(InputLimits.MAX_IMAGE_PIXELS);
            } else {
                System.setProperty(InputLimits.MAX_IMAGE_PIXELS, old);
            }
        }
    }
}
