package dev.torchlet.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.testing.ParserContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Fuzz target: PyTorch's zip checkpoint format. An input starting with "PK" is the whole file (the
 * zip container itself is fuzzed); any other input is the pickle {@code archive/data.pkl}, stored
 * in a valid zip next to storages {@code data/0} .. {@code data/3} of 0, 4, 16 and 64 bytes, so the
 * fuzzer reaches the unpickler and the storage checks without forging CRCs. Seeds: files written by
 * {@code torch.save} (zip) and their data.pkl.
 */
class PyTorchZipFuzzTest {
    private static final int[] STORAGE_BYTES = {0, 4, 16, 64};

    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        byte[] file = input.length >= 2 && input[0] == 'P' && input[1] == 'K' ? input : wrap(input);
        var path = ParserContract.file("model.pt", file);
        ParserContract.checkIo("PyTorchCheckpoint.read (zip)", () -> PyTorchCheckpoint.read(path));
    }

    /** A torch.save-shaped zip holding {@code pickle} as archive/data.pkl, entries STORED. */
    static byte[] wrap(byte[] pickle) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, "archive/data.pkl", pickle);
            for (int k = 0; k < STORAGE_BYTES.length; k++) {
                byte[] data = new byte[STORAGE_BYTES[k]];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (i * 37 + k);
                }
                put(zip, "archive/data/" + k, data);
            }
            put(zip, "archive/version", "3\n".getBytes());
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
