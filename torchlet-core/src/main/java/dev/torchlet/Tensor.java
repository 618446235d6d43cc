package dev.torchlet;

import dev.torchlet.autograd.Engine;
import dev.torchlet.autograd.Node;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.ops.Activations;
import dev.torchlet.ops.Arithmetic;
import dev.torchlet.ops.Assign;
import dev.torchlet.ops.Comparison;
import dev.torchlet.ops.Conversion;
import dev.torchlet.ops.Indexing;
import dev.torchlet.ops.Joining;
import dev.torchlet.ops.MatMul;
import dev.torchlet.ops.Reductions;
import dev.torchlet.ops.Unary;
import dev.torchlet.ops.Views;
import java.util.List;

/**
 * An n-dimensional array with autograd, like {@code torch.Tensor}.
 *
 * <p>A tensor is a strided view onto a flat {@link Storage}: element {@code (i0, i1, ...)} lives at
 * {@code offset + i0*strides[0] + i1*strides[1] + ...}. View ops (view, transpose, expand, narrow,
 * ...) share storage; everything else returns new storage. This class is a thin facade: each op is
 * a small class in {@code dev.torchlet.ops} with its forward and backward side by side.
 */
public final class Tensor {
    private final Storage storage;
    private final int offset;
    private final int[] shape;
    private final int[] strides;

    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;

    private Tensor(Storage storage, int offset, int[] shape, int[] strides) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    // ---------------------------------------------------------------- construction (internal)

    static {
        TensorInternals.install(new InternalAccess());
    }

    /** A view onto existing storage. Internal: others reach it through {@link TensorInternals#wrap}. */
    static Tensor wrap(Storage storage, int offset, int[] shape, int[] strides) {
        return new Tensor(storage, offset, shape, strides);
    }

    /** A contiguous tensor over the whole storage. */
    static Tensor wrap(Storage storage, int... shape) {
        if (Shape.numel(shape) != storage.length()) {
            throw new IllegalArgumentException("tensor: " + storage.length() + " values do not fit shape "
                    + Shape.str(shape) + " (" + Shape.numel(shape) + " elements)");
        }
        return new Tensor(storage, 0, shape.clone(), Shape.contiguousStrides(shape));
    }

    /** A new zero-filled contiguous tensor. */
    public static Tensor empty(DType dtype, int... shape) {
        return wrap(Storage.allocate(dtype, Shape.numel(shape)), shape);
    }

    // ---------------------------------------------------------------- metadata

    public int[] shape() {
        return shape.clone();
    }

    /** Size of one dim; negative dims count from the end. */
    public int size(int dim) {
        return shape[Shape.dim("size", dim, shape.length)];
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return Shape.numel(shape);
    }

    public DType dtype() {
        return storage.dtype();
    }

    /** Internal: the flat storage (shared by views). */
    Storage storage() {
        return storage;
    }

    /** Internal: the index of element (0, 0, ...) in the storage. */
    public int offset() {
        return offset;
    }

    /** Internal: elements to skip per step along each dim. */
    public int[] strides() {
        return strides.clone();
    }

    /** Internal: the shape array itself, not a copy. Callers must not modify it. */
    int[] shapeRef() {
        return shape;
    }

    /** Internal: the strides array itself, not a copy. Callers must not modify it. */
    int[] stridesRef() {
        return strides;
    }

    /**
     * True if this tensor is contiguous, starts at offset 0 and its storage holds exactly its elements:
     * the storage's array is this tensor's data in row-major order, with nothing else in it.
     */
    public boolean isDense() {
        return offset == 0 && storage.length() == numel() && isContiguous();
    }

    /** True if elements are laid out row-major without gaps (size-1 dims may have any stride). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    // ---------------------------------------------------------------- element access

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalStateException(
                    "item: only a one-element tensor can be converted to a scalar, got shape " + Shape.str(shape));
        }
        return (float) storage.getDouble(offset);
    }

    /** The value of a one-element tensor, in double precision. */
    public double itemDouble() {
        item();
        return storage.getDouble(offset);
    }

    /** Element at the given index (one index per dim), as a double. */
    public double getDouble(int... index) {
        return storage.getDouble(flatIndex(index));
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("get: expected " + shape.length + " indices for shape "
                    + Shape.str(shape) + ", got " + index.length);
        }
        int p = offset;
        for (int d = 0; d < index.length; d++) {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IndexOutOfBoundsException(
                        "get: index " + index[d] + " is out of bounds for dim " + d + " with size " + shape[d]);
            }
            p += i * strides[d];
        }
        return p;
    }

    /** A row-major copy of the values as float32. */
    public float[] toFloatArray() {
        return Conversion.rawCopy(this, DType.FLOAT32).storage.floats();
    }

    /** A row-major copy of the values as float64. */
    public double[] toDoubleArray() {
        return Conversion.rawCopy(this, DType.FLOAT64).storage.doubles();
    }

    /** A row-major copy of the values as int64 (floats are truncated toward zero). */
    public long[] toLongArray() {
        return Conversion.rawCopy(this, DType.INT64).storage.longs();
    }

    /** A row-major copy of the values as booleans (non-zero is true). */
    public boolean[] toBooleanArray() {
        return Conversion.rawCopy(this, DType.BOOL).storage.bools();
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor as needing gradients (or not). Like PyTorch, only leaves may be changed,
     * and only floating-point tensors can require grad.
     */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: can only change the flag of a leaf tensor; this one was "
                    + "produced by " + gradFn.name() + " (use detach() first)");
        }
        if (value && !dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(
                    "requiresGrad: only floating-point tensors can require gradients, got " + dtype());
        }
        requiresGrad = value;
        return this;
    }

    /** The accumulated gradient of a leaf, or null before the first backward. */
    public Tensor grad() {
        return grad;
    }

    /** Sets or clears (null) the gradient. */
    public void setGrad(Tensor grad) {
        if (grad != null && !java.util.Arrays.equals(grad.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Shape.str(grad.shape)
                    + " does not match tensor shape " + Shape.str(shape));
        }
        this.grad = grad;
    }

    /** The node that produced this tensor, or null for leaves. */
    public Node gradFn() {
        return gradFn;
    }

    /** Internal: called by {@code Autograd.record}. */
    void attachGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Backward from a one-element tensor (gradient 1). */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward: grad can be implicitly created only for scalar outputs; this "
                    + "tensor has shape " + Shape.str(shape) + ", so pass a gradient: backward(grad)");
        }
        Engine.backward(this, Torch.onesLike(this), false);
    }

    public void backward(Tensor gradient) {
        backward(gradient, false);
    }

    /** Backward with an explicit output gradient; retainGraph keeps saved tensors for another pass. */
    public void backward(Tensor gradient, boolean retainGraph) {
        Engine.backward(this, gradient, retainGraph);
    }

    /** A tensor sharing storage but cut from the graph. */
    public Tensor detach() {
        return new Tensor(storage, offset, shape, strides);
    }

    /** The dims of (N, C, H, W) in channels-last memory order, innermost first: C, W, H, N. */
    private static final int[] CHANNELS_LAST_ORDER = {1, 3, 2, 0};

    /**
     * True if this tensor is laid out in the given memory format without gaps, like PyTorch's
     * {@code is_contiguous(memory_format=...)}: {@link MemoryFormat#CONTIGUOUS} is {@link #isContiguous()};
     * {@link MemoryFormat#CHANNELS_LAST} needs a 4-D tensor with strides (H*W*C, 1, W*C, C) (size-1 dims may
     * have any stride, so a tensor with one channel or one pixel is both).
     */
    public boolean isContiguous(MemoryFormat format) {
        if (format == MemoryFormat.CONTIGUOUS) {
            return isContiguous();
        }
        if (shape.length != 4) {
            return false;
        }
        int expected = 1;
        for (int d : CHANNELS_LAST_ORDER) {
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    // ---------------------------------------------------------------- conversion and copies

    /** This tensor in another dtype (itself if already that dtype). Differentiable between float types. */
    public Tensor to(DType dtype) {
        return Conversion.to(this, dtype);
    }

    /** A contiguous tensor with the same values: this if already contiguous. */
    public Tensor contiguous() {
        return isContiguous() ? this : Conversion.copy(this);
    }

    /**
     * This tensor laid out in the given memory format: itself if it already is, else a copy (differentiable), like
     * PyTorch's {@code x.contiguous(memory_format=...)}. {@link MemoryFormat#CHANNELS_LAST} needs a 4-D tensor.
     */
    public Tensor contiguous(MemoryFormat format) {
        if (format == MemoryFormat.CONTIGUOUS) {
            return contiguous();
        }
        if (shape.length != 4) {
            throw new IllegalArgumentException(
                    "contiguous: channels_last needs a 4-D (N, C, H, W) tensor, got shape " + Shape.str(shape));
        }
        if (isContiguous(format)) {
            return this;
        }
        if (dtype() == DType.FLOAT32 && isContiguous() && !dev.torchlet.autograd.Autograd.needsGrad(this)) {
            // a row-major batch without a graph (an input image batch): one pass, rows of the output in order
            float[] nhwc = new float[numel()];
            dev.torchlet.kernels.CopyKernels.toChannelsLast(
                    storage.floats(), offset, shape[0], shape[1], shape[2], shape[3], nhwc);
            int[] s = shape;
            return new Tensor(Storage.of(nhwc), 0, s.clone(), new int[] {s[1] * s[2] * s[3], 1, s[3] * s[1], s[1]});
        }
        // (N, C, H, W) -> NHWC row-major copy -> viewed back as (N, C, H, W) with strides (HWC, 1, WC, C)
        return permute(0, 2, 3, 1).contiguousCopy().permute(0, 3, 1, 2);
    }

    /** Always a new contiguous copy (differentiable). */
    public Tensor contiguousCopy() {
        return Conversion.copy(this);
    }

    /** A new contiguous copy, like {@code torch.clone}. */
    public Tensor clone() {
        return Conversion.copy(this);
    }

    /**
     * Writes src's values into this tensor in place (through this view's strides, into its storage),
     * src broadcast to this shape and converted to this dtype; returns this. Like {@code copy_} under
     * {@code torch.no_grad()}: the write is not recorded by autograd (for initializing parameters and
     * loading state, not for differentiable math).
     */
    public Tensor copyFrom(Tensor src) {
        Assign.copyInto(this, src);
        return this;
    }

    // ---------------------------------------------------------------- views

    public Tensor view(int... newShape) {
        return Views.view(this, newShape);
    }

    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    public Tensor flatten() {
        return Views.flatten(this, 0, -1);
    }

    public Tensor flatten(int startDim) {
        return Views.flatten(this, startDim, -1);
    }

    public Tensor flatten(int startDim, int endDim) {
        return Views.flatten(this, startDim, endDim);
    }

    public Tensor transpose(int dim0, int dim1) {
        return Views.transpose(this, dim0, dim1);
    }

    /** Transpose of a tensor of rank at most 2, like {@code torch.t}. */
    public Tensor t() {
        return Views.t(this);
    }

    public Tensor permute(int... dims) {
        return Views.permute(this, dims);
    }

    public Tensor expand(int... sizes) {
        return Views.expand(this, sizes);
    }

    public Tensor broadcastTo(int... sizes) {
        return Views.expand(this, sizes);
    }

    public Tensor expandAs(Tensor other) {
        return Views.expand(this, other.shape);
    }

    public Tensor squeeze() {
        return Views.squeeze(this);
    }

    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    /** The {@code length} entries starting at {@code start} along dim. */
    public Tensor narrow(int dim, int start, int length) {
        return Views.narrow(this, dim, start, length);
    }

    /** Python's {@code x[..., start:end:step, ...]} along one dim (negative and clamped bounds like Python). */
    public Tensor slice(int dim, int start, int end, int step) {
        return Views.slice(this, dim, start, end, step);
    }

    public Tensor slice(int dim, int start, int end) {
        return Views.slice(this, dim, start, end, 1);
    }

    /** Removes dim by taking entry {@code index}, like {@code x[:, index]}. */
    public Tensor select(int dim, int index) {
        return Views.select(this, dim, index);
    }

    // ---------------------------------------------------------------- arithmetic (broadcasting)

    public Tensor add(Tensor other) {
        return Arithmetic.add(this, other);
    }

    /** this + alpha * other. */
    public Tensor add(Tensor other, float alpha) {
        return Arithmetic.add(this, alpha == 1f ? other : Arithmetic.mul(other, alpha));
    }

    public Tensor add(float scalar) {
        return Arithmetic.add(this, scalar);
    }

    public Tensor sub(Tensor other) {
        return Arithmetic.sub(this, other);
    }

    public Tensor sub(float scalar) {
        return Arithmetic.add(this, -scalar);
    }

    public Tensor mul(Tensor other) {
        return Arithmetic.mul(this, other);
    }

    public Tensor mul(float scalar) {
        return Arithmetic.mul(this, scalar);
    }

    public Tensor div(Tensor other) {
        return Arithmetic.div(this, other);
    }

    public Tensor div(float scalar) {
        return Arithmetic.div(this, scalar);
    }

    public Tensor pow(float exponent) {
        return Arithmetic.pow(this, exponent);
    }

    public Tensor pow(Tensor exponent) {
        return Arithmetic.pow(this, exponent);
    }

    public Tensor neg() {
        return Arithmetic.neg(this);
    }

    /** Elementwise maximum of two tensors (broadcasting). */
    public Tensor maximum(Tensor other) {
        return Arithmetic.maximum(this, other);
    }

    /** Elementwise minimum of two tensors (broadcasting). */
    public Tensor minimum(Tensor other) {
        return Arithmetic.minimum(this, other);
    }

    /** Sums this (a broadcast result) down to {@code target}, a shape it was broadcast from. */
    public Tensor sumToShape(int... target) {
        return Reductions.sumToShape(this, target);
    }

    // ---------------------------------------------------------------- unary math

    public Tensor exp() {
        return Unary.exp(this);
    }

    /** The Gauss error function, elementwise (torch.erf). */
    public Tensor erf() {
        return Unary.erf(this);
    }

    public Tensor log() {
        return Unary.log(this);
    }

    public Tensor sqrt() {
        return Unary.sqrt(this);
    }

    public Tensor rsqrt() {
        return Unary.rsqrt(this);
    }

    public Tensor abs() {
        return Unary.abs(this);
    }

    public Tensor sign() {
        return Unary.sign(this);
    }

    public Tensor sin() {
        return Unary.sin(this);
    }

    public Tensor cos() {
        return Unary.cos(this);
    }

    /** Clamps into [min, max]; pass NaN for a missing bound. */
    public Tensor clamp(float min, float max) {
        return Unary.clamp(this, min, max);
    }

    public Tensor clampMin(float min) {
        return Unary.clamp(this, min, Float.NaN);
    }

    public Tensor clampMax(float max) {
        return Unary.clamp(this, Float.NaN, max);
    }

    // ---------------------------------------------------------------- activations

    public Tensor relu() {
        return Activations.relu(this);
    }

    public Tensor sigmoid() {
        return Activations.sigmoid(this);
    }

    public Tensor tanh() {
        return Activations.tanh(this);
    }

    public Tensor leakyRelu(float negativeSlope) {
        return Activations.leakyRelu(this, negativeSlope);
    }

    public Tensor elu(float alpha) {
        return Activations.elu(this, alpha);
    }

    /** Exact GELU: x * Phi(x). */
    public Tensor gelu() {
        return Activations.gelu(this, false);
    }

    /** GELU with {@code approximate} "none" (exact) or "tanh", as in PyTorch. */
    public Tensor gelu(String approximate) {
        return switch (approximate) {
            case "none" -> Activations.gelu(this, false);
            case "tanh" -> Activations.gelu(this, true);
            default ->
                throw new IllegalArgumentException(
                        "gelu: approximate must be 'none' or 'tanh', got '" + approximate + "'");
        };
    }

    public Tensor silu() {
        return Activations.silu(this);
    }

    public Tensor softplus() {
        return Activations.softplus(this, 1f, 20f);
    }

    public Tensor softplus(float beta, float threshold) {
        return Activations.softplus(this, beta, threshold);
    }

    // ---------------------------------------------------------------- comparisons (bool results)

    public Tensor eq(Tensor other) {
        return Comparison.compare(Comparison.Op.EQ, this, other);
    }

    public Tensor eq(float other) {
        return Comparison.compare(Comparison.Op.EQ, this, other);
    }

    public Tensor ne(Tensor other) {
        return Comparison.compare(Comparison.Op.NE, this, other);
    }

    public Tensor ne(float other) {
        return Comparison.compare(Comparison.Op.NE, this, other);
    }

    public Tensor lt(Tensor other) {
        return Comparison.compare(Comparison.Op.LT, this, other);
    }

    public Tensor lt(float other) {
        return Comparison.compare(Comparison.Op.LT, this, other);
    }

    public Tensor le(Tensor other) {
        return Comparison.compare(Comparison.Op.LE, this, other);
    }

    public Tensor le(float other) {
        return Comparison.compare(Comparison.Op.LE, this, other);
    }

    public Tensor gt(Tensor other) {
        return Comparison.compare(Comparison.Op.GT, this, other);
    }

    public Tensor gt(float other) {
        return Comparison.compare(Comparison.Op.GT, this, other);
    }

    public Tensor ge(Tensor other) {
        return Comparison.compare(Comparison.Op.GE, this, other);
    }

    public Tensor ge(float other) {
        return Comparison.compare(Comparison.Op.GE, this, other);
    }

    // ---------------------------------------------------------------- reductions

    public Tensor sum() {
        return Reductions.sum(this, null, false);
    }

    public Tensor sum(int dim, boolean keepDim) {
        return Reductions.sum(this, new int[] {dim}, keepDim);
    }

    public Tensor sum(int[] dims, boolean keepDim) {
        return Reductions.sum(this, dims, keepDim);
    }

    public Tensor mean() {
        return Reductions.mean(this, null, false);
    }

    public Tensor mean(int dim, boolean keepDim) {
        return Reductions.mean(this, new int[] {dim}, keepDim);
    }

    public Tensor mean(int[] dims, boolean keepDim) {
        return Reductions.mean(this, dims, keepDim);
    }

    /** Variance over all elements with Bessel's correction (correction = 1), like {@code torch.var}. */
    public Tensor var() {
        return Reductions.var(this, null, 1, false);
    }

    public Tensor var(int[] dims, int correction, boolean keepDim) {
        return Reductions.var(this, dims, correction, keepDim);
    }

    public Tensor std() {
        return Reductions.std(this, null, 1, false);
    }

    public Tensor std(int[] dims, int correction, boolean keepDim) {
        return Reductions.std(this, dims, correction, keepDim);
    }

    public Tensor prod() {
        return Reductions.prod(this, null, false);
    }

    public Tensor prod(int dim, boolean keepDim) {
        return Reductions.prod(this, new int[] {dim}, keepDim);
    }

    public Tensor logsumexp(int dim, boolean keepDim) {
        return Reductions.logsumexp(this, dim, keepDim);
    }

    /** The 2-norm of all elements. */
    public Tensor norm() {
        return Reductions.norm(this, 2f, null, false);
    }

    /** The p-norm of all elements (p may be {@code Float.POSITIVE_INFINITY}). */
    public Tensor norm(float p) {
        return Reductions.norm(this, p, null, false);
    }

    public Tensor norm(float p, int dim, boolean keepDim) {
        return Reductions.norm(this, p, new int[] {dim}, keepDim);
    }

    /** Maximum of all elements. */
    public Tensor max() {
        return Reductions.max(this);
    }

    /** Minimum of all elements. */
    public Tensor min() {
        return Reductions.min(this);
    }

    /** Maximum along a dim: values and the int64 indices where they occur (first occurrence). */
    public ValuesIndices max(int dim, boolean keepDim) {
        return Reductions.maxDim(this, dim, keepDim, true);
    }

    public ValuesIndices min(int dim, boolean keepDim) {
        return Reductions.maxDim(this, dim, keepDim, false);
    }

    /** Index of the maximum of the flattened tensor. */
    public Tensor argmax() {
        return Reductions.maxDim(this.reshape(-1), 0, false, true).indices();
    }

    public Tensor argmax(int dim) {
        return Reductions.maxDim(this, dim, false, true).indices();
    }

    public Tensor argmax(int dim, boolean keepDim) {
        return Reductions.maxDim(this, dim, keepDim, true).indices();
    }

    public Tensor argmin() {
        return Reductions.maxDim(this.reshape(-1), 0, false, false).indices();
    }

    public Tensor argmin(int dim) {
        return Reductions.maxDim(this, dim, false, false).indices();
    }

    public Tensor argmin(int dim, boolean keepDim) {
        return Reductions.maxDim(this, dim, keepDim, false).indices();
    }

    /** The result of max/min along a dim, like PyTorch's {@code (values, indices)} named tuple. */
    public record ValuesIndices(Tensor values, Tensor indices) {}

    public Tensor softmax(int dim) {
        return Activations.softmax(this, dim);
    }

    public Tensor logSoftmax(int dim) {
        return Activations.logSoftmax(this, dim);
    }

    // ---------------------------------------------------------------- linear algebra

    /** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other);
    }

    // ---------------------------------------------------------------- indexing

    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /** A copy of this with {@code src} values written at {@code index} along dim. */
    public Tensor scatter(int dim, Tensor index, Tensor src) {
        return Indexing.scatter(this, dim, index, src, false);
    }

    /** A copy of this with {@code src} values added at {@code index} along dim. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Indexing.scatter(this, dim, index, src, true);
    }

    /** A copy of this with {@code value} wherever the (broadcast) bool mask is true. */
    public Tensor maskedFill(Tensor mask, float value) {
        return Indexing.maskedFill(this, mask, value);
    }

    /** The elements where the (broadcast) bool mask is true, as a 1-D tensor, like {@code x[mask]}. */
    public Tensor maskedSelect(Tensor mask) {
        return Indexing.maskedSelect(this, mask);
    }

    // ---------------------------------------------------------------- splitting

    /** Pieces of {@code splitSize} along dim (the last may be smaller); views. */
    public List<Tensor> split(int splitSize, int dim) {
        return Joining.split(this, splitSize, dim);
    }

    public List<Tensor> split(int[] sizes, int dim) {
        return Joining.split(this, sizes, dim);
    }

    public List<Tensor> chunk(int chunks, int dim) {
        return Joining.chunk(this, chunks, dim);
    }

    // ---------------------------------------------------------------- printing

    /** Values printed like PyTorch, summarized with "..." beyond 1000 elements. */
    @Override
    public String toString() {
        return TensorFormatter.format(this);
    }

    /** Tensor's package-private internals for Torchlet's other packages (see {@link TensorInternals}). */
    private static final class InternalAccess implements TensorInternals.Access {
        @Override
        public Storage storage(Tensor t) {
            return t.storage;
        }

        @Override
        public int[] shapeRef(Tensor t) {
            return t.shape;
        }

        @Override
        public int[] stridesRef(Tensor t) {
            return t.strides;
        }

        @Override
        public Tensor wrap(Storage storage, int offset, int[] shape, int[] strides) {
            return Tensor.wrap(storage, offset, shape, strides);
        }

        @Override
        public Tensor wrap(Storage storage, int[] shape) {
            return Tensor.wrap(storage, shape);
        }

        @Override
        public void attachGradFn(Tensor t, Node node) {
            t.attachGradFn(node);
        }
    }
}
