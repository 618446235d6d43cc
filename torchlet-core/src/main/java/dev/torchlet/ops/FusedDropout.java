package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Generator;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.GeneratorInternals;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.RandomKernels;
import dev.torchlet.kernels.RandomReference;

/**
 * Inverted dropout as one fused op, its mask never stored:
 * <pre>
 *   out[i] = x[i] * m[i],   m[i] = u[i] &gt;= p ? 1 / (1 - p) : 0     (p and 1 - p rounded to float)
 * </pre>
 * where u[i] is the generator's next uniform draw in x's row-major order. The op takes its window of
 * the generator's stream and draws u inside the kernel, and the backward (dx = dy * m, the same op on
 * dy) draws the same window again, so no samples or mask tensor are allocated, filled or kept for the
 * backward. The values are those of {@code x.mul(DropoutMask.scaledKeep(Torch.rand(shape), p, dtype))},
 * the unfused form, which advances the generator alike.
 */
public final class FusedDropout {
    private FusedDropout() {}

    /** Dropout of x (float32 or float64, any shape and strides) with 0 &lt; p &lt; 1, drawing from g. */
    public static Tensor apply(Tensor x, double p, Generator g) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("dropout: expected a floating-point input, got " + x.dtype()
                    + " of shape " + Shape.str(TensorInternals.shapeRef(x)));
        }
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: the fused op takes 0 < p < 1, got " + p);
        }
        float threshold = (float) p;
        float q = (float) (1 - p);
        Tensor out = masked(x, GeneratorInternals.reserveFloats(g, x.numel()), threshold, q);
        return Autograd.annotate(out, "p", p);
    }

    /** x times the mask of the window: the forward, and (on the output gradient) its own backward. */
    private static Tensor masked(Tensor x, RandomKernels.Draws draws, float threshold, float q) {
        DType dt = x.dtype();
        Tensor xc = x.detach().contiguous();
        Tensor out = Tensor.empty(dt, TensorInternals.shapeRef(x));
        int n = out.numel();
        if (dt == DType.FLOAT32) {
            RandomKernels.dropout(
                    draws.seed(),
                    draws.gamma(),
                    threshold,
                    1f / q,
                    TensorInternals.storage(xc).floats(),
                    xc.offset(),
                    TensorInternals.storage(out).floats(),
                    0,
                    n);
        } else {
            RandomReference.dropout(
                    draws.seed(),
                    draws.gamma(),
                    threshold,
                    1.0 / q,
                    TensorInternals.storage(xc).doubles(),
                    xc.offset(),
                    TensorInternals.storage(out).doubles(),
                    0,
                    n);
        }
        Autograd.record("NativeDropoutBackward0", out, new Tensor[] {x}, new Tensor[0], (grad, s) ->
                new Tensor[] {masked(Ops.contiguousAs(grad, dt), draws, threshold, q)});
        return out;
    }
}
