package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.compress.kernels.Int8Gemm;
import dev.torchlet.compress.kernels.PackedInt8Weights;
import dev.torchlet.compress.kernels.QuantizeKernels;
import dev.torchlet.compress.kernels.Requantize;

/**
 * Per-channel symmetric int8 weights of one layer: the integers, one scale per output channel (zero points 0),
 * and the packed form the GEMM reads. Built from float weights with PyTorch's default per-channel weight observer.
 */
final class Int8Weights {
    private final byte[] values;
    private final int[] shape;
    private final float[] scales;
    /**
     * Packed for {@link Int8Gemm} on first use: Linear layers need it, convolutions pack per group themselves
     * ({@code Int8Conv2d.packWeights}) and never do. A benign race: two threads may both pack the same values.
     */
    private volatile PackedInt8Weights packed;

    private Int8Weights(byte[] values, int[] shape, float[] scales) {
        this.values = values;
        this.shape = shape;
        this.scales = scales;
    }

    byte[] values() {
        return values;
    }

    int[] shape() {
        return shape;
    }

    float[] scales() {
        return scales;
    }

    PackedInt8Weights packed() {
        PackedInt8Weights p = packed;
        if (p == null) {
            p = PackedInt8Weights.pack(values, rows(), cols());
            packed = p;
        }
        return p;
    }
    /** Quantizes weights (out, ...) per output channel; the GEMM sees them as (out, prod(rest)). */
    static Int8Weights quantize(Tensor weight) {
        PerChannelMinMaxObserver observer = PerChannelMinMaxObserver.forWeights();
        observer.call(weight);
        return quantize(weight, observer.calculateQParams());
    }

    /** Quantizes weights with given per-channel symmetric parameters (e.g. those QAT trained with). */
    static Int8Weights quantize(Tensor weight, QParams p) {
        QTensor q = QTensor.quantize(weight.detach(), p, QuantDType.QINT8);
        return of(q.data(), weight.shape(), p.scales());
    }

    static Int8Weights of(byte[] values, int[] shape, float[] scales) {
        return new Int8Weights(values, shape, scales);
    }

    /**
     * The dynamic-int8 product out (m, rows) = x (m, cols) W^T + bias: x[xOff, xOff + m*cols) is quantized as one
     * tensor (quint8, {@link DynamicQParams}), multiplied in int8 x int8 -> int32 and brought back to float,
     * {@code out = xScale * wScale[j] * (acc - xZeroPoint * sum_k w[j][k]) + bias[j]}. bias may be null.
     */
    void dynamicProduct(float[] x, int xOff, int m, float[] bias, float[] out, int outOff) {
        int k = cols();
        int n = rows();
        QParams p = DynamicQParams.choose(x, xOff, m * k);
        byte[] q = new byte[m * k];
        QuantizeKernels.quantize(x, xOff, q.length, p.scale(), p.zeroPoint(), 0, 255, q, 0);
        int[] acc = new int[m * n];
        PackedInt8Weights w = packed();
        Int8Gemm.gemm(m, q, 0, w, acc);
        Requantize.toFloat(m, n, acc, p.zeroPoint(), p.scale(), w.rowSums(), scales, bias, out, outOff);
    }

    /** From the state-dict form: int64 tensor of the integers and the scales. */
    static Int8Weights fromBuffers(Tensor ints, Tensor scales) {
        long[] v = ints.toLongArray();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < -128 || v[i] > 127) {
                throw new IllegalArgumentException(
                        "int8 weights: value " + v[i] + " at " + i + " is outside [-128, 127]");
            }
            b[i] = (byte) v[i];
        }
        return of(b, ints.shape(), scales.toFloatArray());
    }

    /** The integers as an int64 tensor, for the state dict. */
    Tensor intTensor() {
        long[] v = new long[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return Torch.tensor(v, shape);
    }

    Tensor scaleTensor() {
        return Torch.tensor(scales.clone(), scales.length);
    }

    int rows() {
        return shape[0];
    }

    int cols() {
        return values.length / shape[0];
    }
}
