package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.kernels.ConvGeometry;
import dev.torchlet.kernels.ConvKernels;
import org.junit.jupiter.api.Test;

/**
 * A float32 Winograd convolution whose weight needs a gradient keeps the padded channels-last copy of its input from
 * the forward for the weight gradient, in a pooled buffer it hands back once the backward pass frees the op's saved
 * tensors: the gradients are those of the float64 convolution (within 1e-4 of their largest magnitude), a retained
 * graph gives the same bits on a second backward, and the graph's last backward frees it (a third one fails as for
 * every op). Both the plain convolution and the one with a fused addend (conv2dAddClamped) are checked.
 */
class ConvolutionPaddedInputTest {
    private static final ConvOptions SAME = ConvOptions.of(1, 1);

    private static Tensor[] gradients(boolean withAddend, DType dtype, int backwards) {
        Torch.manualSeed(21);
        Tensor x = Torch.randn(2, 64, 16, 16).to(dtype).requiresGrad(true);
        Tensor w = Torch.randn(64, 64, 3, 3).mul(0.05f).to(dtype).requiresGrad(true);
        Tensor b = Torch.randn(64).to(dtype).requiresGrad(true);
        Tensor r = Torch.randn(2, 64, 16, 16).to(dtype);
        Tensor addend = Torch.randn(2, 64, 16, 16).to(dtype).requiresGrad(true);
        Tensor y = withAddend
                ? Convolution.conv2dAddClamped(x, w, b, SAME, addend, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY)
                : Convolution.conv2d(x, w, b, SAME);
        Tensor loss = y.mul(r).sum();
        Tensor[] first = null;
        for (int i = 0; i < backwards; i++) {
            x.setGrad(null);
            w.setGrad(null);
            b.setGrad(null);
            loss.backward(Torch.ones(dtype), i < backwards - 1);
            Tensor[] grads = {x.grad(), w.grad(), b.grad()};
            if (first == null) {
                first = grads;
            } else {
                for (int k = 0; k < grads.length; k++) {
                    assertArrayEquals(first[k].toFloatArray(), grads[k].toFloatArray(), 0f, "backward " + i);
                }
            }
        }
        assertThrows(IllegalStateException.class, () -> loss.backward(Torch.ones(dtype), false));
        return first;
    }

    @Test
    void keptPaddedInputGivesTheGradientsAndIsFreedWithTheGraph() {
        // the geometry below keeps its padded input (Winograd forward and weight gradient), else this tests nothing
        assertTrue(ConvKernels.keepsPaddedInput(ConvGeometry.of(2, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
        for (boolean withAddend : new boolean[] {false, true}) {
            Tensor[] got = gradients(withAddend, DType.FLOAT32, 2);
            Tensor[] want = gradients(withAddend, DType.FLOAT64, 1);
            String[] names = {"x", "w", "b"};
            for (int k = 0; k < got.length; k++) {
                double[] e = want[k].toDoubleArray();
                double scale = 0;
                for (double v : e) {
                    scale = Math.max(scale, Math.abs(v));
                }
                double[] a = got[k].to(DType.FLOAT64).toDoubleArray();
                assertArrayEquals(e, a, 1e-4 * scale, names[k] + (withAddend ? " with an addend" : ""));
            }
        }
    }
}
