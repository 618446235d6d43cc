package dev.torchlet.io;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format (version 1.0), for arrays numpy reads with {@code np.load}: the magic
 * {@code \x93NUMPY}, version 1 0, a little-endian uint16 header length, a Python-dict header
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }} padded with spaces and a
 * newline to a multiple of 64 bytes, then the C-order little-endian data. float32, float64, int64.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern HEADER = Pattern.compile(
            "\\{'descr': '([<|][fi][48])', 'fortran_order': (False|True), 'shape': \\(([0-9, ]*)\\), \\}\\s*");

    private Npy() {}

    /** Writes t to path atomically (temporary file, then rename). */
    public static void write(Tensor t, Path path) throws IOException {
        String descr = switch (t.dtype()) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case INT64 -> "<i8";
            default ->
                throw new IllegalArgumentException(
                        "Npy.write: dtype " + t.dtype() + " is not supported " + "(float32, float64, int64)");
        };
        int[] shape = t.shape();
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText =
                shape.length == 1 ? dims.toString().strip() : dims.toString().replaceAll(", $", "");
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shapeText + "), }";
        int unpadded = MAGIC.length + 2 + 2 + header.length() + 1;
        header += " ".repeat((64 - unpadded % 64) % 64) + "\n";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        AtomicFiles.write(path, out -> {
            out.write(MAGIC);
            out.write(new byte[] {1, 0, (byte) (h.length & 0xff), (byte) (h.length >> 8)});
            out.write(h);
            out.write(data(t));
        });
    }

    /** Reads a version 1.0 C-order .npy file of float32, float64 or int64. */
    public static Tensor read(Path path) throws IOException {
        byte[] all = Files.readAllBytes(path);
        if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), MAGIC)) {
            throw new IOException("Npy.read: " + path + " is not a .npy file (no \\x93NUMPY magic)");
        }
        int headerLength = (all[8] & 0xff) | (all[9] & 0xff) << 8;
        if (all[6] != 1 || 10 + headerLength > all.length) {
            throw new IOException("Npy.read: " + path + ": unsupported version " + all[6] + " or truncated header");
        }
        String header = new String(all, 10, headerLength, StandardCharsets.US_ASCII);
        Matcher m = HEADER.matcher(header);
        if (!m.matches() || m.group(2).equals("True")) {
            throw new IOException("Npy.read: " + path + ": unsupported header " + header.strip());
        }
        int[] shape = parseShape(path, m.group(3));
        long numel = 1;
        for (int d : shape) {
            numel = Math.min(numel * d, Integer.MAX_VALUE + 1L); // capped: never overflows
        }
        String descr = m.group(1);
        int itemSize = descr.charAt(2) == '4' ? 4 : 8;
        int offset = 10 + headerLength;
        if (all.length - offset != numel * itemSize) {
            throw new IOException("Npy.read: " + path + ": " + (all.length - offset) + " data bytes for shape "
                    + Arrays.toString(shape) + " of " + descr
                    + (numel > Integer.MAX_VALUE ? " (too many elements)" : "")
                    + ", which needs " + numel * itemSize);
        }
        int n = (int) numel;
        ByteBuffer b = ByteBuffer.wrap(all, offset, n * itemSize).order(ByteOrder.LITTLE_ENDIAN);
        return switch (descr.substring(1)) {
            case "f4" -> {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                yield Torch.tensor(v, shape);
            }
            case "f8" -> {
                double[] v = new double[n];
                b.asDoubleBuffer().get(v);
                yield Torch.tensor(v, shape).to(DType.FLOAT64);
            }
            case "i8" -> {
                long[] v = new long[n];
                b.asLongBuffer().get(v);
                yield Torch.tensor(v, shape);
            }
            default -> throw new IOException("Npy.read: " + path + ": unsupported dtype " + descr);
        };
    }

    /** The comma-separated sizes of a shape tuple; each must fit an int. */
    private static int[] parseShape(Path path, String text) throws IOException {
        String[] parts = text.split(",");
        int[] shape = new int[parts.length];
        int dims = 0;
        for (String part : parts) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            try {
                shape[dims++] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IOException("Npy.read: " + path + ": shape size '"
                        + (p.length() > 20 ? p.substring(0, 20) + "...'" : p + "'") + " is not an int");
            }
        }
        return Arrays.copyOf(shape, dims);
    }

    private static byte[] data(Tensor t) {
        int n = t.numel();
        return switch (t.dtype()) {
            case FLOAT32 -> {
                ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.toFloatArray());
                yield b.array();
            }
            case FLOAT64 -> {
                ByteBuffer b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                b.asDoubleBuffer().put(t.toDoubleArray());
                yield b.array();
            }
            default -> {
                ByteBuffer b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                b.asLongBuffer().put(t.toLongArray());
                yield b.array();
            }
        };
    }
}
