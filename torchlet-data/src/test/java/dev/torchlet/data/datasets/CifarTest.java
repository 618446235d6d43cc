package dev.torchlet.data.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.ToTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarTest {
    /** n records: label bytes, then R plane = (i + p) % 256, G = 100, B = 200 + i. */
    static byte[] records(int n, int labelBytes, int labelBase) {
        int rec = labelBytes + 3072;
        byte[] b = new byte[n * rec];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < labelBytes; k++) {
                b[i * rec + k] = (byte) (labelBase + i + k);
            }
            for (int p = 0; p < 1024; p++) {
                b[i * rec + labelBytes + p] = (byte) (i + p);
                b[i * rec + labelBytes + 1024 + p] = 100;
                b[i * rec + labelBytes + 2048 + p] = (byte) (200 + i);
            }
        }
        return b;
    }

    @Test
    void cifar10TestBatch(@TempDir Path tmp) throws IOException {
        Files.write(tmp.resolve("test_batch.bin"), records(3, 1, 4));
        Cifar ds = Cifar.cifar10(tmp, false);
        assertEquals(3, ds.size());
        LabeledImage s = ds.get(2);
        assertEquals(6, s.label());
        Image img = s.image();
        assertEquals(32, img.width());
        assertEquals(3, img.channels());
        // Pixel (x=5, y=1) is plane index 37: R = 2 + 37, G = 100, B = 202.
        assertEquals(39, img.get(5, 1, 0));
        assertEquals(100, img.get(5, 1, 1));
        assertEquals(202, img.get(5, 1, 2));
        Tensor x = new ToTensor().apply(img);
        assertEquals(202 / 255f, x.getDouble(2, 1, 5), 0);
        assertEquals("dog", ds.classes().get(5));
    }

    @Test
    void cifar10TrainConcatenatesFiveBatches(@TempDir Path tmp) throws IOException {
        for (int k = 1; k <= 5; k++) {
            Files.write(tmp.resolve("data_batch_" + k + ".bin"), records(2, 1, k - 1));
        }
        Cifar ds = Cifar.cifar10(tmp, true);
        assertEquals(10, ds.size());
        assertEquals(4, ds.get(8).label());
        assertEquals(5, ds.get(9).label());
    }

    @Test
    void cifar100FineAndCoarse(@TempDir Path tmp) throws IOException {
        Files.write(tmp.resolve("train.bin"), records(2, 2, 10));
        assertEquals(11, Cifar.cifar100(tmp, true, true).get(0).label());
        assertEquals(10, Cifar.cifar100(tmp, true, false).get(0).label());
        assertEquals(100, Cifar.cifar100(tmp, true, true).classes().size());
    }

    @Test
    void truncatedFileNamesThePath(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("test_batch.bin");
        byte[] b = records(2, 1, 0);
        Files.write(f, Arrays.copyOf(b, b.length - 5));
        var e = assertThrows(IOException.class, () -> Cifar.cifar10(tmp, false));
        assertTrue(
                e.getMessage().startsWith("CIFAR: " + f + ": 6141 bytes is not a whole number of 3073-byte"),
                e.getMessage());
        Files.write(f, records(1, 1, 10));
        var g = assertThrows(IOException.class, () -> Cifar.cifar10(tmp, false));
        assertTrue(g.getMessage().contains("record 0 has label 10, expected below 10"), g.getMessage());
        var m = assertThrows(IOException.class, () -> Cifar.cifar10(tmp, true));
        assertTrue(m.getMessage().contains("data_batch_1.bin"), m.getMessage());
    }
}
