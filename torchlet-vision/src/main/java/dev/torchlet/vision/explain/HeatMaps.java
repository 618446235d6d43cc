package dev.torchlet.vision.explain;

import dev.torchlet.Tensor;
import dev.torchlet.data.transforms.Image;

/**
 * Heat maps blended over images, for explanations: each pixel is
 * {@code (1 - alpha * m) * image + alpha * m * jet(m)} with m the map value in [0, 1] and jet the
 * blue-cyan-yellow-red colormap, so cold regions keep the photo and hot ones turn red.
 */
public final class HeatMaps {
    private HeatMaps() {}

    /** The image with the (H, W) map in [0, 1] blended over it; the map must have the image's size. */
    public static Image overlay(Image image, Tensor map, float alpha) {
        if (map.dim() != 2 || map.size(0) != image.height() || map.size(1) != image.width()) {
            throw new IllegalArgumentException("HeatMaps.overlay: map " + java.util.Arrays.toString(map.shape())
                    + " does not match the image's " + image.height() + "x" + image.width());
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("HeatMaps.overlay: alpha must be in [0, 1], got " + alpha);
        }
        float[] m = map.toFloatArray();
        byte[] out = new byte[image.width() * image.height() * 3];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int i = y * image.width() + x;
                float v = Math.max(0f, Math.min(1f, m[i]));
                float[] rgb = jet(v);
                float w = alpha * v;
                for (int c = 0; c < 3; c++) {
                    int src = image.channels() == 1 ? image.get(x, y, 0) : image.get(x, y, c);
                    out[3 * i + c] = (byte) Math.round((1 - w) * src + w * 255 * rgb[c]);
                }
            }
        }
        return new Image(image.width(), image.height(), 3, out);
    }

    /** The jet colormap at v in [0, 1]: r = clip(1.5 - |4v - 3|), g = clip(1.5 - |4v - 2|), b = clip(1.5 - |4v - 1|).
     */
    static float[] jet(float v) {
        return new float[] {band(4 * v - 3), band(4 * v - 2), band(4 * v - 1)};
    }

    private static float band(float t) {
        return Math.max(0f, Math.min(1f, 1.5f - Math.abs(t)));
    }
}
