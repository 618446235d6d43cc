package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ReduceKernels.columnSum against its double-accumulating reference on awkward sizes (1 row or column, vector
 * tails, more columns than one parallel block), with an offset; atol 1e-5 + rtol 1e-5 scaled by the
 * number of rows (float rounding of sequential sums). Also: the autograd engine's bias-gradient
 * path gives the same result as the general reduction.
 */
class ReduceConformanceTest {
    @Test
    void fastMatchesReference() {
        Random rnd = new Random(3);
        int[][] sizes = {{1, 1}, {1, 37}, {37, 1}, {5, 17}, {300, 513}, {64, 256}};
        for (int[] sz : sizes) {
            int rows = sz[0];
            int cols = sz[1];
            int off = 5;
            float[] a = new float[off + rows * cols];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rnd.nextGaussian();
            }
            float[] out = new float[cols + 2];
            ReduceKernels.columnSum(a, off, rows, cols, out, 2);
            double[] ref = new double[cols];
            ReduceReference.columnSum(a, off, rows, cols, ref);
            double[] dOut = new double[cols];
            double[] da = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                da[i] = a[i];
            }
            ReduceKernels.columnSum(da, off, rows, cols, dOut, 0);
            for (int c = 0; c < cols; c++) {
                double tol = 1e-5 + 1e-5 * rows * Math.sqrt(rows);
                if (Math.abs(out[2 + c] - ref[c]) > tol || Math.abs(dOut[c] - ref[c]) > 1e-9) {
                    fail(rows + "x" + cols + " column " + c + ": fast " + out[2 + c] + " / " + dOut[c]
                            + " vs reference " + ref[c]);
                }
            }
        }
    }

    @Test
    void biasGradientThroughTheEngine() {
        Torch.manualSeed(2);
        Tensor x = Torch.randn(6, 5, 7);
        Tensor b = Torch.randn(7).requiresGrad(true);
        Tensor g = Torch.randn(6, 5, 7);
        x.add(b).backward(g);
        assertArrayEquals(
                g.sum(new int[] {0, 1}, false).toFloatArray(), b.grad().toFloatArray(), 1e-5f);
        Tensor b2 = Torch.randn(1, 5, 1).requiresGrad(true); // not a leading-dims case: general path
        x.add(b2).backward(g);
        assertArrayEquals(
                g.sum(new int[] {0, 2}, true).toFloatArray(), b2.grad().toFloatArray(), 1e-5f);
    }
}
