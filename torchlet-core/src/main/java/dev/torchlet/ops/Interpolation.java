package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.InterpolationKernels;
import dev.torchlet.kernels.InterpolationKernels.Axis;

/**
 * 2-D resizing of (N, C, H, W) to (N, C, outH, outW), like torch.nn.functional.interpolate with
 * mode "nearest" or "bilinear" (the op behind F.interpolate and nn.Upsample): to an explicit size,
 * or by scale factors (then the source index uses 1/scale, as PyTorch does without
 * recompute_scale_factor). Each output pixel is a weighted sum of at most four input pixels, so the
 * backward scatters g back with the same weights.
 */
public final class Interpolation {
    private Interpolation() {}

    /**
     * @param size        (outH, outW) or null when scale factors are given
     * @param scale       (sh, sw) or null when size is given
     */
    public static Tensor interpolate(Tensor x, int[] size, double[] scale, String mode, boolean alignCorners) {
        String op = "interpolate";
        if (x.dim() != 4) {
            throw new IllegalArgumentException(
                    op + ": expected a 4-D input (N, C, H, W), got " + Shape.str(TensorInternals.shapeRef(x)));
        }
        Ops.requireFloat(op, x);
        if ((size == null) == (scale == null)) {
            throw new IllegalArgumentException(op + ": give exactly one of size and scale factor");
        }
        boolean bilinear = switch (mode) {
            case "nearest" -> false;
            case "bilinear" -> true;
            default ->
                throw new IllegalArgumentException(op + ": mode must be 'nearest' or 'bilinear', got '" + mode + "'");
        };
        if (alignCorners && !bilinear) {
            throw new IllegalArgumentException(op + ": alignCorners only has an effect for bilinear mode");
        }
        int n = x.size(0);
        int c = x.size(1);
        int h = x.size(2);
        int w = x.size(3);
        int oh = size != null ? size[0] : (int) Math.floor(h * scale[0]);
        int ow = size != null ? size[1] : (int) Math.floor(w * scale[1]);
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(op + ": output size (" + oh + ", " + ow + ") must be positive");
        }
        double sh = scale != null ? 1 / scale[0] : h / (double) oh;
        double sw = scale != null ? 1 / scale[1] : w / (double) ow;
        Axis ay = axis(bilinear, h, oh, sh, alignCorners);
        Axis ax = axis(bilinear, w, ow, sw, alignCorners);
        Tensor in = x.contiguous();
        Tensor out = Tensor.empty(x.dtype(), n, c, oh, ow);
        int planes = n * c;
        boolean nearestF32 = !bilinear && x.dtype() == DType.FLOAT32;
        if (nearestF32) {
            InterpolationKernels.nearestForward(
                    TensorInternals.storage(in).floats(),
                    in.offset(),
                    TensorInternals.storage(out).floats(),
                    planes,
                    h,
                    w,
                    ay,
                    ax);
        } else if (x.dtype() == DType.FLOAT32) {
            float[] src = in.offset() == 0
                    ? TensorInternals.storage(in).floats()
                    : TensorInternals.storage(in.contiguousCopy()).floats();
            InterpolationKernels.forward(src, TensorInternals.storage(out).floats(), planes, h, w, ay, ax);
        } else {
            double[] src = in.offset() == 0
                    ? TensorInternals.storage(in).doubles()
                    : TensorInternals.storage(in.contiguousCopy()).doubles();
            InterpolationKernels.forward(src, TensorInternals.storage(out).doubles(), planes, h, w, ay, ax);
        }
        int[] inShape = x.shape();
        Autograd.record(
                bilinear ? "UpsampleBilinear2DBackward0" : "UpsampleNearest2DBackward0",
                out,
                new Tensor[] {x},
                new Tensor[0],
                (g, s) -> {
                    if (nearestF32 && g.dtype() == DType.FLOAT32) {
                        Tensor gc = g.contiguous();
                        Tensor gi = Ops.output(DType.FLOAT32, inShape, gc); // written whole
                        InterpolationKernels.nearestBackward(
                                TensorInternals.storage(gc).floats(),
                                gc.offset(),
                                TensorInternals.storage(gi).floats(),
                                planes,
                                h,
                                w,
                                ay,
                                ax);
                        return new Tensor[] {gi};
                    }
                    Tensor gd = g.to(DType.FLOAT64).contiguousCopy();
                    Tensor gi = Tensor.empty(DType.FLOAT64, inShape);
                    InterpolationKernels.backward(
                            TensorInternals.storage(gd).doubles(),
                            TensorInternals.storage(gi).doubles(),
                            planes,
                            h,
                            w,
                            ay,
                            ax);
                    return new Tensor[] {gi.to(g.dtype())};
                });
        return Autograd.annotate(out, "mode", mode, "align_corners", alignCorners);
    }

    private static Axis axis(boolean bilinear, int in, int out, double scale, boolean alignCorners) {
        return bilinear
                ? InterpolationKernels.linear(in, out, scale, alignCorners)
                : InterpolationKernels.nearest(in, out, scale);
    }
}
