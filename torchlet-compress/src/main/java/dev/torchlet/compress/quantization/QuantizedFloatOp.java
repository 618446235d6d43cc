package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Identity;
import dev.torchlet.nn.Module;

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
        Tensor y;
        try (var g = Torch.noGrad()) {
            y = op.call(x.dequantize());
        }
        return QTensor.quantize(y, x.qparams(), QuantDType.QUINT8);
    }

    @Override
    QParams outputQParams() {
        throw new UnsupportedOperationException("QuantizedFloatOp keeps its input's parameters");
    }
}
