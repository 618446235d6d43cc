package dev.torchlet.data.transforms;

import dev.torchlet.io.InputLimits;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * An 8-bit image in HWC order (like a PIL image or a numpy array): pixel (x, y) channel c is
 * {@code data[(y * width + x) * channels + c] & 0xff}. One channel is grayscale, three RGB, four
 * RGBA. Decoded from JPEG, PNG, BMP, GIF and WebP files through ImageIO (the TwelveMonkeys
 * plugins on the class path add robust JPEG and WebP). Use {@link ToTensor} to get a CHW float
 * tensor in [0, 1].
 */
public record Image(int width, int height, int channels, byte[] data) {
    static {
        ImageIO.setUseCache(false); // decode in memory, no temp files
    }

    public Image {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("Image: size must be positive, got " + width + "x" + height);
        }
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new IllegalArgumentException("Image: channels must be 1, 3 or 4, got " + channels);
        }
        if (data == null || data.length != (long) width * height * channels) {
            throw new IllegalArgumentException("Image: " + width + "x" + height + "x" + channels + " needs "
                    + (long) width * height * channels + " bytes, got " + (data == null ? "null" : data.length));
        }
    }

    /** Pixel value (0..255) at column x, row y, channel c. */
    public int get(int x, int y, int c) {
        return data[(y * width + x) * channels + c] & 0xff;
    }

    /** Reads an image file as RGB (like torchvision's loader: {@code Image.open(f).convert("RGB")}). */
    public static Image read(Path path) throws IOException {
        return read(path, 3);
    }

    /** Reads an image file with 1 (grayscale, ITU-R 601-2 luma like PIL "L"), 3 (RGB) or 4 (RGBA) channels. */
    public static Image read(Path path, int channels) throws IOException {
        return fromBufferedImage(decode(Files.readAllBytes(path), path.toString()), channels);
    }

    /**
     * Decodes encoded image bytes (PNG, JPEG, BMP, WebP, ...: what ImageIO's readers take) to 1, 3 or 4 channels,
     * e.g. an HTTP upload or a Spark binaryFile cell; errors say why, with the byte count.
     */
    public static Image decode(byte[] bytes, int channels) throws IOException {
        return fromBufferedImage(decode(bytes, bytes.length + " bytes"), channels);
    }

    /**
     * Decodes with the first ImageIO reader that recognizes the data, after checking the size its
     * header announces against {@link InputLimits#maxImagePixels()}: a few bytes of header cannot
     * make the decoder allocate gigabytes. Decoder failures (ImageIO's readers throw unchecked
     * exceptions on some corrupt files) become IOExceptions naming {@code what}, and so does a decoder
     * that keeps reading past the end of the data ({@link EndBoundedImageInput}).
     */
    private static BufferedImage decode(byte[] bytes, String what) throws IOException {
        try (ImageInputStream iis = new EndBoundedImageInput(bytes)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new IOException("Image: cannot decode " + what + ": no ImageIO reader recognizes it (readers: "
                        + String.join(", ", ImageIO.getReaderFileSuffixes()) + ")");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                long pixels = (long) w * h;
                if (w <= 0 || h <= 0 || pixels > InputLimits.maxImagePixels()) {
                    throw new IOException("Image: " + what + ": " + reader.getFormatName() + " image of " + w + "x" + h
                            + " pixels is empty or larger than the limit of " + InputLimits.maxImagePixels()
                            + " pixels (system property " + InputLimits.MAX_IMAGE_PIXELS + ")");
                }
                if (WebPFrames.isWebP(bytes)) {
                    WebPFrames.check(bytes, w, h, what);
                }
                BufferedImage img = reader.read(0);
                if (img == null) {
                    throw new IOException("Image: cannot decode " + what + ": the reader returned no image");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().startsWith("Image: ")
                    ? e
                    : new IOException("Image: cannot decode " + what + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new IOException(
                    "Image: cannot decode " + what + ": " + e.getCause().getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException("Image: cannot decode " + what + ": " + e, e);
        }
    }

    /** Converts an AWT image to 1, 3 or 4 channels (alpha is dropped for 1 and 3, as PIL's convert does). */
    public static Image fromBufferedImage(BufferedImage img, int channels) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new IllegalArgumentException("Image: channels must be 1, 3 or 4, got " + channels);
        }
        byte[] out = new byte[w * h * channels];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w); // ARGB, sRGB, whatever the source color model
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                int r = (argb >> 16) & 0xff;
                int g = (argb >> 8) & 0xff;
                int b = argb & 0xff;
                int o = (y * w + x) * channels;
                switch (channels) {
                    case 1 ->
                        out[o] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16); // PIL "L" (fixed point)
                    case 3 -> {
                        out[o] = (byte) r;
                        out[o + 1] = (byte) g;
                        out[o + 2] = (byte) b;
                    }
                    default -> {
                        out[o] = (byte) r;
                        out[o + 1] = (byte) g;
                        out[o + 2] = (byte) b;
                        out[o + 3] = (byte) (argb >>> 24);
                    }
                }
            }
        }
        return new Image(w, h, channels, out);
    }

    /** An AWT image (TYPE_BYTE_GRAY, TYPE_INT_RGB or TYPE_INT_ARGB) with these pixels, e.g. to write a PNG. */
    public BufferedImage toBufferedImage() {
        if (channels == 1) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, width, height, data.clone());
            return img;
        }
        BufferedImage img = new BufferedImage(
                width, height, channels == 4 ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int o = (y * width + x) * channels;
                int a = channels == 4 ? data[o + 3] & 0xff : 0xff;
                row[x] = a << 24 | (data[o] & 0xff) << 16 | (data[o + 1] & 0xff) << 8 | (data[o + 2] & 0xff);
            }
            img.setRGB(0, y, width, 1, row, 0, width);
        }
        return img;
    }

    /** Writes the image with an ImageIO writer for the format name ("png", "jpg", "bmp"). */
    public void write(Path path, String format) throws IOException {
        BufferedImage img = toBufferedImage();
        if ((format.equalsIgnoreCase("jpg") || format.equalsIgnoreCase("jpeg") || format.equalsIgnoreCase("bmp"))
                && channels == 4) {
            throw new IOException("Image: " + format + " cannot store an alpha channel (" + path + ")");
        }
        if (!ImageIO.write(img, format, path.toFile())) {
            throw new IOException("Image: no ImageIO writer for format '" + format + "' (" + path + ")");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image i
                && i.width == width
                && i.height == height
                && i.channels == channels
                && Arrays.equals(i.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * width + height) + channels) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Image[" + width + "x" + height + "x" + channels + "]";
    }
}
