package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.RNN;
import org.junit.jupiter.api.Test;

/**
 * Runs the recurrent step kernels long enough for C2 to compile them (with the masked row tail of
 * H = 19) and checks the results do not change. Guards a JVM crash: an earlier rnnStepBack, whose
 * vector loop held both the relu blend and the tanh derivative, was compiled by C2 of JDK 25.0.3 into
 * code that stopped the JVM ("fatal error: DEBUG MESSAGE") after ~1 s of an RNN training loop.
 */
class RecurrentJitStressTest {
    @Test
    void rnnForwardAndBackwardStayStableOnceCompiled() {
        for (String nonlinearity : new String[] {"tanh", "relu"}) {
            Torch.manualSeed(6);
            Tensor x = Torch.randn(4, 9, 5);
            RNN layer = new RNN(5, 19, 1, true, nonlinearity, 0.0, true);
            float[] first = null;
            for (int i = 0; i < 12_000; i++) {
                layer.zeroGrad();
                layer.forward(x).sum().backward();
                float[] grad = layer.parameters().get(1).grad().toFloatArray();
                if (first == null) {
                    first = grad;
                } else if (i % 1000 == 0) {
                    assertArrayEquals(first, grad, nonlinearity + ": weight_hh gradient changed at iteration " + i);
                }
            }
        }
    }
}
