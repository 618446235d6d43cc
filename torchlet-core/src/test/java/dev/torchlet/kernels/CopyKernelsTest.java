package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.Storage;
import org.junit.jupiter.api.Test;

class CopyKernelsTest {
    /** The plain definition: walk the view in row-major order, element i of src goes to the view's i-th position. */
    private static float[] reference(float[] src, int srcOff, float[] dst, int dstOff, int[] shape, int[] strides) {
        float[] out = dst.clone();
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        for (int i = 0; i < n; i++) {
            int pos = dstOff;
            int rest = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                pos += (rest % shape[d]) * strides[d];
                rest /= shape[d];
            }
            out[pos] = src[srcOff + i];
        }
        return out;
    }

    @Test
    void scatterIntoStridedViewsMatchesTheDefinition() {
        float[] src = new float[40];
        for (int i = 0; i < src.length; i++) {
            src[i] = i + 1;
        }
        // {shape, strides, dst offset}: a slice (unit inner stride), a transpose, every other column, a 0-d view
        int[][][] views = {
            {{2, 3}, {5, 1}, {1}},
            {{3, 4}, {1, 3}, {0}},
            {{2, 2, 3}, {12, 6, 2}, {1}},
            {{}, {}, {7}},
        };
        for (int[][] v : views) {
            float[] dst = new float[30];
            float[] want = reference(src, 2, dst, v[2][0], v[0], v[1]);
            CopyKernels.scatter(Storage.of(src), 2, Storage.of(dst), v[2][0], v[0], v[1]);
            assertArrayEquals(want, dst, java.util.Arrays.deepToString(v));
        }
    }

    @Test
    void scatterKeepsIntegerAndBoolValuesExactly() {
        long[] src = {Long.MAX_VALUE, -3, 1L << 60, 7};
        long[] dst = new long[8];
        CopyKernels.scatter(Storage.of(src), 0, Storage.of(dst), 1, new int[] {2, 2}, new int[] {1, 4});
        assertArrayEquals(new long[] {0, Long.MAX_VALUE, 1L << 60, 0, 0, -3, 7, 0}, dst);
        boolean[] flags = new boolean[4];
        CopyKernels.scatter(
                Storage.of(new boolean[] {true, true}), 0, Storage.of(flags), 0, new int[] {2}, new int[] {3});
        assertArrayEquals(new boolean[] {true, false, false, true}, flags);
    }

    @Test
    void scatterRejectsMixedDtypes() {
        assertThrows(
                IllegalArgumentException.class,
                () -> CopyKernels.scatter(
                        Storage.of(new float[1]), 0, Storage.of(new double[1]), 0, new int[] {1}, new int[] {1}));
    }

    /**
     * Views large enough for the threads to split (rows, or one merged run): a cat's channel slice of a batch (rows
     * of channels x pixels once merged), a transposed one, every other element; scatter into the view and copy back
     * out of it, each against the element-by-element definition.
     */
    @Test
    void largeViewsSplitBetweenTheThreadsMatchTheDefinition() {
        // {shape, strides, offset}
        int[][][] views = {
            {{32, 64, 14, 14}, {128 * 196, 196, 14, 1}, {64 * 196}},
            {{8, 196, 128}, {128 * 196, 1, 196}, {0}},
            {{150_000}, {2}, {1}},
        };
        for (int[][] v : views) {
            int n = 1;
            for (int d : v[0]) {
                n *= d;
            }
            float[] src = new float[n + 3];
            for (int i = 0; i < src.length; i++) {
                src[i] = i * 0.5f - 7;
            }
            float[] dst = new float[2 * n + 8];
            float[] want = reference(src, 3, dst, v[2][0], v[0], v[1]);
            CopyKernels.scatter(Storage.of(src), 3, Storage.of(dst), v[2][0], v[0], v[1]);
            assertArrayEquals(want, dst, java.util.Arrays.deepToString(v));
            float[] back = new float[n + 3];
            CopyKernels.copy(Storage.of(dst), v[2][0], v[0], v[1], Storage.of(back), 3);
            assertArrayEquals(
                    java.util.Arrays.copyOfRange(src, 3, n + 3), java.util.Arrays.copyOfRange(back, 3, n + 3));
        }
    }
}
