package dev.torchlet.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsAndWritesNumpysHeader() throws IOException {
        Tensor t = Torch.arange(12).to(DType.FLOAT32).reshape(3, 4).div(7f);
        Path f = tmp.resolve("a.npy");
        Npy.write(t, f);
        byte[] bytes = Files.readAllBytes(f);
        String header = new String(bytes, 10, 118, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", header.strip());
        assertEquals(0, (10 + 118) % 64, "data starts 64-byte aligned");
        assertEquals(128 + 48, bytes.length);
        assertArrayEquals(t.toFloatArray(), Npy.read(f).toFloatArray(), 0f);
        for (Tensor v : new Tensor[] {Torch.arange(5), Torch.randn(2, 3, 1).to(DType.FLOAT64), Torch.randn(1)}) {
            Npy.write(v, f);
            Tensor back = Npy.read(f);
            assertArrayEquals(v.shape(), back.shape());
            assertEquals(v.dtype(), back.dtype());
            assertArrayEquals(v.toDoubleArray(), back.toDoubleArray(), 0.0);
        }
    }

    @Test
    void badFilesAreRefused() throws IOException {
        Path f = tmp.resolve("b.npy");
        Files.writeString(f, "not numpy");
        var e = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("not a .npy file"), e.getMessage());
        Npy.write(Torch.ones(4), f);
        byte[] cut = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(cut, cut.length - 4));
        assertThrows(IOException.class, () -> Npy.read(f));
        assertThrows(
                IllegalArgumentException.class, () -> Npy.write(Torch.ones(2).gt(0f), f));
    }
}
