package dev.torchlet.data.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.data.transforms.Image;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    /** An IDX file of unsigned bytes with the given dims and contents. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    static void write(Path p, byte[] bytes, boolean gz) throws IOException {
        if (!gz) {
            Files.write(p, bytes);
            return;
        }
        var bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(bytes);
        }
        Files.write(p, bos.toByteArray());
    }

    /** 3 images of 2x4 (pixel = 10 * i + k) and labels 2, 0, 1, as a train set in dir. */
    static void writeTiny(Path dir, boolean gz) throws IOException {
        byte[] px = new byte[3 * 8];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (10 * (i / 8) + i % 8 + 200 * (i % 2));
        }
        String ext = gz ? ".gz" : "";
        write(dir.resolve("train-images-idx3-ubyte" + ext), idx(new int[] {3, 2, 4}, px), gz);
        write(dir.resolve("train-labels-idx1-ubyte" + ext), idx(new int[] {3}, new byte[] {2, 0, 1}), gz);
    }

    @Test
    void readsRawAndGzipped(@TempDir Path tmp) throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            Path dir = Files.createDirectories(tmp.resolve("gz" + gz));
            writeTiny(dir, gz);
            Mnist ds = Mnist.mnist(dir, true);
            assertEquals(3, ds.size());
            LabeledImage s = ds.get(1);
            assertEquals(0, s.label());
            Image img = s.image();
            assertEquals(4, img.width());
            assertEquals(2, img.height());
            assertEquals(1, img.channels());
            assertEquals(10 + 1 + 200, img.get(1, 0, 0)); // unsigned: 211
            assertEquals(10 + 7 + 200, img.get(3, 1, 0));
            assertEquals(2, ds.get(0).label());
        }
    }

    @Test
    void badMagicTruncatedAndTrailingBytesNameThePath(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("bad-magic");
        byte[] ok = idx(new int[] {2, 3}, new byte[6]);
        byte[] b = ok.clone();
        b[2] = 0x0D; // float type: not an image/label file
        Files.write(bad, b);
        var e = assertThrows(IOException.class, () -> Idx.read(bad));
        assertTrue(e.getMessage().startsWith("IDX: " + bad + ": bad magic number 0x00000d02"), e.getMessage());

        Path truncated = tmp.resolve("truncated.gz");
        write(truncated, Arrays.copyOf(ok, ok.length - 2), true);
        var t = assertThrows(IOException.class, () -> Idx.read(truncated));
        assertEquals(
                "IDX: " + truncated + " (gzip): truncated: dims [2, 3] need 18 bytes, the file has 16", t.getMessage());

        Path header = tmp.resolve("header");
        Files.write(header, Arrays.copyOf(ok, 7));
        var h = assertThrows(IOException.class, () -> Idx.read(header));
        assertTrue(h.getMessage().contains("truncated header: 2 dims announced"), h.getMessage());

        Path trailing = tmp.resolve("trailing");
        Files.write(trailing, Arrays.copyOf(ok, ok.length + 3));
        var x = assertThrows(IOException.class, () -> Idx.read(trailing));
        assertTrue(x.getMessage().contains(trailing + ": 3 unexpected trailing bytes"), x.getMessage());

        Path brokenGz = tmp.resolve("broken.gz");
        var bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(ok);
        }
        byte[] gz = bos.toByteArray();
        Files.write(brokenGz, Arrays.copyOf(gz, gz.length / 2));
        var g = assertThrows(IOException.class, () -> Idx.read(brokenGz));
        assertTrue(g.getMessage().contains(brokenGz.toString()), g.getMessage());

        assertThrows(IOException.class, () -> Idx.read(tmp.resolve("missing")));
    }

    @Test
    void mismatchedCountsAndLabelsAreRejected(@TempDir Path tmp) throws IOException {
        writeTiny(tmp, false);
        Files.write(tmp.resolve("train-labels-idx1-ubyte"), idx(new int[] {2}, new byte[] {0, 1}));
        var e = assertThrows(IOException.class, () -> Mnist.mnist(tmp, true));
        assertTrue(e.getMessage().contains("has 3 images but"), e.getMessage());
        Files.write(tmp.resolve("train-labels-idx1-ubyte"), idx(new int[] {3}, new byte[] {0, 1, 10}));
        var f = assertThrows(IOException.class, () -> Mnist.mnist(tmp, true));
        assertTrue(f.getMessage().contains("label 10 at index 2 is not below the 10 classes"), f.getMessage());
        var m = assertThrows(IOException.class, () -> Mnist.mnist(tmp, false));
        assertTrue(m.getMessage().contains("t10k-images-idx3-ubyte"), m.getMessage());
    }

    @Test
    void fashionMnistInTheRepo() throws IOException {
        Path dir = dev.torchlet.data.DataPaths.resolve("fashion-mnist");
        Mnist train = Mnist.fashion(dir, true);
        Mnist test = Mnist.fashion(dir, false);
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        int[] first = new int[10];
        int[] firstTest = new int[10];
        for (int i = 0; i < 10; i++) {
            first[i] = train.label(i);
            firstTest[i] = test.label(i);
        }
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, first);
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, firstTest);
        Image img = train.get(0).image();
        assertEquals(28, img.width());
        long sum = 0;
        for (byte v : img.data()) {
            sum += v & 0xff;
        }
        assertEquals(76247, sum); // checked with Python's gzip module
        assertEquals(0xed, img.get(12, 14, 0));
        assertEquals("Ankle boot", train.classes().get(9));
    }
}
