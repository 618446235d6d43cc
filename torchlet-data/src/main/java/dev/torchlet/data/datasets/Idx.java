package dev.torchlet.data.datasets;

import dev.torchlet.io.InputLimits;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reader of the IDX format of MNIST-style datasets, gzipped or raw (detected from the content).
 *
 * <p>Layout (big-endian): bytes 0-1 zero, byte 2 the element type (0x08 unsigned byte, 0x09
 * signed byte; the only ones image/label files use), byte 3 the number of dims n, then n 32-bit
 * sizes, then the elements row-major. The file must hold exactly that many bytes.
 */
public final class Idx {
    /** A decoded IDX file: dims and the raw bytes (row-major). */
    public record Data(int type, int[] dims, byte[] bytes) {
        public int dim(int i) {
            return dims[i];
        }
    }

    private static final int MAX_DIMS = 8;

    private Idx() {}

    public static Data read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("IDX: no such file " + path);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gz = b0 == 0x1f && b1 == 0x8b;
            // The most bytes the elements can occupy: what the file holds, or what its gzip data can
            // expand to (deflate's best ratio, and the decompression ceiling).
            long fileSize = Files.size(path);
            long available = gz
                    ? Math.min(fileSize * InputLimits.MAX_DEFLATE_RATIO, InputLimits.maxDecompressedBytes())
                    : fileSize;
            try (InputStream in = gz ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return read(in, path + (gz ? " (gzip)" : ""), available);
            } catch (java.util.zip.ZipException e) {
                throw new IOException("IDX: " + path + ": corrupt gzip data: " + e.getMessage(), e);
            } catch (java.io.EOFException e) {
                throw new IOException("IDX: " + path + ": gzip stream is truncated", e);
            }
        }
    }

    private static Data read(InputStream in, String where, long available) throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length < 4) {
            throw new IOException(
                    "IDX: " + where + ": file is too short for the 4-byte magic number (" + head.length + " bytes)");
        }
        int type = head[2] & 0xff;
        int ndim = head[3] & 0xff;
        if (head[0] != 0 || head[1] != 0 || (type != 0x08 && type != 0x09) || ndim < 1 || ndim > MAX_DIMS) {
            throw new IOException(String.format(
                    "IDX: %s: bad magic number 0x%02x%02x%02x%02x (expected 0x000008nn "
                            + "or 0x000009nn with 1..%d dims, e.g. 0x00000803 for images, 0x00000801 for labels)",
                    where, head[0], head[1], head[2], head[3], MAX_DIMS));
        }
        byte[] dimBytes = in.readNBytes(4 * ndim);
        if (dimBytes.length < 4 * ndim) {
            throw new IOException("IDX: " + where + ": truncated header: " + ndim + " dims announced, file ends after "
                    + (4 + dimBytes.length) + " bytes");
        }
        int[] dims = new int[ndim];
        long count = 1;
        for (int d = 0; d < ndim; d++) {
            dims[d] = (dimBytes[4 * d] & 0xff) << 24
                    | (dimBytes[4 * d + 1] & 0xff) << 16
                    | (dimBytes[4 * d + 2] & 0xff) << 8
                    | (dimBytes[4 * d + 3] & 0xff);
            if (dims[d] < 0) {
                throw new IOException("IDX: " + where + ": dim " + d + " is negative (" + dims[d] + ")");
            }
            count *= dims[d];
            if (count > Integer.MAX_VALUE - 16) {
                throw new IOException("IDX: " + where + ": dims " + Arrays.toString(dims) + " exceed 2 GB");
            }
        }
        long headerBytes = 4 + 4L * ndim;
        if (headerBytes + count > available) {
            throw new IOException("IDX: " + where + ": dims " + Arrays.toString(dims) + " need " + (headerBytes + count)
                    + " bytes but the file can hold at most " + available
                    + (where.endsWith("(gzip)")
                            ? " (its size times deflate's best ratio, or " + InputLimits.MAX_DECOMPRESSED_BYTES + ")"
                            : " (truncated?)"));
        }
        String tooBig = InputLimits.checkTensorBytes("IDX " + where + " with dims " + Arrays.toString(dims), count);
        if (tooBig != null) {
            throw new IOException(tooBig);
        }
        byte[] bytes = in.readNBytes((int) count);
        if (bytes.length < count) {
            throw new IOException("IDX: " + where + ": truncated: dims " + Arrays.toString(dims) + " need "
                    + (headerBytes + count) + " bytes, the file has " + (headerBytes + bytes.length));
        }
        if (in.read() != -1) {
            long extra = 1 + in.skip(Long.MAX_VALUE);
            throw new IOException("IDX: " + where + ": " + extra + " unexpected trailing bytes after dims "
                    + Arrays.toString(dims) + " (" + (headerBytes + count) + " bytes expected)");
        }
        return new Data(type, dims, bytes);
    }
}
