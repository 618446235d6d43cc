package dev.torchlet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import org.junit.jupiter.api.Test;

/**
 * torch.nn.init semantics: bounds and standard deviations from fan in/out and gains (checked on
 * large samples, tolerance a few standard errors), gains as PyTorch's calculate_gain, orthogonality.
 */
class InitTest {
    private static double[] meanStd(Tensor t) {
        double[] v = t.toDoubleArray();
        double m = 0;
        for (double x : v) {
            m += x;
        }
        m /= v.length;
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return new double[] {m, Math.sqrt(s / (v.length - 1))};
    }

    private static double maxAbs(Tensor t) {
        double mx = 0;
        for (double x : t.toDoubleArray()) {
            mx = Math.max(mx, Math.abs(x));
        }
        return mx;
    }

    @Test
    void gainsMatchCalculateGain() {
        assertEquals(Math.sqrt(2), Init.calculateGain("relu", 0), 1e-12);
        assertEquals(5.0 / 3, Init.calculateGain("tanh", 0), 1e-12);
        assertEquals(Math.sqrt(2 / (1 + 0.2 * 0.2)), Init.calculateGain("leaky_relu", 0.2), 1e-12);
        assertEquals(1.0, Init.calculateGain("conv2d", 0), 0);
        assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("swish", 0));
    }

    @Test
    void fansOfConvWeights() {
        int[] f = Init.fans(Torch.zeros(64, 32, 3, 3));
        assertEquals(32 * 9, f[0]);
        assertEquals(64 * 9, f[1]);
        assertThrows(IllegalArgumentException.class, () -> Init.fans(Torch.zeros(5)));
    }

    @Test
    void uniformFamiliesRespectTheirBounds() {
        Torch.manualSeed(0);
        Tensor w = Torch.zeros(200, 300);
        double xb = Math.sqrt(6.0 / 500);
        Init.xavierUniform(w, 1.0);
        assertTrue(maxAbs(w) <= xb && maxAbs(w) > 0.99 * xb);
        assertEquals(xb / Math.sqrt(3), meanStd(w)[1], 0.01 * xb);
        double kb = Math.sqrt(2) * Math.sqrt(3.0 / 300);
        Init.kaimingUniform(w, 0, Init.FanMode.FAN_IN, "relu");
        assertTrue(maxAbs(w) <= kb && maxAbs(w) > 0.99 * kb);
        Init.uniform(w, -0.5, 2);
        assertTrue(w.min().item() >= -0.5f && w.max().item() < 2f);
        assertEquals(0.75, meanStd(w)[0], 0.01);
    }

    @Test
    void normalFamiliesHaveTheRightStd() {
        Torch.manualSeed(1);
        Tensor w = Torch.zeros(200, 300);
        Init.xavierNormal(w, 2.0);
        assertEquals(2.0 * Math.sqrt(2.0 / 500), meanStd(w)[1], 0.002);
        Init.kaimingNormal(w, 0, Init.FanMode.FAN_OUT, "relu");
        assertEquals(Math.sqrt(2.0 / 200), meanStd(w)[1], 0.002);
        Init.normal(w, 3, 0.5);
        assertEquals(3.0, meanStd(w)[0], 0.008); // 4 standard errors of the mean of 60000 draws
        assertEquals(0.5, meanStd(w)[1], 0.005);
        Init.truncNormal(w, 0, 1, -0.5, 0.5);
        assertTrue(maxAbs(w) <= 0.5);
    }

    @Test
    void constantsAndOrthogonal() {
        Tensor w = Torch.zeros(3, 4);
        Init.constant(w, 0.25);
        assertEquals(0.25, meanStd(w)[0], 0);
        Init.ones(w);
        assertEquals(12f, w.sum().item());
        Torch.manualSeed(2);
        for (int[] shape : new int[][] {{6, 4}, {4, 6}, {4, 2, 3}}) {
            Tensor q = Init.orthogonal(Torch.zeros(shape), 1.5);
            Tensor m = q.reshape(shape[0], -1);
            Tensor gram = shape[0] >= m.size(1) ? m.t().matmul(m) : m.matmul(m.t());
            Tensor eye = Torch.eye(gram.size(0)).mul(2.25f);
            assertTrue(
                    gram.sub(eye).abs().max().item() < 1e-5f,
                    "gain^2 * identity for " + java.util.Arrays.toString(shape));
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> Init.uniform(Torch.zeros(4, 4).t(), 0, 1));
    }
}
