package dev.torchlet.data.transforms;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;

/**
 * The image math behind the transforms, like {@code torchvision.transforms.functional} on tensors.
 * Inputs are float32 tensors (..., H, W) (usually (C, H, W)); color ops need (..., 3, H, W) or
 * (..., 1, H, W). Every function returns a new contiguous tensor and leaves its input untouched.
 */
public final class Functional {
    private Functional() {}

    // ---------------------------------------------------------------- helpers

    /** The row-major float data of x (its own storage when already compact, else a copy). */
    static float[] data(Tensor x, String op) {
        check(x, op);
        if (x.isDense()) {
            return TensorInternals.storage(x).floats();
        }
        return x.toFloatArray();
    }

    static void check(Tensor x, String op) {
        if (x == null) {
            throw new IllegalArgumentException(op + ": input is null");
        }
        if (x.dtype() != DType.FLOAT32 || x.dim() < 2) {
            throw new IllegalArgumentException(op + ": expected a float32 image tensor (..., H, W), got " + x.dtype()
                    + " " + Shape.str(TensorInternals.shapeRef(x)) + " (use ToTensor on an Image first)");
        }
    }

    static int height(Tensor x) {
        return x.size(-2);
    }

    static int width(Tensor x) {
        return x.size(-1);
    }

    /** Number of (H, W) planes: the product of the leading dims. */
    static int planes(Tensor x) {
        int[] s = TensorInternals.shapeRef(x);
        int p = 1;
        for (int d = 0; d < s.length - 2; d++) {
            p *= s[d];
        }
        return p;
    }

    static Tensor wrap(float[] out, Tensor like, int h, int w) {
        int[] shape = like.shape();
        shape[shape.length - 2] = h;
        shape[shape.length - 1] = w;
        return TensorInternals.wrap(Storage.of(out), shape);
    }

    private static int channels(Tensor x, String op) {
        if (x.dim() < 3 || (x.size(-3) != 1 && x.size(-3) != 3)) {
            throw new IllegalArgumentException(op + ": expected an image (..., C, H, W) with 1 or 3 channels, got "
                    + Shape.str(TensorInternals.shapeRef(x)));
        }
        return x.size(-3);
    }

    // ---------------------------------------------------------------- resize

    /**
     * Output size of torchvision's {@code Resize(size)} for a single int: the smaller edge becomes
     * size and the longer one {@code int(size * long / short)}; then, if maxSize &gt; 0, both
     * shrink so the longer edge is at most maxSize. Returns {height, width}.
     */
    public static int[] resizedSize(int h, int w, int size, int maxSize) {
        if (size <= 0) {
            throw new IllegalArgumentException("Resize: size must be positive, got " + size);
        }
        boolean wide = w >= h;
        int shortSide = wide ? h : w;
        int longSide = wide ? w : h;
        int newShort = size;
        int newLong = (int) ((long) size * longSide / shortSide);
        if (maxSize > 0) {
            if (maxSize <= size) {
                throw new IllegalArgumentException("Resize: maxSize " + maxSize + " must be greater than size " + size);
            }
            if (newLong > maxSize) {
                newShort = (int) ((long) maxSize * newShort / newLong);
                newLong = maxSize;
            }
        }
        return wide ? new int[] {newShort, newLong} : new int[] {newLong, newShort};
    }

    /**
     * Bilinear resize of (..., H, W) to (..., outH, outW), with half-pixel centers
     * (align_corners=False). With antialias, along a shrunk axis the triangle filter is widened
     * by the scale (PIL's and torch's {@code _upsample_bilinear2d_aa}) so every input pixel
     * contributes; without it, plain 2-tap bilinear ({@code F.interpolate}). Separable: rows,
     * then columns.
     */
    public static Tensor resize(Tensor x, int outH, int outW, boolean antialias) {
        float[] src = data(x, "Resize");
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("Resize: output size must be positive, got " + outH + "x" + outW);
        }
        int h = height(x);
        int w = width(x);
        int planes = planes(x);
        Weights wx = antialias ? Weights.antialiased(w, outW) : Weights.bilinear(w, outW);
        Weights wy = antialias ? Weights.antialiased(h, outH) : Weights.bilinear(h, outH);
        float[] tmp = new float[planes * h * outW]; // (P, H, outW)
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                int in = (p * h + y) * w;
                int o = (p * h + y) * outW;
                for (int ox = 0; ox < outW; ox++) {
                    int start = wx.start[ox];
                    int base = ox * wx.taps;
                    float acc = 0;
                    for (int t = 0; t < wx.count[ox]; t++) {
                        acc += src[in + start + t] * wx.w[base + t];
                    }
                    tmp[o + ox] = acc;
                }
            }
        }
        float[] out = new float[planes * outH * outW];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < outH; oy++) {
                int start = wy.start[oy];
                int base = oy * wy.taps;
                int o = (p * outH + oy) * outW;
                for (int t = 0; t < wy.count[oy]; t++) {
                    float wt = wy.w[base + t];
                    int in = (p * h + start + t) * outW;
                    for (int ox = 0; ox < outW; ox++) {
                        out[o + ox] += tmp[in + ox] * wt;
                    }
                }
            }
        }
        return wrap(out, x, outH, outW);
    }

    /** Per output index: first input index, tap count and normalized weights. */
    private record Weights(int taps, int[] start, int[] count, float[] w) {
        /** torch's _compute_weights_aa (float arithmetic as torch does for float32 inputs). */
        static Weights antialiased(int in, int out) {
            float scale = (float) in / out;
            float support = scale >= 1f ? scale : 1f; // interp_size / 2 * scale, interp_size = 2
            float invscale = scale >= 1f ? 1f / scale : 1f;
            int taps = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[out];
            int[] count = new int[out];
            float[] w = new float[out * taps];
            for (int i = 0; i < out; i++) {
                float center = scale * (i + 0.5f);
                int xmin = Math.max((int) (center - support + 0.5f), 0);
                int xsize = Math.min((int) (center + support + 0.5f), in) - xmin;
                xsize = Math.min(xsize, taps);
                float total = 0;
                for (int j = 0; j < xsize; j++) {
                    float v = triangle((j + xmin - center + 0.5f) * invscale);
                    w[i * taps + j] = v;
                    total += v;
                }
                if (total != 0) {
                    for (int j = 0; j < xsize; j++) {
                        w[i * taps + j] /= total;
                    }
                }
                start[i] = xmin;
                count[i] = xsize;
            }
            return new Weights(taps, start, count, w);
        }

        /** torch's linear upsample indices: src = max(scale * (i + 0.5) - 0.5, 0), 2 taps. */
        static Weights bilinear(int in, int out) {
            float scale = (float) in / out;
            int[] start = new int[out];
            int[] count = new int[out];
            float[] w = new float[out * 2];
            for (int i = 0; i < out; i++) {
                float real = Math.max(scale * (i + 0.5f) - 0.5f, 0f);
                int i0 = Math.min((int) Math.floor(real), in - 1);
                float lambda = Math.min(Math.max(real - i0, 0f), 1f);
                start[i] = i0;
                if (i0 < in - 1) {
                    count[i] = 2;
                    w[2 * i] = 1f - lambda;
                    w[2 * i + 1] = lambda;
                } else {
                    count[i] = 1;
                    w[2 * i] = 1f;
                }
            }
            return new Weights(2, start, count, w);
        }

        private static float triangle(float x) {
            x = Math.abs(x);
            return x < 1f ? 1f - x : 0f;
        }
    }

    // ---------------------------------------------------------------- geometry

    /**
     * The (h, w) window whose top-left corner is (top, left); parts outside the image are filled
     * with fill (torchvision pads with zeros in that case).
     */
    public static Tensor crop(Tensor x, int top, int left, int h, int w, float fill) {
        float[] src = data(x, "crop");
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException("crop: size must be positive, got " + h + "x" + w);
        }
        int ih = height(x);
        int iw = width(x);
        int planes = planes(x);
        float[] out = new float[planes * h * w];
        if (fill != 0) {
            java.util.Arrays.fill(out, fill);
        }
        int x0 = Math.max(0, -left);
        int x1 = Math.min(w, iw - left);
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                int sy = top + y;
                if (sy < 0 || sy >= ih || x1 <= x0) {
                    continue;
                }
                System.arraycopy(src, (p * ih + sy) * iw + left + x0, out, (p * h + y) * w + x0, x1 - x0);
            }
        }
        return wrap(out, x, h, w);
    }

    public static Tensor crop(Tensor x, int top, int left, int h, int w) {
        return crop(x, top, left, h, w, 0f);
    }

    /**
     * torchvision's center_crop: top = round((H - h) / 2) with Python's round-half-to-even; a crop
     * larger than the image is zero-padded, (h - H) // 2 on the top/left.
     */
    public static Tensor centerCrop(Tensor x, int h, int w) {
        check(x, "CenterCrop");
        int ih = height(x);
        int iw = width(x);
        int top = h > ih ? -((h - ih) / 2) : (int) Math.rint((ih - h) / 2.0);
        int left = w > iw ? -((w - iw) / 2) : (int) Math.rint((iw - w) / 2.0);
        return crop(x, top, left, h, w, 0f);
    }

    /** Pads by (left, top, right, bottom) with a constant. */
    public static Tensor pad(Tensor x, int left, int top, int right, int bottom, float fill) {
        check(x, "pad");
        if (left < 0 || top < 0 || right < 0 || bottom < 0) {
            throw new IllegalArgumentException(
                    "pad: padding must be >= 0, got [" + left + ", " + top + ", " + right + ", " + bottom + "]");
        }
        return crop(x, -top, -left, height(x) + top + bottom, width(x) + left + right, fill);
    }

    /** Mirrors left-right (reverses W). */
    public static Tensor hflip(Tensor x) {
        float[] src = data(x, "hflip");
        int h = height(x);
        int w = width(x);
        float[] out = new float[src.length];
        for (int row = 0; row < planes(x) * h; row++) {
            int o = row * w;
            for (int c = 0; c < w; c++) {
                out[o + c] = src[o + w - 1 - c];
            }
        }
        return wrap(out, x, h, w);
    }

    /** Mirrors top-bottom (reverses H). */
    public static Tensor vflip(Tensor x) {
        float[] src = data(x, "vflip");
        int h = height(x);
        int w = width(x);
        float[] out = new float[src.length];
        for (int p = 0; p < planes(x); p++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, (p * h + h - 1 - y) * w, out, (p * h + y) * w, w);
            }
        }
        return wrap(out, x, h, w);
    }

    /**
     * Rotates counter-clockwise by angle degrees about the image center, keeping the size
     * (expand=False), nearest-neighbour sampling, fill outside; like torchvision's rotate with
     * InterpolationMode.NEAREST. Output pixel (x, y) reads the input at the inverse rotation of
     * its center offset from the image center ((W - 1) / 2, (H - 1) / 2).
     */
    public static Tensor rotate(Tensor x, double angleDegrees, float fill) {
        float[] src = data(x, "rotate");
        int h = height(x);
        int w = width(x);
        double a = Math.toRadians(angleDegrees);
        double cos = Math.cos(a);
        double sin = Math.sin(a);
        // Snap tiny values so rotations by multiples of 90 degrees are exact permutations.
        if (Math.abs(cos) < 1e-12) {
            cos = 0;
        }
        if (Math.abs(sin) < 1e-12) {
            sin = 0;
        }
        double cx = (w - 1) * 0.5;
        double cy = (h - 1) * 0.5;
        float[] out = new float[src.length];
        int planes = planes(x);
        for (int y = 0; y < h; y++) {
            double dy = y - cy;
            for (int xx = 0; xx < w; xx++) {
                double dx = xx - cx;
                // Counter-clockwise on screen (y down): inverse map is a rotation by +angle in these coordinates.
                double sx = cos * dx - sin * dy + cx;
                double sy = sin * dx + cos * dy + cy;
                int ix = (int) Math.floor(sx + 0.5);
                int iy = (int) Math.floor(sy + 0.5);
                boolean inside = ix >= 0 && ix < w && iy >= 0 && iy < h;
                for (int p = 0; p < planes; p++) {
                    out[(p * h + y) * w + xx] = inside ? src[(p * h + iy) * w + ix] : fill;
                }
            }
        }
        return wrap(out, x, h, w);
    }

    /** Sets the (h, w) window at (top, left) to value, like torchvision's erase. */
    public static Tensor erase(Tensor x, int top, int left, int h, int w, float value) {
        float[] src = data(x, "erase");
        int ih = height(x);
        int iw = width(x);
        if (top < 0 || left < 0 || h < 0 || w < 0 || top + h > ih || left + w > iw) {
            throw new IllegalArgumentException("erase: window " + h + "x" + w + " at (" + top + ", " + left
                    + ") does not fit in " + ih + "x" + iw);
        }
        float[] out = src.clone();
        for (int p = 0; p < planes(x); p++) {
            for (int y = top; y < top + h; y++) {
                java.util.Arrays.fill(out, (p * ih + y) * iw + left, (p * ih + y) * iw + left + w, value);
            }
        }
        return wrap(out, x, ih, iw);
    }

    // ---------------------------------------------------------------- color

    /** (x - mean[c]) / std[c] per channel c of (..., C, H, W). */
    public static Tensor normalize(Tensor x, float[] mean, float[] std) {
        float[] src = data(x, "Normalize");
        if (x.dim() < 3) {
            throw new IllegalArgumentException(
                    "Normalize: expected (..., C, H, W), got " + Shape.str(TensorInternals.shapeRef(x)));
        }
        int c = x.size(-3);
        if ((mean.length != c && mean.length != 1) || (std.length != c && std.length != 1)) {
            throw new IllegalArgumentException("Normalize: " + mean.length + " means and " + std.length + " stds for "
                    + c + " channels (shape " + Shape.str(TensorInternals.shapeRef(x)) + ")");
        }
        int hw = height(x) * width(x);
        float[] out = new float[src.length];
        for (int p = 0; p < planes(x); p++) {
            int ch = p % c;
            float m = mean[mean.length == 1 ? 0 : ch];
            float s = std[std.length == 1 ? 0 : ch];
            int o = p * hw;
            for (int i = o; i < o + hw; i++) {
                out[i] = (src[i] - m) / s;
            }
        }
        return wrap(out, x, height(x), width(x));
    }

    /**
     * Luma (0.2989 R + 0.587 G + 0.114 B, torchvision's rgb_to_grayscale, float32 arithmetic),
     * repeated to numOutputChannels (1 or 3). A 1-channel input is copied.
     */
    public static Tensor rgbToGrayscale(Tensor x, int numOutputChannels) {
        float[] src = data(x, "Grayscale");
        if (numOutputChannels != 1 && numOutputChannels != 3) {
            throw new IllegalArgumentException("Grayscale: numOutputChannels must be 1 or 3, got " + numOutputChannels);
        }
        int c = channels(x, "Grayscale");
        int hw = height(x) * width(x);
        int images = planes(x) / c;
        float[] out = new float[images * numOutputChannels * hw];
        for (int n = 0; n < images; n++) {
            int in = n * c * hw;
            int o = n * numOutputChannels * hw;
            for (int i = 0; i < hw; i++) {
                float l = c == 1
                        ? src[in + i]
                        : 0.2989f * src[in + i] + 0.587f * src[in + hw + i] + 0.114f * src[in + 2 * hw + i];
                for (int k = 0; k < numOutputChannels; k++) {
                    out[o + k * hw + i] = l;
                }
            }
        }
        int[] shape = x.shape();
        shape[shape.length - 3] = numOutputChannels;
        return TensorInternals.wrap(Storage.of(out), shape);
    }

    /** clamp(factor * x, 0, 1). */
    public static Tensor adjustBrightness(Tensor x, float factor) {
        checkFactor("adjustBrightness", factor);
        float[] src = data(x, "adjustBrightness");
        float[] out = new float[src.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = clamp01(factor * src[i]);
        }
        return wrap(out, x, height(x), width(x));
    }

    /** clamp(factor * x + (1 - factor) * mean(gray(x)), 0, 1), the mean per image. */
    public static Tensor adjustContrast(Tensor x, float factor) {
        checkFactor("adjustContrast", factor);
        float[] src = data(x, "adjustContrast");
        int c = channels(x, "adjustContrast");
        float[] gray = data(rgbToGrayscale(x, 1), "adjustContrast");
        int hw = height(x) * width(x);
        float[] out = new float[src.length];
        for (int n = 0; n < planes(x) / c; n++) {
            double sum = 0;
            for (int i = 0; i < hw; i++) {
                sum += gray[n * hw + i];
            }
            float mean = (float) (sum / hw);
            for (int i = n * c * hw; i < (n + 1) * c * hw; i++) {
                out[i] = clamp01(factor * src[i] + (1 - factor) * mean);
            }
        }
        return wrap(out, x, height(x), width(x));
    }

    /** clamp(factor * x + (1 - factor) * gray(x), 0, 1). */
    public static Tensor adjustSaturation(Tensor x, float factor) {
        checkFactor("adjustSaturation", factor);
        float[] src = data(x, "adjustSaturation");
        int c = channels(x, "adjustSaturation");
        if (c == 1) {
            return wrap(src.clone(), x, height(x), width(x));
        }
        float[] gray = data(rgbToGrayscale(x, 1), "adjustSaturation");
        int hw = height(x) * width(x);
        float[] out = new float[src.length];
        for (int n = 0; n < planes(x) / c; n++) {
            for (int k = 0; k < c; k++) {
                for (int i = 0; i < hw; i++) {
                    int j = (n * c + k) * hw + i;
                    out[j] = clamp01(factor * src[j] + (1 - factor) * gray[n * hw + i]);
                }
            }
        }
        return wrap(out, x, height(x), width(x));
    }

    /** Shifts the hue by hueFactor turns (in [-0.5, 0.5]) through HSV, like torchvision's adjust_hue. */
    public static Tensor adjustHue(Tensor x, float hueFactor) {
        if (!(hueFactor >= -0.5f && hueFactor <= 0.5f)) {
            throw new IllegalArgumentException("adjustHue: hueFactor must be in [-0.5, 0.5], got " + hueFactor);
        }
        float[] src = data(x, "adjustHue");
        int c = channels(x, "adjustHue");
        if (c == 1) {
            return wrap(src.clone(), x, height(x), width(x));
        }
        int hw = height(x) * width(x);
        float[] out = new float[src.length];
        for (int n = 0; n < planes(x) / 3; n++) {
            int base = n * 3 * hw;
            for (int i = 0; i < hw; i++) {
                float r = src[base + i];
                float g = src[base + hw + i];
                float b = src[base + 2 * hw + i];
                // rgb -> hsv (torchvision's _rgb2hsv)
                float maxc = Math.max(r, Math.max(g, b));
                float minc = Math.min(r, Math.min(g, b));
                float cr = maxc - minc;
                float s = cr / (maxc == 0 ? 1 : maxc);
                float crDiv = maxc == minc ? 1 : cr;
                float rc = (maxc - r) / crDiv;
                float gc = (maxc - g) / crDiv;
                float bc = (maxc - b) / crDiv;
                float hh;
                if (maxc == r) {
                    hh = bc - gc;
                } else if (maxc == g) {
                    hh = 2f + rc - bc;
                } else {
                    hh = 4f + gc - rc;
                }
                hh = floorMod(hh / 6f + 1f, 1f);
                hh = floorMod(hh + hueFactor, 1f);
                // hsv -> rgb (torchvision's _hsv2rgb)
                float v = maxc;
                float i6 = (float) Math.floor(hh * 6f);
                float f = hh * 6f - i6;
                int sector = ((int) i6) % 6;
                float p = clamp01(v * (1f - s));
                float q = clamp01(v * (1f - s * f));
                float t = clamp01(v * (1f - s * (1f - f)));
                float[] rgb = switch (sector) {
                    case 0 -> new float[] {v, t, p};
                    case 1 -> new float[] {q, v, p};
                    case 2 -> new float[] {p, v, t};
                    case 3 -> new float[] {p, q, v};
                    case 4 -> new float[] {t, p, v};
                    default -> new float[] {v, p, q};
                };
                out[base + i] = rgb[0];
                out[base + hw + i] = rgb[1];
                out[base + 2 * hw + i] = rgb[2];
            }
        }
        return wrap(out, x, height(x), width(x));
    }

    private static float floorMod(float a, float m) {
        return a - (float) Math.floor(a / m) * m;
    }

    private static void checkFactor(String op, float factor) {
        if (!(factor >= 0) || Float.isInfinite(factor)) {
            throw new IllegalArgumentException(op + ": factor must be a finite value >= 0, got " + factor);
        }
    }

    private static float clamp01(float v) {
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }
}
