package dev.torchlet.data.datasets;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torchlet.io.InputLimits;
import dev.torchlet.testing.ParserContract;
import java.io.IOException;
import java.util.List;

/**
 * Fuzz target: image decoding through {@link ImageFolder}. The first byte picks the file extension
 * (png, jpg, bmp, gif, webp, ppm, tiff) and the channel count (1, 3 or 4); the rest is the image
 * file, placed as {@code root/cls/x.<ext>} and decoded by {@code get(0)}. Seeds: small PNG, JPEG,
 * BMP, GIF and WebP files. ImageFolder documents IOException (construction) and
 * UncheckedIOException (a sample that does not decode).
 */
class ImageFolderFuzzTest {
    private static final List<String> EXT = List.of("png", "jpg", "bmp", "gif", "webp", "ppm", "tiff");
    private static final int[] CHANNELS = {1, 3, 4};

    static {
        // Decoding cost grows with the pixels an input announces; at the default ceiling (up to 179M) the
        // fuzzer spent its time decoding huge blank images (42 exec/s). A 4M-pixel ceiling keeps it on the
        // parsing code; the ceiling's check itself is the same at any value (UntrustedDataInputTest).
        if (System.getProperty(InputLimits.MAX_IMAGE_PIXELS) == null) {
            System.setProperty(InputLimits.MAX_IMAGE_PIXELS, "4000000");
        }
    }

    @FuzzTest(maxDuration = ParserContract.FUZZ_DURATION)
    void fuzz(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        int pick = input[0] & 0xff;
        String ext = EXT.get(pick % EXT.size());
        int channels = CHANNELS[(pick / EXT.size()) % CHANNELS.length];
        byte[] image = java.util.Arrays.copyOfRange(input, 1, input.length);
        var file = ParserContract.file("root/cls/x." + ext, image);
        var root = file.getParent().getParent();
        ParserContract.checkIo("ImageFolder.get", () -> {
            ImageFolder f = new ImageFolder(root, new ImageFolder.Options(ImageFolder.OnCorrupt.FAIL, channels));
            f.get(0);
        });
    }
}
