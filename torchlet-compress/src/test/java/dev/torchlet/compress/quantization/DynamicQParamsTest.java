package dev.torchlet.compress.quantization;

import static dev.torchlet.compress.quantization.QuantGolden.floats;
import static dev.torchlet.compress.quantization.QuantGolden.qparams;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** torch._choose_qparams_per_tensor(x, reduce_range=True), the parameters of dynamic quantization. */
class DynamicQParamsTest {
    @Test
    void matchesPyTorch() {
        for (int i = 0; i < 2; i++) {
            float[] x = floats("choose." + i + ".x");
            assertEquals(qparams("choose." + i, -1), DynamicQParams.choose(x, 0, x.length), "case " + i);
        }
    }

    @Test
    void allZeroInputGetsScaleOneTenth() {
        assertEquals(QParams.perTensor(0.1f, 0), DynamicQParams.choose(new float[4], 0, 4));
    }
}
