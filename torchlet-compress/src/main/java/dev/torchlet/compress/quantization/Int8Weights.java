package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.compress.kernels.PackedInt8Weights;

/**
 * Per-channel symmetric int8 weights of one layer: the integers, one scale per output channel (zero points 0),
 * and the packed form the GEMM reads. Built from float weights with PyTorch's default per-channel weight observer.
 */
record Int8Weights(byte[] values, int[] shape, float[] scales, PackedInt8Weights packed) {
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
        int out = shape[0];
        return new Int8Weights(values, shape, scales, PackedInt8Weights.pack(values, out, values.length / out));
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
