package dev.torchlet.data.transforms;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Tiles a batch of images into one picture and saves it, as torchvision.utils.make_grid and
 * save_image (torchvision 0.14): a batch (B, C, H, W), one image (C, H, W) or (H, W), or a list of
 * (C, H, W) images; single-channel images become 3-channel; with {@code normalize}, values are
 * clamped to the value range (default: the min and max of the batch, or of each image with
 * {@code scaleEach}) and mapped to [0, 1]; images are placed row by row, {@code nrow} per row, with
 * {@code padding} pixels of {@code padValue} around each. Saving quantizes as save_image does:
 * {@code uint8(clamp(x * 255 + 0.5, 0, 255))}, so values are expected in [0, 1].
 * <pre>
 *   ImageGrid.save(samples, Path.of("samples.png"), ImageGrid.Options.of().withNrow(8).withValueRange(-1, 1));
 * </pre>
 */
public final class ImageGrid {
    private ImageGrid() {}

    /**
     * make_grid's keyword arguments.
     *
     * @param nrow       images per row, &gt;= 1 (default 8)
     * @param padding    pixels between and around the images, &gt;= 0 (default 2)
     * @param normalize  map values to [0, 1] (default false)
     * @param valueRange {low, high} to clamp to and map to [0, 1] when normalizing, or null for the data's min and max
     * @param scaleEach  normalize each image by its own min and max (default false)
     * @param padValue   value of the padding pixels (default 0)
     */
    public record Options(
            int nrow, int padding, boolean normalize, double[] valueRange, boolean scaleEach, double padValue) {
        public Options {
            if (nrow < 1) {
                throw new IllegalArgumentException("ImageGrid: nrow must be >= 1, got " + nrow);
            }
            if (padding < 0) {
                throw new IllegalArgumentException("ImageGrid: padding must be >= 0, got " + padding);
            }
            if (valueRange != null && (valueRange.length != 2 || !(valueRange[0] <= valueRange[1]))) {
                throw new IllegalArgumentException("ImageGrid: valueRange must be {low, high} with low <= high, got "
                        + Arrays.toString(valueRange));
            }
            valueRange = valueRange == null ? null : valueRange.clone();
        }

        /** torchvision's defaults: nrow 8, padding 2, no normalization, pad value 0. */
        public static Options of() {
            return new Options(8, 2, false, null, false, 0);
        }

        public Options withNrow(int n) {
            return new Options(n, padding, normalize, valueRange, scaleEach, padValue);
        }

        public Options withPadding(int p) {
            return new Options(nrow, p, normalize, valueRange, scaleEach, padValue);
        }

        /** Normalizes by the data's min and max. */
        public Options withNormalize(boolean n) {
            return new Options(nrow, padding, n, valueRange, scaleEach, padValue);
        }

        /** Normalizes from [low, high] (e.g. -1, 1 for a tanh generator); turns normalize on. */
        public Options withValueRange(double low, double high) {
            return new Options(nrow, padding, true, new double[] {low, high}, scaleEach, padValue);
        }

        public Options withScaleEach(boolean s) {
            return new Options(nrow, padding, normalize, valueRange, s, padValue);
        }

        public Options withPadValue(double v) {
            return new Options(nrow, padding, normalize, valueRange, scaleEach, v);
        }

        @Override
        public double[] valueRange() {
            return valueRange == null ? null : valueRange.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Options p
                    && nrow == p.nrow
                    && padding == p.padding
                    && normalize == p.normalize
                    && Arrays.equals(valueRange, p.valueRange)
                    && scaleEach == p.scaleEach
                    && Double.compare(padValue, p.padValue) == 0;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(
                    new Object[] {nrow, padding, normalize, Arrays.hashCode(valueRange), scaleEach, padValue});
        }

        @Override
        public String toString() {
            return "Options[nrow=" + nrow + ", padding=" + padding + ", normalize=" + normalize + ", valueRange="
                    + Arrays.toString(valueRange) + ", scaleEach=" + scaleEach + ", padValue=" + padValue + "]";
        }
    }

    /** The grid of a batch with torchvision's defaults. */
    public static Tensor makeGrid(Tensor images) {
        return makeGrid(images, Options.of());
    }

    /** The grid of (C, H, W) images of one size. */
    public static Tensor makeGrid(List<Tensor> images, Options options) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("ImageGrid: no images to tile");
        }
        return makeGrid(Torch.stack(images, 0), options);
    }

    /**
     * The grid (C, rows (H + padding) + padding, cols (W + padding) + padding), float32; a batch of one
     * image gives that image (after the channel and normalization steps), as make_grid.
     */
    public static Tensor makeGrid(Tensor images, Options options) {
        int[] s = images.shape();
        if (s.length < 2 || s.length > 4) {
            throw new IllegalArgumentException(
                    "ImageGrid: expected images (B, C, H, W), (C, H, W) or (H, W), got " + Arrays.toString(s));
        }
        float[] data = images.to(DType.FLOAT32).contiguous().toFloatArray();
        int b = s.length == 4 ? s[0] : 1;
        int c = s.length >= 3 ? s[s.length - 3] : 1;
        int h = s[s.length - 2];
        int w = s[s.length - 1];
        if (c == 1) { // single-channel images become 3-channel
            data = repeatChannels(data, b, h * w);
            c = 3;
        }
        int plane = c * h * w;
        if (options.normalize()) {
            double[] range = options.valueRange;
            if (options.scaleEach()) {
                for (int i = 0; i < b; i++) {
                    normalize(data, i * plane, plane, range);
                }
            } else {
                normalize(data, 0, data.length, range);
            }
        }
        if (b == 1) {
            return Torch.tensor(data, c, h, w);
        }
        int pad = options.padding();
        int cols = Math.min(options.nrow(), b);
        int rows = (b + cols - 1) / cols;
        int gh = (h + pad) * rows + pad;
        int gw = (w + pad) * cols + pad;
        float[] grid = new float[c * gh * gw];
        Arrays.fill(grid, (float) options.padValue());
        for (int k = 0; k < b; k++) {
            int y0 = (k / cols) * (h + pad) + pad;
            int x0 = (k % cols) * (w + pad) + pad;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(data, k * plane + (ch * h + y) * w, grid, (ch * gh + y0 + y) * gw + x0, w);
                }
            }
        }
        return Torch.tensor(grid, c, gh, gw);
    }

    private static float[] repeatChannels(float[] data, int b, int hw) {
        float[] out = new float[b * 3 * hw];
        for (int i = 0; i < b; i++) {
            for (int ch = 0; ch < 3; ch++) {
                System.arraycopy(data, i * hw, out, (i * 3 + ch) * hw, hw);
            }
        }
        return out;
    }

    /** torchvision's norm_ip: clamp to [low, high], subtract low, divide by max(high - low, 1e-5), in float32. */
    private static void normalize(float[] d, int from, int len, double[] range) {
        float low;
        float high;
        if (range != null) {
            low = (float) range[0];
            high = (float) range[1];
        } else {
            low = Float.POSITIVE_INFINITY;
            high = Float.NEGATIVE_INFINITY;
            for (int i = from; i < from + len; i++) {
                low = Math.min(low, d[i]);
                high = Math.max(high, d[i]);
            }
        }
        float scale = (float) Math.max((range != null ? range[1] - range[0] : (double) high - low), 1e-5);
        for (int i = from; i < from + len; i++) {
            d[i] = (Math.min(Math.max(d[i], low), high) - low) / scale;
        }
    }

    /**
     * A (C, H, W) or (H, W) tensor of values in [0, 1] as an 8-bit image, quantized as save_image:
     * uint8(clamp(x * 255 + 0.5, 0, 255)); C is 1, 3 or 4.
     */
    public static Image toImage(Tensor chw) {
        int[] s = chw.shape();
        if (s.length == 2) {
            s = new int[] {1, s[0], s[1]};
        }
        if (s.length != 3 || s[0] != 1 && s[0] != 3 && s[0] != 4) {
            throw new IllegalArgumentException(
                    "ImageGrid: expected an image (C, H, W) with C 1, 3 or 4, got " + Arrays.toString(chw.shape()));
        }
        int c = s[0];
        int h = s[1];
        int w = s[2];
        float[] d = chw.to(DType.FLOAT32).contiguous().toFloatArray();
        byte[] px = new byte[h * w * c];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h * w; i++) {
                float v = d[ch * h * w + i] * 255f + 0.5f;
                px[i * c + ch] = (byte) (int) Math.min(Math.max(v, 0f), 255f);
            }
        }
        return new Image(w, h, c, px);
    }

    /** Saves the grid of the images as save_image does (PNG unless the file name says jpg or bmp). */
    public static void save(Tensor images, Path path, Options options) throws IOException {
        Image img = toImage(makeGrid(images, options));
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String format = dot < 0 ? "png" : name.substring(dot + 1);
        AtomicFiles.writeFile(path, tmp -> img.write(tmp, format));
    }

    /** Saves with torchvision's defaults (nrow 8, padding 2, no normalization). */
    public static void save(Tensor images, Path path) throws IOException {
        save(images, path, Options.of());
    }
}
