package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.kernels.SoftmaxKernel;

/**
 * softmax and log-softmax along a dim, with fused backward kernels. The input is viewed as a
 * contiguous (outer, n, inner) block with n the softmax dim, so any dim works without a permute:
 * <pre>
 *   softmax(x)_j     = exp(x_j - m) / sum_k exp(x_k - m)          (m = max_k x_k)
 *   logSoftmax(x)_j  = x_j - m - log(sum_k exp(x_k - m))
 *   softmax grad     gx = y * (g - sum(g * y, dim))
 *   logSoftmax grad  gx = g - exp(y) * sum(g, dim)
 * </pre>
 */
public final class Softmax {
    private Softmax() {}

    public static Tensor softmax(Tensor t, int dim) {
        return compute("softmax", "SoftmaxBackward0", t, dim, false);
    }

    public static Tensor logSoftmax(Tensor t, int dim) {
        return compute("log_softmax", "LogSoftmaxBackward0", t, dim, true);
    }

    /** The (outer, n, inner) sizes of t around dim d; a 0-d tensor is (1, 1, 1). */
    private static int[] blocks(int[] shape, int d) {
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < d; i++) {
            outer *= shape[i];
        }
        for (int i = d + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int n = shape.length == 0 ? 1 : shape[d];
        return new int[] {outer, n, inner};
    }

    private static Tensor compute(String op, String node, Tensor t, int dim, boolean log) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expected a floating-point tensor, got " + t.dtype()
                    + " with shape " + Shape.str(t.shapeRef()) + " (convert with .to(DType.FLOAT32) first)");
        }
        int d = Shape.dim(op, dim, t.dim());
        int[] shape = t.shape();
        int[] b = blocks(shape, d);
        Tensor x = t.detach().contiguous();
        Tensor out = Tensor.empty(t.dtype(), shape);
        if (out.numel() > 0) {
            if (t.dtype() == DType.FLOAT32) {
                SoftmaxKernel.forward(x.storage().floats(), x.offset(), out.storage().floats(), b[0], b[1], b[2], log);
            } else {
                SoftmaxKernel.forward(x.storage().doubles(), x.offset(), out.storage().doubles(), b[0], b[1], b[2],
                        log);
            }
        }
        return Autograd.record(node, out, new Tensor[] {t}, new Tensor[] {out}, (g, s) -> {
            Tensor y = s[0];
            Tensor gc = Ops.contiguousAs(g, y.dtype());
            Tensor gx = Tensor.empty(y.dtype(), shape);
            if (gx.numel() > 0) {
                if (y.dtype() == DType.FLOAT32) {
                    SoftmaxKernel.backward(y.storage().floats(), gc.storage().floats(), gc.offset(),
                            gx.storage().floats(), b[0], b[1], b[2], log);
                } else {
                    SoftmaxKernel.backward(y.storage().doubles(), gc.storage().doubles(), gc.offset(),
                            gx.storage().doubles(), b[0], b[1], b[2], log);
                }
            }
            return new Tensor[] {gx};
        });
    }
}
