package dev.torchlet.compress.quantization;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.compress.kernels.QuantizeKernels;
import java.util.Arrays;

/**
 * A quantized tensor: 8-bit integers (row-major, contiguous) with their {@link QParams}, PyTorch's
 * {@code torch.quantize_per_tensor} / {@code torch.quantize_per_channel} result.
 *
 * <p>Arithmetic (PyTorch's, checked against it bit for bit): {@code q = clamp(rint(x * (1f / scale)) + zeroPoint,
 * qmin, qmax)} with round half to even and the reciprocal taken in float32; {@code dequantize: (q - zeroPoint) *
 * scale}.
 */
public final class QTensor {
    private final byte[] data;
    private final int[] shape;
    private final QuantDType dtype;
    private final QParams qparams;

    /** Wraps integers already quantized with {@code qparams} (not copied). */
    public QTensor(byte[] data, int[] shape, QuantDType dtype, QParams qparams) {
        long numel = numel(shape);
        if (numel != data.length) {
            throw new IllegalArgumentException(
                    "QTensor: " + data.length + " values for shape " + Arrays.toString(shape));
        }
        if (qparams.isPerChannel()) {
            if (qparams.axis() >= shape.length || shape[qparams.axis()] != qparams.scales().length) {
                throw new IllegalArgumentException("QTensor: " + qparams.scales().length + " channel scales on axis "
                        + qparams.axis() + " of shape " + Arrays.toString(shape));
            }
        }
        this.data = data;
        this.shape = shape.clone();
        this.dtype = dtype;
        this.qparams = qparams;
    }

    /** {@code torch.quantize_per_tensor(x, scale, zeroPoint, dtype)}. */
    public static QTensor quantizePerTensor(Tensor x, float scale, int zeroPoint, QuantDType dtype) {
        return quantize(x, QParams.perTensor(scale, zeroPoint), dtype);
    }

    /** {@code torch.quantize_per_channel(x, scales, zeroPoints, axis, dtype)}. */
    public static QTensor quantizePerChannel(Tensor x, float[] scales, int[] zeroPoints, int axis, QuantDType dtype) {
        return quantize(x, QParams.perChannel(scales, zeroPoints, axis), dtype);
    }

    /** Quantizes a float tensor with the given parameters; per-channel parameters must match x's axis size. */
    public static QTensor quantize(Tensor x, QParams p, QuantDType dtype) {
        if (x.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(
                    "quantize: expected a float32 tensor, got " + x.dtype().torchName());
        }
        for (int zp : p.zeroPoints()) {
            if (zp < dtype.qmin() || zp > dtype.qmax()) {
                throw new IllegalArgumentException("quantize: zero point " + zp + " outside " + dtype.torchName()
                        + "'s range [" + dtype.qmin() + ", " + dtype.qmax() + "]");
            }
        }
        int[] shape = x.shape();
        float[] v = x.toFloatArray();
        byte[] q = new byte[v.length];
        if (!p.isPerChannel()) {
            QuantizeKernels.quantize(v, 0, v.length, p.scale(), p.zeroPoint(), dtype.qmin(), dtype.qmax(), q, 0);
        } else {
            checkAxis("quantize_per_channel", shape, p);
            int channels = shape[p.axis()];
            int inner = inner(shape, p.axis());
            for (int start = 0; start < v.length; start += inner) {
                int c = (start / inner) % channels;
                QuantizeKernels.quantize(
                        v, start, inner, p.scales()[c], p.zeroPoints()[c], dtype.qmin(), dtype.qmax(), q, start);
            }
        }
        return new QTensor(q, shape, dtype, p);
    }

    /** The float tensor these integers stand for: {@code (q - zeroPoint) * scale}. */
    public Tensor dequantize() {
        float[] out = new float[data.length];
        if (!qparams.isPerChannel()) {
            dequantize(0, data.length, qparams.scale(), qparams.zeroPoint(), out);
        } else {
            int channels = shape[qparams.axis()];
            int inner = inner(shape, qparams.axis());
            for (int start = 0; start < data.length; start += inner) {
                int c = (start / inner) % channels;
                dequantize(start, inner, qparams.scales()[c], qparams.zeroPoints()[c], out);
            }
        }
        return Torch.tensor(out, shape);
    }

    private void dequantize(int off, int len, float scale, int zeroPoint, float[] out) {
        if (dtype == QuantDType.QUINT8) {
            QuantizeKernels.dequantizeUint8(data, off, len, scale, zeroPoint, out, off);
        } else {
            QuantizeKernels.dequantizeInt8(data, off, len, scale, zeroPoint, out, off);
        }
    }

    /** The stored integers as an int64 tensor, PyTorch's {@code int_repr()}. */
    public Tensor intRepr() {
        long[] out = new long[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = intAt(i);
        }
        return Torch.tensor(out, shape);
    }

    /** The i-th stored integer (row-major). */
    public int intAt(int i) {
        return dtype == QuantDType.QUINT8 ? data[i] & 0xFF : data[i];
    }

    /** The same integers seen with another shape (same number of elements; per-tensor parameters only). */
    public QTensor reshape(int... newShape) {
        if (qparams.isPerChannel()) {
            throw new IllegalStateException("reshape: per-channel quantized tensors keep their shape");
        }
        if (numel(newShape) != data.length) {
            throw new IllegalArgumentException(
                    "reshape: shape " + Arrays.toString(shape) + " cannot become " + Arrays.toString(newShape));
        }
        return new QTensor(data, newShape, dtype, qparams);
    }

    /** The backing integers (not copied): unsigned for quint8 (read with {@code & 0xFF}), signed for qint8. */
    public byte[] data() {
        return data;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size(int dim) {
        return shape[dim];
    }

    public int dim() {
        return shape.length;
    }

    public QuantDType dtype() {
        return dtype;
    }

    public QParams qparams() {
        return qparams;
    }

    public int numel() {
        return data.length;
    }

    @Override
    public String toString() {
        return "QTensor(" + Arrays.toString(shape) + ", " + dtype.torchName() + ", " + qparams + ")";
    }

    private static void checkAxis(String op, int[] shape, QParams p) {
        if (p.axis() >= shape.length || shape[p.axis()] != p.scales().length) {
            throw new IllegalArgumentException(op + ": " + p.scales().length + " scales for axis " + p.axis()
                    + " of shape " + Arrays.toString(shape));
        }
    }

    /** Elements per step along {@code axis}: the product of the sizes after it. */
    static int inner(int[] shape, int axis) {
        int n = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            n *= shape[d];
        }
        return n;
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }
}
