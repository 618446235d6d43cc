package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.torchlet.Storage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link BinaryKernels#broadcast}: the dims it merges before running ({@link StridedDims#merge}), and its
 * results against a plain element-by-element loop over the strides (bitwise: each element is one float op) for
 * operands that are contiguous, broadcast, transposed and sliced, at sizes the pool splits.
 */
class BinaryKernelsTest {
    @Test
    void contiguousOperandsMergeIntoOneRun() {
        int[][] m = StridedDims.merge(
                new int[] {32, 64, 28, 28}, new int[] {50176, 784, 28, 1}, new int[] {50176, 784, 28, 1});
        assertArrayEquals(new int[] {1605632}, m[0]);
        assertArrayEquals(new int[] {1}, m[1]);
        assertArrayEquals(new int[] {1}, m[2]);
    }

    @Test
    void aPerChannelOperandLeavesRowsOfPixels() {
        // (32, 64, 28, 28) + (32, 64, 1, 1): the time embedding of a U-Net block
        int[][] m =
                StridedDims.merge(new int[] {32, 64, 28, 28}, new int[] {50176, 784, 28, 1}, new int[] {64, 1, 0, 0});
        assertArrayEquals(new int[] {2048, 784}, m[0]);
        assertArrayEquals(new int[] {784, 1}, m[1]);
        assertArrayEquals(new int[] {1, 0}, m[2]);
    }

    @Test
    void sizeOneDimsDropAndATransposeStaysApart() {
        int[][] m = StridedDims.merge(new int[] {1, 5, 1, 7}, new int[] {99, 7, 3, 1}, new int[] {0, 1, 0, 5});
        assertArrayEquals(new int[] {5, 7}, m[0]);
        assertArrayEquals(new int[] {7, 1}, m[1]);
        assertArrayEquals(new int[] {1, 5}, m[2]);
        int[][] scalar = StridedDims.merge(new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0});
        assertArrayEquals(new int[] {1}, scalar[0]);
        int[][] zeroD = StridedDims.merge(new int[0], new int[0], new int[0]);
        assertArrayEquals(new int[] {1}, zeroD[0]);
    }

    @Test
    void broadcastMatchesAnElementLoopForEveryLayout() {
        Random r = new Random(3);
        int[][] shapes = {{3, 5, 7, 9}, {2, 64, 28, 28}, {4, 1000}, {70001}, {2, 3, 1, 5}};
        for (int[] shape : shapes) {
            for (int layout = 0; layout < 4; layout++) {
                int n = 1;
                for (int d : shape) {
                    n *= d;
                }
                int[] aStrides = contiguous(shape);
                int[] bStrides = switch (layout) {
                    case 0 -> contiguous(shape);
                    case 1 -> lastTwoSwapped(shape); // a transposed operand
                    case 2 -> broadcastLast(shape); // one value per leading index
                    default -> doubled(shape); // every other element of a larger array
                };
                float[] a = random(r, n + 5);
                float[] b = random(r, 2 * n + 5);
                for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.MUL, BinaryOp.SUB}) {
                    float[] out = new float[n];
                    BinaryKernels.broadcast(
                            op, shape, Storage.of(a), 2, aStrides, Storage.of(b), 3, bStrides, Storage.of(out));
                    float[] want = new float[n];
                    int[] idx = new int[shape.length];
                    for (int i = 0; i < n; i++) {
                        int pa = 2;
                        int pb = 3;
                        for (int d = 0, rest = i; d < shape.length; d++) {
                            int below = 1;
                            for (int e = d + 1; e < shape.length; e++) {
                                below *= shape[e];
                            }
                            idx[d] = rest / below;
                            rest %= below;
                            pa += idx[d] * aStrides[d];
                            pb += idx[d] * bStrides[d];
                        }
                        want[i] = (float) op.apply(a[pa], b[pb]);
                    }
                    assertArrayEquals(want, out, 0f, op + " layout " + layout + " " + java.util.Arrays.toString(shape));
                }
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static int[] contiguous(int[] shape) {
        int[] s = new int[shape.length];
        int step = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = step;
            step *= shape[d];
        }
        return s;
    }

    private static int[] lastTwoSwapped(int[] shape) {
        if (shape.length < 2) {
            return contiguous(shape);
        }
        int k = shape.length;
        int[] swapped = shape.clone();
        swapped[k - 1] = shape[k - 2];
        swapped[k - 2] = shape[k - 1];
        int[] s = contiguous(swapped);
        int t = s[k - 1];
        s[k - 1] = s[k - 2];
        s[k - 2] = t;
        return s;
    }

    private static int[] broadcastLast(int[] shape) {
        int[] s = contiguous(shape);
        s[shape.length - 1] = 0;
        if (shape.length > 1) {
            int[] lead = contiguous(java.util.Arrays.copyOf(shape, shape.length - 1));
            System.arraycopy(lead, 0, s, 0, lead.length);
        }
        return s;
    }

    private static int[] doubled(int[] shape) {
        int[] s = contiguous(shape);
        for (int d = 0; d < s.length; d++) {
            s[d] *= 2;
        }
        return s;
    }
}
