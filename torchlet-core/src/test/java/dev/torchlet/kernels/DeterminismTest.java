package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.ops.Convolution;
import dev.torchlet.ops.Losses;
import dev.torchlet.ops.Normalization;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Same inputs, same bits: a result computed cold (interpreted kernels) must equal the result after
 * the JIT has compiled them, and must not depend on which pool thread finishes first. (Vector
 * API lane reductions and unordered partial sums broke this once: training runs were not
 * reproducible and resume was not exact.)
 */
class DeterminismTest {
    private static void assertStable(String what, Supplier<float[]> compute) {
        float[] cold = compute.get();
        for (int i = 0; i < 400; i++) {
            compute.get();
        }
        assertArrayEquals(cold, compute.get(), 0f, what + ": warm result differs from cold result");
    }

    @Test
    void gemmDotProductPath() {
        Torch.manualSeed(3);
        float[] a = Torch.randn(32, 784).toFloatArray();
        float[] b = Torch.randn(9, 784).toFloatArray();
        assertStable("sgemm(n, t) 32x9x784", () -> {
            float[] c = new float[32 * 9];
            GemmKernels.sgemm(false, true, 32, 9, 784, 1f, a, 0, 784, b, 0, 784, 0f, c, 0, 9);
            return c;
        });
    }

    @Test
    void convolutionWeightGradientWithThreads() {
        Torch.manualSeed(4);
        Tensor x = Torch.randn(16, 3, 12, 12);
        Tensor w = Torch.randn(8, 3, 3, 3);
        assertStable("conv2d weight grad", () -> {
            Tensor wg = w.detach().requiresGrad(true);
            Convolution.conv2d(x, wg, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1)
                    .sum()
                    .backward();
            return wg.grad().toFloatArray();
        });
    }

    @Test
    void convolutionWeightGradientFewTaps() {
        Torch.manualSeed(5);
        Tensor x = Torch.randn(16, 1, 14, 14);
        Tensor w = Torch.randn(32, 1, 3, 3);
        Tensor go = Torch.randn(16, 32, 14, 14);
        assertStable("conv2d weight grad, 1 input channel", () -> {
            Tensor wg = w.detach().requiresGrad(true);
            Convolution.conv2d(x, wg, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1)
                    .backward(go);
            return wg.grad().toFloatArray();
        });
    }

    @Test
    void normalizationSoftmaxAndCrossEntropy() {
        Torch.manualSeed(5);
        Tensor x = Torch.randn(64, 100);
        Tensor y = Torch.randint(0, 100, 64);
        assertStable(
                "layer norm",
                () -> Normalization.layerNorm(x, new int[] {100}, null, null, 1e-5)
                        .toFloatArray());
        assertStable("softmax", () -> x.softmax(1).toFloatArray());
        assertStable("cross entropy grad", () -> {
            Tensor xg = x.detach().requiresGrad(true);
            Losses.crossEntropy(xg, y).backward();
            return xg.grad().toFloatArray();
        });
        Tensor img = Torch.randn(8, 4, 6, 6);
        assertStable(
                "batch norm",
                () -> Normalization.batchNorm(img, null, null, null, null, true, 0.1, 1e-5)
                        .toFloatArray());
    }

    @Test
    void fusedRecurrentLayersForwardAndBackward() {
        Torch.manualSeed(6);
        Tensor x = Torch.randn(4, 9, 5);
        for (var layer : new dev.torchlet.nn.RecurrentLayer[] {
            new dev.torchlet.nn.LSTM(5, 19, 2, true),
            new dev.torchlet.nn.GRU(5, 19, 1, true),
            new dev.torchlet.nn.RNN(5, 19, 1, true)
        }) {
            String name = layer.getClass().getSimpleName();
            assertStable(name + " forward", () -> layer.forward(x).toFloatArray());
            assertStable(name + " weight grad", () -> {
                layer.zeroGrad();
                layer.forward(x).sum().backward();
                return layer.parameters().get(1).grad().toFloatArray();
            });
        }
    }

    @Test
    void fusedAttentionForwardAndBackward() {
        Torch.manualSeed(7);
        Tensor qkv = Torch.randn(2 * 33, 3 * 24);
        assertStable(
                "attention forward",
                () -> dev.torchlet.ops.Attention.selfAttention(qkv, 2, 3, null, 0, false)
                        .toFloatArray());
        assertStable("attention backward", () -> {
            Tensor x = qkv.detach().requiresGrad(true);
            dev.torchlet.ops.Attention.selfAttention(x, 2, 3, null, 0, false)
                    .sum()
                    .backward();
            return x.grad().toFloatArray();
        });
    }

    @Test
    void columnSumWithThreads() {
        Torch.manualSeed(8);
        float[] a = Torch.randn(300, 1030).toFloatArray();
        assertStable("column sum", () -> {
            float[] out = new float[1030];
            ReduceKernels.columnSum(a, 0, 300, 1030, out, 0);
            return out;
        });
    }
}
