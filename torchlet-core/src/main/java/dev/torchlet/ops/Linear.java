package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.kernels.Elementwise;
import dev.torchlet.kernels.Gemm;

/**
 * Fused linear layer y = x W^T + b as one GEMM (bias pre-filled into C, beta = 1), with the
 * backward written straight into each parameter's own layout:
 * <pre>
 *   x (M, K) flattened from (..., K);  W (N, K);  b (N);  y, g (M, N)
 *   gx (M, K) = g @ W            gW (N, K) = g^T @ x            gb (N) = sum over rows of g
 * </pre>
 * (no transposed-weight view whose gradient would need a strided copy back, no broadcast bias add
 * and sum-to-shape reduction). Node name as PyTorch's: AddmmBackward0 (MmBackward0 without bias).
 */
public final class Linear {
    private Linear() {}

    /** x (..., K) with K = W.size(1), at least 1-D; weight (N, K); bias (N) or null. Shapes checked by caller. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        DType dt = x.dtype();
        if (!dt.isFloatingPoint() || weight.dtype() != dt || bias != null && bias.dtype() != dt) {
            throw new IllegalArgumentException("linear: expected floating-point input, weight and bias of one dtype, got "
                    + "input " + dt + ", weight " + weight.dtype() + (bias == null ? "" : ", bias " + bias.dtype()));
        }
        int nOut = weight.size(0);
        int k = weight.size(1);
        if (bias != null && (bias.dim() != 1 || bias.size(0) != nOut)) {
            throw new IllegalArgumentException("linear: bias " + Shape.str(bias.shapeRef()) + " must have shape ["
                    + nOut + "] to match weight " + Shape.str(weight.shapeRef()));
        }
        int[] xs = x.shape();
        int m = Shape.numel(java.util.Arrays.copyOf(xs, xs.length - 1)); // rows of x flattened to (M, K)
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = nOut;
        Tensor xc = x.detach().contiguous();
        Tensor wc = weight.detach().contiguous();
        Tensor bc = bias == null ? null : bias.detach().contiguous();
        Tensor out = Tensor.empty(dt, outShape);
        if (dt == DType.FLOAT32) {
            float[] o = out.storage().floats();
            float beta = 0f;
            if (bc != null) {
                for (int r = 0; r < m; r++) {
                    System.arraycopy(bc.storage().floats(), bc.offset(), o, r * nOut, nOut);
                }
                beta = 1f;
            }
            Gemm.sgemm(false, true, m, nOut, k, 1f, xc.storage().floats(), xc.offset(), k,
                    wc.storage().floats(), wc.offset(), k, beta, o, 0, nOut);
        } else {
            double[] o = out.storage().doubles();
            double beta = 0;
            if (bc != null) {
                for (int r = 0; r < m; r++) {
                    System.arraycopy(bc.storage().doubles(), bc.offset(), o, r * nOut, nOut);
                }
                beta = 1;
            }
            Gemm.dgemm(false, true, m, nOut, k, 1.0, xc.storage().doubles(), xc.offset(), k,
                    wc.storage().doubles(), wc.offset(), k, beta, o, 0, nOut);
        }
        return Autograd.record(bias == null ? "MmBackward0" : "AddmmBackward0", out, new Tensor[] {x, weight, bias},
                new Tensor[] {xc, wc}, (g, s) -> {
                    Tensor gc = g.contiguous();
                    Tensor gx = x.requiresGrad() ? Tensor.empty(dt, xs) : null;
                    Tensor gw = weight.requiresGrad() ? Tensor.empty(dt, nOut, k) : null;
                    Tensor gb = bias != null && bias.requiresGrad() ? Tensor.empty(dt, nOut) : null;
                    if (dt == DType.FLOAT32) {
                        float[] gf = gc.storage().floats();
                        int go = gc.offset();
                        if (gx != null) {
                            Gemm.sgemm(false, false, m, k, nOut, 1f, gf, go, nOut, s[1].storage().floats(),
                                    s[1].offset(), k, 0f, gx.storage().floats(), 0, k);
                        }
                        if (gw != null) {
                            Gemm.sgemm(true, false, nOut, k, m, 1f, gf, go, nOut, s[0].storage().floats(),
                                    s[0].offset(), k, 0f, gw.storage().floats(), 0, k);
                        }
                        if (gb != null) {
                            Elementwise.columnSum(gf, go, m, nOut, gb.storage().floats(), 0);
                        }
                    } else {
                        double[] gd = gc.storage().doubles();
                        int go = gc.offset();
                        if (gx != null) {
                            Gemm.dgemm(false, false, m, k, nOut, 1.0, gd, go, nOut, s[1].storage().doubles(),
                                    s[1].offset(), k, 0.0, gx.storage().doubles(), 0, k);
                        }
                        if (gw != null) {
                            Gemm.dgemm(true, false, nOut, k, m, 1.0, gd, go, nOut, s[0].storage().doubles(),
                                    s[0].offset(), k, 0.0, gw.storage().doubles(), 0, k);
                        }
                        if (gb != null) {
                            double[] b = gb.storage().doubles();
                            for (int r = 0; r < m; r++) {
                                for (int j = 0; j < nOut; j++) {
                                    b[j] += gd[go + r * nOut + j];
                                }
                            }
                        }
                    }
                    return new Tensor[] {gx, gw, gb};
                });
    }
}
