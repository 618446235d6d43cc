package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.kernels.ConvPointwiseDepthwise;
import org.junit.jupiter.api.Test;

/**
 * Convolution.pointwiseDepthwise (MobileNet's expansion and depthwise convolutions in one pass over row strips)
 * equals the two convolutions run one after the other, bit for bit: each expanded value and each depthwise sum is
 * computed in the same order; only where the expanded rows live changes. Shapes large enough for the fused pass,
 * with strips whose halos cross the image's top and bottom, odd widths, both strides, with and without biases.
 */
class PointwiseDepthwiseTest {
    private static final float INF = Float.POSITIVE_INFINITY;

    /** n, cin, h, w, hidden, stride. */
    private static final int[][] CASES = {
        {1, 16, 112, 112, 96, 2}, // MobileNetV2's second block at 224 x 224
        {1, 24, 56, 56, 144, 1}, // its third
        {2, 8, 30, 37, 300, 1}, // several strips per image, odd width
        {2, 5, 33, 29, 320, 2}, // odd height and width at stride 2
    };

    @Test
    void fusedPassEqualsTheTwoConvolutions() {
        Torch.manualSeed(3);
        for (int[] c : CASES) {
            int n = c[0], cin = c[1], h = c[2], w = c[3], hidden = c[4], stride = c[5];
            assertTrue(ConvPointwiseDepthwise.pays(n, hidden, h, w, stride), "the fused pass runs for " + str(c));
            Tensor x = Torch.randn(n, cin, h, w);
            Tensor we = Torch.randn(hidden, cin, 1, 1).mul(0.5f);
            Tensor be = Torch.randn(hidden);
            Tensor wd = Torch.randn(hidden, 1, 3, 3);
            Tensor bd = Torch.randn(hidden);
            for (boolean biases : new boolean[] {true, false}) {
                for (float[] b : new float[][] {{0f, 6f, 0f, 6f}, {0f, INF, -1f, 1f}}) {
                    Tensor e1 = biases ? be : null;
                    Tensor e2 = biases ? bd : null;
                    int[] one = {1, 1};
                    Tensor expanded = Convolution.conv2dClamped(
                            x, we, e1, ConvOptions.of(one, new int[] {0, 0}, one, 1), b[0], b[1]);
                    Tensor expected = Convolution.conv2dClamped(
                            expanded, wd, e2, ConvOptions.of(new int[] {stride, stride}, one, one, hidden), b[2], b[3]);
                    Tensor fused = Convolution.pointwiseDepthwise(x, we, e1, b[0], b[1], wd, e2, stride, b[2], b[3]);
                    assertArrayEquals(expected.shape(), fused.shape(), str(c));
                    assertArrayEquals(expected.toFloatArray(), fused.toFloatArray(), 0f, str(c) + " biases " + biases);
                }
            }
        }
    }

    @Test
    void smallMapsAndAutogradRunTheTwoConvolutions() {
        Torch.manualSeed(4);
        assertTrue(!ConvPointwiseDepthwise.pays(1, 32, 14, 14, 1), "a 14 x 14 map is below the fused pass's size");
        Tensor x = Torch.randn(1, 8, 14, 14).requiresGrad(true);
        Tensor we = Torch.randn(32, 8, 1, 1).requiresGrad(true);
        Tensor wd = Torch.randn(32, 1, 3, 3).requiresGrad(true);
        Tensor y = Convolution.pointwiseDepthwise(x, we, null, 0f, 6f, wd, null, 1, 0f, 6f);
        assertEquals("ClampBackward1", y.gradFn().name());
        y.sum().backward();
        assertTrue(x.grad() != null && we.grad() != null && wd.grad() != null, "gradients reach every input");
    }

    private static String str(int[] c) {
        return java.util.Arrays.toString(c);
    }
}
