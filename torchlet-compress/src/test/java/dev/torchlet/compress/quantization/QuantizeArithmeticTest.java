package dev.torchlet.compress.quantization;

import static dev.torchlet.compress.quantization.QuantGolden.floats;
import static dev.torchlet.compress.quantization.QuantGolden.g;
import static dev.torchlet.compress.quantization.QuantGolden.longs;
import static dev.torchlet.compress.quantization.QuantGolden.qparams;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** torch.quantize_per_tensor / quantize_per_channel and dequantize, bit for bit (ties, clamping, 1e9). */
class QuantizeArithmeticTest {
    @Test
    void perTensorMatchesPyTorchExactly() throws Exception {
        Map<String, String> meta = QuantGolden.meta();
        Tensor x = g("qpt.x");
        for (int i = 0; i < 5; i++) {
            String c = "qpt." + i;
            QParams p = qparams(c, -1);
            QTensor q = QTensor.quantize(x, p, QuantGolden.dtype(meta.get(c + ".dtype")));
            assertArrayEquals(longs(c + ".q"), q.intRepr().toLongArray(), c + " int_repr");
            assertArrayEquals(floats(c + ".deq"), q.dequantize().toFloatArray(), c + " dequantize");
        }
    }

    @Test
    void perChannelMatchesPyTorchExactly() throws Exception {
        Map<String, String> meta = QuantGolden.meta();
        Tensor x = g("qpc.x");
        for (int i = 0; i < 3; i++) {
            String c = "qpc." + i;
            QParams p = qparams(c, Integer.parseInt(meta.get(c + ".axis")));
            QTensor q = QTensor.quantize(x, p, QuantGolden.dtype(meta.get(c + ".dtype")));
            assertArrayEquals(longs(c + ".q"), q.intRepr().toLongArray(), c + " int_repr");
            assertArrayEquals(floats(c + ".deq"), q.dequantize().toFloatArray(), c + " dequantize");
        }
    }

    @Test
    void badParametersAreNamed() {
        Tensor x = Torch.randn(2, 3);
        var e = assertThrows(
                IllegalArgumentException.class, () -> QTensor.quantizePerTensor(x, 0.1f, 300, QuantDType.QUINT8));
        assertTrue(e.getMessage().contains("zero point 300"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> QTensor.quantizePerChannel(x, new float[] {0.1f, 0.1f}, new int[] {0, 0}, 1, QuantDType.QINT8));
        assertTrue(e.getMessage().contains("2 scales for axis 1 of shape [2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QParams.perTensor(0f, 0));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
    }
}
