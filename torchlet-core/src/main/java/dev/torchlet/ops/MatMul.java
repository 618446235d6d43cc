package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.InferenceMode;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.CopyKernels;
import dev.torchlet.kernels.GemmKernels;
import dev.torchlet.kernels.Parallel;
import dev.torchlet.kernels.ReduceKernels;

/**
 * Matrix products on the GEMM kernel: {@link #matmul} and the fused {@link #linear} (addmm).
 *
 * <p>matmul follows PyTorch's rules: 1-D operands are promoted to a matrix (a row for the left, a
 * column for the right) and the added dim removed again; batch dims broadcast. Transposed views
 * go to the GEMM kernel as transposed operands, without a copy.
 */
public final class MatMul {
    private MatMul() {}

    public static Tensor matmul(Tensor a, Tensor b) {
        int[] as = TensorInternals.shapeRef(a);
        int[] bs = TensorInternals.shapeRef(b);
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dim, got shapes " + Shape.str(as)
                    + " and " + Shape.str(bs));
        }
        if (a.dtype() != b.dtype() || !a.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("matmul: expected two floating-point tensors of the same dtype, got "
                    + a.dtype() + " " + Shape.str(as) + " and " + b.dtype() + " " + Shape.str(bs));
        }
        // the inner sizes, checked here so the message shows the shapes the caller passed
        checkInner(as, bs, as[as.length - 1], bs.length == 1 ? bs[0] : bs[bs.length - 2]);
        if (a.dim() > 2 || b.dim() > 2) {
            int[] batchA = java.util.Arrays.copyOf(as, Math.max(as.length - 2, 0));
            int[] batchB = java.util.Arrays.copyOf(bs, Math.max(bs.length - 2, 0));
            if (!broadcastable(batchA, batchB)) {
                throw new IllegalArgumentException("matmul: " + Shape.str(as) + " @ " + Shape.str(bs) + ": batch dims "
                        + Shape.str(batchA) + " and " + Shape.str(batchB) + " are not broadcastable");
            }
        }
        if (a.dim() == 1 && b.dim() == 1) {
            return batched(a.unsqueeze(0), b.unsqueeze(-1)).reshape();
        }
        if (a.dim() == 1) {
            return batched(a.unsqueeze(0), b).squeeze(-2);
        }
        if (b.dim() == 1) {
            return batched(a, b.unsqueeze(-1)).squeeze(-1);
        }
        if (a.dim() > 2 && b.dim() == 2) {
            // (..., n, k) @ (k, m): the batch folds into the rows, one GEMM (and one for each gradient) instead of
            // one per matrix of the batch (a recurrent layer's input projection (32, 50, 128) @ (128, 512) was 32)
            int[] outShape = as.clone();
            outShape[as.length - 1] = bs[1];
            return batched(a.reshape(-1, as[as.length - 1]), b).reshape(outShape);
        }
        return batched(a, b);
    }

    private static void checkInner(int[] as, int[] bs, int ka, int kb) {
        if (ka != kb) {
            throw new IllegalArgumentException(
                    "matmul: " + Shape.str(as) + " @ " + Shape.str(bs) + ": inner sizes " + ka + " != " + kb);
        }
    }

    private static boolean broadcastable(int[] a, int[] b) {
        for (int i = 1; i <= Math.min(a.length, b.length); i++) {
            int x = a[a.length - i];
            int y = b[b.length - i];
            if (x != y && x != 1 && y != 1) {
                return false;
            }
        }
        return true;
    }

    /** (..., n, k) @ (..., k, m) -> (broadcast batch..., n, m); both at least 2-D. */
    private static Tensor batched(Tensor a, Tensor b) {
        int ra = a.dim();
        int rb = b.dim();
        int n = a.size(-2);
        int k = a.size(-1);
        int m = b.size(-1);
        checkInner(TensorInternals.shapeRef(a), TensorInternals.shapeRef(b), k, b.size(-2));
        int[] batchA = java.util.Arrays.copyOf(TensorInternals.shapeRef(a), ra - 2);
        int[] batchB = java.util.Arrays.copyOf(TensorInternals.shapeRef(b), rb - 2);
        int[] batch = Shape.broadcast("matmul", batchA, batchB);
        int[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = n;
        outShape[batch.length + 1] = m;
        Tensor x = operand(a.detach().expand(concat(batch, n, k)));
        Tensor y = operand(b.detach().expand(concat(batch, k, m)));
        Tensor out = Tensor.empty(a.dtype(), outShape);
        multiply(x, y, out, Shape.numel(batch), n, k, m);
        return Autograd.record(
                batch.length == 0 ? "MmBackward0" : "BmmBackward0", out, new Tensor[] {a, b}, (g, s) -> new Tensor[] {
                    s[0].requiresGrad() ? g.matmul(s[1].transpose(-1, -2)) : null,
                    s[1].requiresGrad() ? s[0].transpose(-1, -2).matmul(g) : null
                });
    }

    private static int[] concat(int[] batch, int r, int c) {
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    /** A matrix stack the kernel can address (see {@link MatrixView#orientation}); otherwise a contiguous copy. */
    private static Tensor operand(Tensor t) {
        return MatrixView.orientation(t) != 0 ? t : t.contiguousCopy();
    }

    private static void multiply(Tensor x, Tensor y, Tensor out, int batches, int n, int k, int m) {
        int rank = x.dim();
        MatrixView[] xs = new MatrixView[batches];
        MatrixView[] ys = new MatrixView[batches];
        for (int bIdx = 0; bIdx < batches; bIdx++) {
            xs[bIdx] = MatrixView.of(x, bIdx, rank);
            ys[bIdx] = MatrixView.of(y, bIdx, rank);
        }
        boolean f32 = x.dtype() == DType.FLOAT32;
        // many small matrices: one matrix per task; few large ones: the GEMM kernel parallelizes inside
        Parallel.RangeBody body = (s, e) -> {
            for (int bIdx = s; bIdx < e; bIdx++) {
                MatrixView xa = xs[bIdx];
                MatrixView yb = ys[bIdx];
                int cOff = bIdx * n * m;
                if (f32) {
                    GemmKernels.sgemm(
                            xa.trans,
                            yb.trans,
                            n,
                            m,
                            k,
                            1f,
                            TensorInternals.storage(x).floats(),
                            xa.offset,
                            xa.ld,
                            TensorInternals.storage(y).floats(),
                            yb.offset,
                            yb.ld,
                            0f,
                            TensorInternals.storage(out).floats(),
                            cOff,
                            m);
                } else {
                    GemmKernels.dgemm(
                            xa.trans,
                            yb.trans,
                            n,
                            m,
                            k,
                            1.0,
                            TensorInternals.storage(x).doubles(),
                            xa.offset,
                            xa.ld,
                            TensorInternals.storage(y).doubles(),
                            yb.offset,
                            yb.ld,
                            0.0,
                            TensorInternals.storage(out).doubles(),
                            cOff,
                            m);
                }
            }
        };
        long flopsPerMatrix = 2L * n * k * m;
        if (batches > 1 && flopsPerMatrix < (1 << 22)) {
            Parallel.forRange(batches, 1, body);
        } else {
            body.run(0, batches);
        }
    }

    // ---------------------------------------------------------------- linear (addmm)

    /**
     * Fused linear y = x W^T + b (behind F.linear and nn.Linear) as one GEMM (bias pre-filled into C,
     * beta = 1), with the backward written straight into each parameter's own layout:
     * <pre>
     *   x (M, K) flattened from (..., K);  W (N, K);  b (N);  y, g (M, N)
     *   gx (M, K) = g @ W            gW (N, K) = g^T @ x            gb (N) = sum over rows of g
     * </pre>
     * (no transposed-weight view whose gradient would need a strided copy back, no broadcast bias add
     * and sum-to-shape reduction). Node name as PyTorch's: AddmmBackward0 (MmBackward0 without bias).
     * x (..., K) with K = W.size(1), at least 1-D; weight (N, K); bias (N) or null. Shapes are checked
     * by the caller (F.linear). A weight that is a transposed view of a row-major (K, N) matrix (an ONNX MatMul
     * weight passed as V.t()) is read in place, as the kernel's other orientation, in both passes. In inference mode
     * a product that the GEMM would pack runs on W^T packed once and kept with the weight ({@link #packedWeight}).
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Ops.requireSameFloat("linear", x, weight, bias);
        DType dt = x.dtype();
        int nOut = weight.size(0);
        int k = weight.size(1);
        if (bias != null && (bias.dim() != 1 || bias.size(0) != nOut)) {
            throw new IllegalArgumentException("linear: bias " + Shape.str(TensorInternals.shapeRef(bias))
                    + " must have shape [" + nOut + "] to match weight " + Shape.str(TensorInternals.shapeRef(weight)));
        }
        int[] xs = x.shape();
        int m = Shape.numel(java.util.Arrays.copyOf(xs, xs.length - 1)); // rows of x flattened to (M, K)
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = nOut;
        Tensor xc = x.detach().contiguous();
        // a transposed view (W = V.t(), V (K, N) row-major, e.g. an imported MatMul weight) is read in place
        Tensor wd = weight.detach();
        Tensor wc = MatrixView.orientation(wd) != 0 ? wd : wd.contiguousCopy();
        MatrixView wv = MatrixView.of(wc, 0, 2);
        Tensor bc = bias == null ? null : bias.detach().contiguous();
        // float32: written whole (bias rows, or beta 0), so in inference mode it may be a recycled buffer
        Tensor out = dt == DType.FLOAT32
                ? TensorInternals.wrap(InferenceMode.outputStorage(Shape.numel(outShape)), outShape)
                : Tensor.empty(dt, outShape);
        if (dt == DType.FLOAT32) {
            float[] o = TensorInternals.storage(out).floats();
            float[] xf = TensorInternals.storage(xc).floats();
            float[] bf = bc == null ? null : TensorInternals.storage(bc).floats();
            int bOff = bc == null ? 0 : bc.offset();
            if (InferenceMode.isEnabled() && GemmKernels.packsB(!wv.trans(), m, nOut, k)) {
                // the weight packed once, the bias put into each block of rows just before its product
                GemmKernels.sgemmParallel(m, xf, xc.offset(), k, packedWeight(wc, wv, nOut, k), bf, bOff, o, 0, nOut);
            } else {
                float beta = 0f;
                if (bc != null) {
                    CopyKernels.repeatRow(bf, bOff, nOut, o, 0, m);
                    beta = 1f;
                }
                GemmKernels.sgemm(
                        false,
                        !wv.trans(),
                        m,
                        nOut,
                        k,
                        1f,
                        xf,
                        xc.offset(),
                        k,
                        TensorInternals.storage(wc).floats(),
                        wv.offset(),
                        wv.ld(),
                        beta,
                        o,
                        0,
                        nOut);
            }
        } else {
            double[] o = TensorInternals.storage(out).doubles();
            double beta = 0;
            if (bc != null) {
                for (int r = 0; r < m; r++) {
                    System.arraycopy(TensorInternals.storage(bc).doubles(), bc.offset(), o, r * nOut, nOut);
                }
                beta = 1;
            }
            GemmKernels.dgemm(
                    false,
                    !wv.trans(),
                    m,
                    nOut,
                    k,
                    1.0,
                    TensorInternals.storage(xc).doubles(),
                    xc.offset(),
                    k,
                    TensorInternals.storage(wc).doubles(),
                    wv.offset(),
                    wv.ld(),
                    beta,
                    o,
                    0,
                    nOut);
        }
        Autograd.record(
                bias == null ? "MmBackward0" : "AddmmBackward0",
                out,
                new Tensor[] {x, weight, bias},
                new Tensor[] {xc, wc},
                (g, s) -> {
                    Tensor gc = g.contiguous();
                    Tensor gx = x.requiresGrad() ? Tensor.empty(dt, xs) : null;
                    Tensor gw = weight.requiresGrad() ? Tensor.empty(dt, nOut, k) : null;
                    Tensor gb = bias != null && bias.requiresGrad() ? Tensor.empty(dt, nOut) : null;
                    if (dt == DType.FLOAT32) {
                        float[] gf = TensorInternals.storage(gc).floats();
                        int go = gc.offset();
                        if (gx != null) {
                            GemmKernels.sgemm(
                                    false,
                                    wv.trans(),
                                    m,
                                    k,
                                    nOut,
                                    1f,
                                    gf,
                                    go,
                                    nOut,
                                    TensorInternals.storage(s[1]).floats(),
                                    wv.offset(),
                                    wv.ld(),
                                    0f,
                                    TensorInternals.storage(gx).floats(),
                                    0,
                                    k);
                        }
                        if (gw != null) {
                            GemmKernels.sgemm(
                                    true,
                                    false,
                                    nOut,
                                    k,
                                    m,
                                    1f,
                                    gf,
                                    go,
                                    nOut,
                                    TensorInternals.storage(s[0]).floats(),
                                    s[0].offset(),
                                    k,
                                    0f,
                                    TensorInternals.storage(gw).floats(),
                                    0,
                                    k);
                        }
                        if (gb != null) {
                            ReduceKernels.columnSum(
                                    gf, go, m, nOut, TensorInternals.storage(gb).floats(), 0);
                        }
                    } else {
                        double[] gd = TensorInternals.storage(gc).doubles();
                        int go = gc.offset();
                        if (gx != null) {
                            GemmKernels.dgemm(
                                    false,
                                    wv.trans(),
                                    m,
                                    k,
                                    nOut,
                                    1.0,
                                    gd,
                                    go,
                                    nOut,
                                    TensorInternals.storage(s[1]).doubles(),
                                    wv.offset(),
                                    wv.ld(),
                                    0.0,
                                    TensorInternals.storage(gx).doubles(),
                                    0,
                                    k);
                        }
                        if (gw != null) {
                            GemmKernels.dgemm(
                                    true,
                                    false,
                                    nOut,
                                    k,
                                    m,
                                    1.0,
                                    gd,
                                    go,
                                    nOut,
                                    TensorInternals.storage(s[0]).doubles(),
                                    s[0].offset(),
                                    k,
                                    0.0,
                                    TensorInternals.storage(gw).doubles(),
                                    0,
                                    k);
                        }
                        if (gb != null) {
                            ReduceKernels.columnSum(
                                    gd, go, m, nOut, TensorInternals.storage(gb).doubles(), 0);
                        }
                    }
                    return new Tensor[] {gx, gw, gb};
                });
        return Autograd.annotate(out, "linear", true);
    }

    /**
     * W^T (k, n) packed into the GEMM's panels, kept with the weight's storage ({@link Storage#derived()}) while the
     * weight is unchanged ({@link Storage#version()}), as the channels-last convolutions keep theirs: in inference
     * mode a Linear packs its weight once instead of on every call (MiniLM: 3.6% of the run). Costs a second copy
     * of the weight's floats while the model lives.
     */
    private static GemmKernels.PackedB packedWeight(Tensor w, MatrixView wv, int n, int k) {
        Storage storage = TensorInternals.storage(w);
        int version = storage.version();
        if (storage.derived() instanceof PackedWeight p && p.matches(version, wv, n, k)) {
            return p.packed();
        }
        GemmKernels.PackedB packed = GemmKernels.packB(!wv.trans(), k, n, storage.floats(), wv.offset(), wv.ld());
        storage.setDerived(new PackedWeight(version, wv.offset(), wv.ld(), wv.trans(), packed));
        return packed;
    }

    /** A Linear weight's packed W^T and what it was packed from. */
    private record PackedWeight(int version, int offset, int ld, boolean trans, GemmKernels.PackedB packed) {
        boolean matches(int v, MatrixView wv, int n, int k) {
            return version == v
                    && offset == wv.offset()
                    && ld == wv.ld()
                    && trans == wv.trans()
                    && packed.n() == n
                    && packed.k() == k;
        }
    }

    /** Offset, leading dimension and orientation of one matrix of a stack. */
    private record MatrixView(int offset, int ld, boolean trans) {
        static MatrixView of(Tensor t, int batchIndex, int rank) {
            int[] shape = TensorInternals.shapeRef(t);
            int[] st = TensorInternals.stridesRef(t);
            int off = t.offset();
            int rem = batchIndex;
            for (int d = rank - 3; d >= 0; d--) {
                off += (rem % shape[d]) * st[d];
                rem /= shape[d];
            }
            int rows = shape[rank - 2];
            int cols = shape[rank - 1];
            if (orientation(t) == 1) {
                return new MatrixView(off, rows == 1 ? Math.max(cols, 1) : st[rank - 2], false);
            }
            return new MatrixView(off, cols == 1 ? Math.max(rows, 1) : st[rank - 1], true);
        }

        /**
         * 1 if rows are unit-stride with a leading dim of at least cols (row-major), -1 if columns are
         * (column-major: the kernel's transposed case), 0 if neither (e.g. a stride-0 expanded dim).
         */
        static int orientation(Tensor t) {
            int[] st = TensorInternals.stridesRef(t);
            int r = st.length;
            int rows = TensorInternals.shapeRef(t)[r - 2];
            int cols = TensorInternals.shapeRef(t)[r - 1];
            if ((cols == 1 || st[r - 1] == 1) && (rows == 1 || st[r - 2] >= cols)) {
                return 1;
            }
            if ((rows == 1 || st[r - 2] == 1) && (cols == 1 || st[r - 1] >= rows)) {
                return -1;
            }
            return 0;
        }
    }
}
