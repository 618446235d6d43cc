package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.compress.kernels.Uint8MaxPool;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Identity;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.ops.Pooling;

/**
 * A layer that keeps the input's quantization parameters, run on the quantized values: Flatten, Dropout (eval)
 * and Identity only re-view the integers; max pooling and ReLU are exact on dequantized values (they pick or clamp
 * values, which re-quantize to the same integers); average pooling re-quantizes its averages with the same
 * parameters, rounding half to even like PyTorch's quantized pools.
 */
final class QuantizedFloatOp extends QuantizedStage {
    QuantizedFloatOp(Module op) {
        registerModule("op", op);
    }

    @Override
    QTensor forwardQuantized(QTensor x) {
        Module op = child("op");
        if (op instanceof Identity || op instanceof Dropout) {
            return x;
        }
        if (op instanceof Flatten f) {
            int[] s = x.shape();
            int start = f.startDim() < 0 ? f.startDim() + s.length : f.startDim();
            int end = f.endDim() < 0 ? f.endDim() + s.length : f.endDim();
            int[] flat = new int[s.length - (end - start)];
            int size = 1;
            for (int d = start; d <= end; d++) {
                size *= s[d];
            }
            System.arraycopy(s, 0, flat, 0, start);
            flat[start] = size;
            System.arraycopy(s, end + 1, flat, start + 1, s.length - end - 1);
            return x.reshape(flat);
        }
        if (op instanceof MaxPool2d mp && x.dim() == 4) {
            return maxPool(mp, x);
        }
        if (op instanceof ReLU) { // max(x, 0) on the integers: max(q, zero point)
            byte[] y = x.data().clone();
            int zp = x.qparams().zeroPoint();
            for (int i = 0; i < y.length; i++) {
                y[i] = (byte) Math.max(y[i] & 0xFF, zp);
            }
            return new QTensor(y, x.shape(), QuantDType.QUINT8, x.qparams());
        }
        Tensor y;
        try (var g = Torch.noGrad()) {
            y = op.call(x.dequantize());
        }
        return QTensor.quantize(y, x.qparams(), QuantDType.QUINT8);
    }

    private static QTensor maxPool(MaxPool2d mp, QTensor x) {
        int[] s = x.shape();
        int oh = Pooling.outSize(s[2], mp.kernel(), mp.padding(), mp.stride(), mp.dilation(), mp.ceilMode());
        int ow = Pooling.outSize(s[3], mp.kernel(), mp.padding(), mp.stride(), mp.dilation(), mp.ceilMode());
        byte[] y = new byte[s[0] * s[1] * oh * ow];
        Uint8MaxPool.maxPool2d(
                x.data(), s[0] * s[1], s[2], s[3], mp.kernel(), mp.stride(), mp.padding(), mp.dilation(), oh, ow, y);
        return new QTensor(y, new int[] {s[0], s[1], oh, ow}, QuantDType.QUINT8, x.qparams());
    }

    @Override
    QParams outputQParams() {
        throw new UnsupportedOperationException("QuantizedFloatOp keeps its input's parameters");
    }
}
