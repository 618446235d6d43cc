package dev.torchlet.onnx;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Arrays;

/**
 * Resize's cubic mode (opset 11+), one spatial axis at a time: along an axis of input length n resized to m, every
 * output sample is a weighted sum of four input samples, so the axis is resized by an (m, n) matrix W:
 *
 * <pre>
 * y[..., o, ...] = sum_i W[o, i] x[..., i, ...]      W[o, floor(s) + k] += c_k(s - floor(s)),  k = -1, 0, 1, 2
 * c(t) = { ((A(t+1) - 5A)(t+1) + 8A)(t+1) - 4A,  ((A+2)t - (A+3))t^2 + 1,
 *          ((A+2)(1-t) - (A+3))(1-t)^2 + 1,    ((A(2-t) - 5A)(2-t) + 8A)(2-t) - 4A }
 * </pre>
 *
 * with A = cubic_coeff_a (default -0.75, PyTorch's bicubic) and s the source coordinate of output o
 * (coordinate_transformation_mode: half_pixel (o + 1/2) / scale - 1/2, pytorch_half_pixel the same but 0 when m = 1,
 * align_corners o (n - 1) / (m - 1), asymmetric o / scale). Indices outside 0..n-1 take the edge sample
 * (exclude_outside = 0) or are dropped with the remaining weights renormalized (exclude_outside = 1). Built from
 * matmuls, so gradients flow to the input.
 */
final class OnnxResizeCubic {
    private OnnxResizeCubic() {}

    /** Resize's inputs scales (one per axis; output size floor(size * scale)) or sizes (scale = out / in). */
    static Tensor resize(OnnxNode n, Tensor x, Tensor scalesIn, Tensor sizesIn, String coordinates) {
        int[] outSize = new int[x.dim()];
        float[] scales = null;
        if (sizesIn != null && sizesIn.numel() > 0) {
            outSize = Arrays.stream(sizesIn.toLongArray())
                    .mapToInt(Math::toIntExact)
                    .toArray();
        } else if (scalesIn != null && scalesIn.numel() > 0) {
            scales = scalesIn.to(DType.FLOAT32).toFloatArray();
            for (int d = 0; d < Math.min(scales.length, outSize.length); d++) {
                outSize[d] = (int) Math.floor(x.size(d) * scales[d]);
            }
        }
        if (outSize.length != x.dim() || (scales != null && scales.length != x.dim())) {
            throw new IllegalArgumentException(n.describe() + ": needs " + x.dim() + " scales or sizes for an input "
                    + "of shape " + Arrays.toString(x.shape()));
        }
        return resize(n, x, outSize, scales, coordinates);
    }

    /**
     * x resized to outSize along each axis whose size changes or whose scale is not 1; scales (one per axis) may be
     * null when the sizes were given (the scale is then outSize / inSize).
     */
    static Tensor resize(OnnxNode n, Tensor x, int[] outSize, float[] scales, String coordinates) {
        float a = n.f("cubic_coeff_a", -0.75f);
        boolean excludeOutside = n.i("exclude_outside", 0) != 0;
        Tensor y = x;
        for (int d = 0; d < x.dim(); d++) {
            double scale = scales != null ? scales[d] : (double) outSize[d] / x.size(d);
            if (outSize[d] == x.size(d) && scale == 1.0) {
                continue;
            }
            if (d < 2 && x.dim() > 2) {
                throw new IllegalArgumentException(n.describe() + ": cubic resizing of the batch or channel axis (" + d
                        + ") is not supported, output size " + Arrays.toString(outSize));
            }
            double[] w = weights(n, x.size(d), outSize[d], scale, coordinates, a, excludeOutside);
            Tensor matrix = Torch.tensor(w, outSize[d], x.size(d)).to(x.dtype()); // (m, n)
            // (..., n, ..., k) -> axis last -> @ W^T (n, m) -> axis back
            y = y.transpose(d, y.dim() - 1).matmul(matrix.t()).transpose(d, y.dim() - 1);
        }
        return y;
    }

    /** The (m, n) interpolation matrix of one axis, row-major. */
    static double[] weights(
            OnnxNode node, int n, int m, double scale, String coordinates, double a, boolean excludeOutside) {
        double[] w = new double[m * n];
        for (int o = 0; o < m; o++) {
            double s = switch (coordinates) {
                case "half_pixel" -> (o + 0.5) / scale - 0.5;
                case "pytorch_half_pixel" -> m > 1 ? (o + 0.5) / scale - 0.5 : 0;
                case "align_corners" -> m > 1 ? o * (n - 1.0) / (m - 1.0) : 0;
                case "asymmetric" -> o / scale;
                default ->
                    throw new IllegalArgumentException(node.describe() + ": cubic mode with "
                            + "coordinate_transformation_mode '" + coordinates + "' is not supported (half_pixel, "
                            + "pytorch_half_pixel, align_corners, asymmetric)");
            };
            int base = (int) Math.floor(s);
            double t = s - base;
            double[] c = coefficients(t, a);
            double kept = 0;
            for (int k = 0; k < 4; k++) {
                int i = base - 1 + k;
                if (excludeOutside && (i < 0 || i >= n)) {
                    c[k] = 0;
                }
                kept += c[k];
            }
            for (int k = 0; k < 4; k++) {
                int i = Math.max(0, Math.min(n - 1, base - 1 + k)); // edge samples repeat outside 0..n-1
                w[o * n + i] += excludeOutside ? c[k] / kept : c[k];
            }
        }
        return w;
    }

    /** The weights of samples floor(s) - 1 .. floor(s) + 2 at fraction t = s - floor(s) (they sum to 1). */
    private static double[] coefficients(double t, double a) {
        double t1 = t + 1;
        double u = 1 - t;
        double u1 = u + 1;
        return new double[] {
            ((a * t1 - 5 * a) * t1 + 8 * a) * t1 - 4 * a,
            ((a + 2) * t - (a + 3)) * t * t + 1,
            ((a + 2) * u - (a + 3)) * u * u + 1,
            ((a * u1 - 5 * a) * u1 + 8 * a) * u1 - 4 * a
        };
    }
}
