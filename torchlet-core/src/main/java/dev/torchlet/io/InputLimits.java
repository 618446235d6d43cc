package dev.torchlet.io;

/**
 * Ceilings that apply to untrusted input (model files, datasets, images), read from system
 * properties at each call so a test or an application can change them:
 * <ul>
 *   <li>{@code torchlet.io.maxTensorBytes}: the largest single tensor, storage or array a reader
 *       allocates from a file (decoded bytes); default the JVM's maximum heap, since nothing larger
 *       can ever be held.</li>
 *   <li>{@code torchlet.io.maxDecompressedBytes}: the most bytes one compressed stream (a zip
 *       entry, a gzip file) may expand to; default 4 GiB. Independently of it, a deflated zip entry
 *       may not claim more than {@link #MAX_DEFLATE_RATIO} times its compressed size.</li>
 *   <li>{@code torchlet.io.maxPickleBytes}: the largest pickle (a checkpoint's {@code data.pkl}) read
 *       into memory; default 256 MiB (a state dict's pickle is kilobytes to a few megabytes).</li>
 *   <li>{@code torchlet.io.maxPickleDepth}: how deeply pickled tuples may nest; default 64
 *       (a state dict needs 3).</li>
 *   <li>{@code torchlet.io.maxImagePixels}: width times height of an image, checked from its
 *       header before it is decoded; default 178,956,970, the size at which Pillow raises
 *       {@code DecompressionBombError}, or a sixteenth of the maximum heap if that is smaller
 *       (decoding holds up to 8 bytes a pixel).</li>
 * </ul>
 * Independently of these ceilings, every length, count and shape read from a file is checked
 * against the bytes actually present before anything is allocated.
 */
public final class InputLimits {
    public static final String MAX_TENSOR_BYTES = "torchlet.io.maxTensorBytes";
    public static final String MAX_DECOMPRESSED_BYTES = "torchlet.io.maxDecompressedBytes";
    public static final String MAX_PICKLE_BYTES = "torchlet.io.maxPickleBytes";
    public static final String MAX_PICKLE_DEPTH = "torchlet.io.maxPickleDepth";
    public static final String MAX_IMAGE_PIXELS = "torchlet.io.maxImagePixels";

    /** The best compression deflate achieves is about 1032:1; a larger claimed ratio is a lie or a bomb. */
    public static final long MAX_DEFLATE_RATIO = 1100;

    private InputLimits() {}

    public static long maxTensorBytes() {
        return get(MAX_TENSOR_BYTES, Runtime.getRuntime().maxMemory());
    }

    public static long maxDecompressedBytes() {
        return get(MAX_DECOMPRESSED_BYTES, 4L << 30);
    }

    public static long maxPickleBytes() {
        return get(MAX_PICKLE_BYTES, 256L << 20);
    }

    public static int maxPickleDepth() {
        return (int) Math.min(Integer.MAX_VALUE, get(MAX_PICKLE_DEPTH, 64));
    }

    public static long maxImagePixels() {
        // decoding holds the decoder's raster and the converted pixels, up to 8 bytes a pixel: leave room
        return get(MAX_IMAGE_PIXELS, Math.min(178_956_970L, Runtime.getRuntime().maxMemory() / 16));
    }

    /**
     * A message naming {@code what}, its size and the limit when {@code bytes} exceeds
     * {@link #maxTensorBytes()}, or null when it fits; callers throw it as their own exception type.
     */
    public static String checkTensorBytes(String what, long bytes) {
        long max = maxTensorBytes();
        return bytes > max
                ? what + " needs " + bytes + " bytes, more than the limit of " + max + " (system property "
                        + MAX_TENSOR_BYTES + ")"
                : null;
    }

    private static long get(String property, long fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n <= 0) {
                throw new NumberFormatException("not positive");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "system property " + property + " must be a positive integer, got '" + v + "'");
        }
    }
}
