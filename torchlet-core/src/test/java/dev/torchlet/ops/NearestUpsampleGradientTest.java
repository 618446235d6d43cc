package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import org.junit.jupiter.api.Test;

/**
 * The float32 gradient of nearest 2x upsampling (one pass over the output gradient per input row) against the sums
 * PyTorch's CPU kernel makes, in its order: each input pixel gets ((g00 + g01) + g10) + g11, bit for bit. (Other
 * scales take the general path, checked against PyTorch's goldens in GenerativeLayersGoldenTest.)
 */
class NearestUpsampleGradientTest {
    @Test
    void twoTimesUpsamplingSumsEachPixelsFourGradientsInOrder() {
        Torch.manualSeed(4);
        int n = 2;
        int c = 3;
        int h = 5;
        int w = 7;
        Tensor x = Torch.randn(n, c, h, w).requiresGrad(true);
        Tensor g = Torch.randn(n, c, 2 * h, 2 * w);
        F.interpolate(x, 2.0, "nearest", false).backward(g);
        float[] gv = g.toFloatArray();
        float[] want = new float[n * c * h * w];
        for (int p = 0; p < n * c; p++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    int o = p * 4 * h * w + 2 * y * 2 * w + 2 * xx;
                    want[(p * h + y) * w + xx] = ((gv[o] + gv[o + 1]) + gv[o + 2 * w]) + gv[o + 2 * w + 1];
                }
            }
        }
        assertArrayEquals(want, x.grad().toFloatArray(), 0f);
    }
}
