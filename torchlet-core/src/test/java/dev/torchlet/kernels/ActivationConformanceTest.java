package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.Torch;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link UnaryKernels#activation} against {@link UnaryReference#activation} (double, rounded once) on awkward sizes
 * (vector tails, 1-wide, sizes the pool splits) and extreme inputs: within 4e-7 absolute plus 4 float ulps of the
 * reference (Simd.exp is within about 2 ulp); SiLU's gradient s (1 + x (1 - s)) also |x| ulp(1), the float
 * cancellation of 1 - s near s = 1 (PyTorch's float kernel has it too); the exact GELU also |x| 2e-7, its float erf's
 * error scaled by x / 2; the tanh GELU and its gradient the cancellation of 1 + tanh near -1 (see the cases). Each
 * element's result must not depend on
 * the thread split.
 */
class ActivationConformanceTest {
    private static final int[] SIZES = {1, 3, 7, 8, 9, 17, 33, 1000, 70_001};

    private static float[] inputs(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 6);
        }
        float[] extremes = {0f, -0f, 88f, -88f, 100f, -100f, 1e-20f, -1e-20f, 20f, -20f};
        for (int i = 0; i < Math.min(n, extremes.length); i++) {
            x[i] = extremes[i];
        }
        return x;
    }

    @Test
    void everyActivationMatchesTheDoubleReference() {
        for (UnaryKernels.Activation f : UnaryKernels.Activation.values()) {
            for (int n : SIZES) {
                float[] x = inputs(n + 3, n);
                float[] fast = new float[n + 2];
                float[] ref = new float[n + 2];
                UnaryKernels.activation(f, x, 3, fast, 2, n); // offsets on both sides
                UnaryReference.activation(f, x, 3, ref, 2, n);
                for (int i = 0; i < n + 2; i++) {
                    float cancellation = switch (f) {
                        case SILU_GRAD -> Math.abs(x[i + 1]) * 1.2e-7f;
                        // Simd.erf is within 3.7e-7 of erf (measured on a 1e-5 grid of [0, 4]; about 6 ulps near
                        // 1), scaled by x / 2 in x Phi(x); the gradient's erf term is not scaled by x
                        case GELU -> Math.abs(x[i + 1]) * 2e-7f;
                        // t = tanh(u) within 2 ulp(1) (2.4e-7) near -1, where 1 + t and 1 - t^2 cancel: the forward
                        // x (1 + t) / 2 is off by |x| 1.2e-7, the gradient by 2.4e-7 |d grad / dt| =
                        // 2.4e-7 |1/2 - x t du/dx| (PyTorch's float kernel computes the same terms)
                        case GELU_TANH -> Math.abs(x[i + 1]) * 1.2e-7f;
                        case GELU_TANH_GRAD -> {
                            double v = x[i + 1];
                            double du = Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * v * v);
                            yield (float) (2.4e-7 * (0.5 + Math.abs(v) * du));
                        }
                        default -> 0f;
                    };
                    float tol = 4e-7f + 4 * Math.ulp(ref[i]) + cancellation;
                    assertEquals(ref[i], fast[i], tol, f + " n=" + n + " at " + i + " (x = " + x[i + 1] + ")");
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadSplit() {
        int threads = Torch.getNumThreads();
        try {
            for (UnaryKernels.Activation f : UnaryKernels.Activation.values()) {
                float[] x = inputs(70_001, 7);
                float[] one = new float[x.length];
                float[] two = new float[x.length];
                Torch.setNumThreads(1);
                UnaryKernels.activation(f, x, 0, one, 0, x.length);
                Torch.setNumThreads(2);
                UnaryKernels.activation(f, x, 0, two, 0, x.length);
                assertArrayEquals(one, two, 0f, f.toString());
            }
        } finally {
            Torch.setNumThreads(threads);
        }
    }

    /**
     * SiLU's fused input gradient g s (1 + x (1 - s)) against the double formula: the tolerance of the SILU_GRAD case
     * scaled by |g| (g up to 3 here), offsets on every operand, tails through the scratch vector, and the same bits
     * on one thread as on two.
     */
    @Test
    void siluBackwardMatchesTheDoubleFormulaAndTheThreadSplit() {
        int threads = Torch.getNumThreads();
        try {
            for (int n : SIZES) {
                float[] x = inputs(n + 3, n);
                float[] g = inputs(n + 1, n + 99);
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) Math.tanh(g[i]) * 3;
                }
                float[] fast = new float[n + 2];
                Torch.setNumThreads(2);
                UnaryKernels.siluBackward(g, 1, x, 3, fast, 2, n);
                for (int i = 0; i < n; i++) {
                    double v = x[i + 3];
                    double s = 1 / (1 + Math.exp(-v));
                    double local = s * (1 + v * (1 - s));
                    double ref = g[i + 1] * local;
                    double tol =
                            Math.abs(g[i + 1]) * (4e-7 + 8 * Math.ulp((float) local) + Math.abs(v) * 1.2e-7) + 1e-30;
                    assertEquals(
                            ref, fast[i + 2], tol, "n=" + n + " at " + i + " (x = " + v + ", g = " + g[i + 1] + ")");
                }
                assertEquals(0f, fast[0]);
                assertEquals(0f, fast[1]);
                float[] one = new float[n + 2];
                Torch.setNumThreads(1);
                UnaryKernels.siluBackward(g, 1, x, 3, one, 2, n);
                assertArrayEquals(one, fast, 0f, "n=" + n);
            }
        } finally {
            Torch.setNumThreads(threads);
        }
    }
}
