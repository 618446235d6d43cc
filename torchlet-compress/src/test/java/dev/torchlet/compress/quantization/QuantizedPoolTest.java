package dev.torchlet.compress.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.ReLU;
import org.junit.jupiter.api.Test;

/** Max pooling and ReLU on the integers equal the float ops on the dequantized values, quantized again. */
class QuantizedPoolTest {
    @Test
    void integerMaxPoolAndReluMatchTheFloatOps() {
        Torch.manualSeed(5);
        QParams p = QParams.perTensor(0.05f, 40);
        QTensor x = QTensor.quantize(Torch.randn(2, 3, 9, 8), p, QuantDType.QUINT8);
        for (MaxPool2d mp : new MaxPool2d[] {
            new MaxPool2d(2),
            new MaxPool2d(3, 2, 1, 1, false),
            new MaxPool2d(3, 2, 1, 1, true),
            new MaxPool2d(2, 1, 0, 2, false)
        }) {
            QTensor got = new QuantizedFloatOp(mp).forwardQuantized(x);
            Tensor want = mp.call(x.dequantize());
            assertArrayEquals(want.shape(), got.shape(), mp.toString());
            assertArrayEquals(
                    QTensor.quantize(want, p, QuantDType.QUINT8).intRepr().toLongArray(),
                    got.intRepr().toLongArray(),
                    mp.toString());
        }
        QTensor relu = new QuantizedFloatOp(new ReLU()).forwardQuantized(x);
        assertArrayEquals(
                QTensor.quantize(x.dequantize().relu(), p, QuantDType.QUINT8)
                        .intRepr()
                        .toLongArray(),
                relu.intRepr().toLongArray());
    }
}
