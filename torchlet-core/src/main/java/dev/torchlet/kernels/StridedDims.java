package dev.torchlet.kernels;

/**
 * The fewest dims an elementwise walk over a shape needs: dims of size 1 dropped, and each dim merged into the one
 * before it when every operand steps over the pair as over one dim (stride[d] == stride[d + 1] * shape[d + 1]). A
 * contiguous tensor becomes one run of all its elements; a (32, 64, 28, 28) tensor plus a (32, 64, 1, 1) one become
 * 2048 rows of 784 against one value each; the channel slice a cat writes, rows of channels x pixels.
 */
final class StridedDims {
    private StridedDims() {}

    /**
     * {shape, strides of operand 0, strides of operand 1, ...} after merging (at least one dim: a 0-d walk or one of
     * only 1s becomes one dim of one element). A contiguous side (the output of a copy) needs no strides of its own:
     * it merges whatever the others merge.
     */
    static int[][] merge(int[] shape, int[]... strides) {
        int ops = strides.length;
        int[][] out = new int[ops + 1][Math.max(1, shape.length)];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean joins = rank > 0;
            for (int k = 0; k < ops && joins; k++) {
                joins = out[k + 1][rank - 1] == strides[k][d] * shape[d];
            }
            int at = joins ? rank - 1 : rank++;
            out[0][at] = joins ? out[0][at] * shape[d] : shape[d];
            for (int k = 0; k < ops; k++) {
                out[k + 1][at] = strides[k][d];
            }
        }
        if (rank == 0) {
            out[0][0] = 1;
            for (int k = 0; k < ops; k++) {
                out[k + 1][0] = 0;
            }
            rank = 1;
        }
        for (int k = 0; k <= ops; k++) {
            out[k] = java.util.Arrays.copyOf(out[k], rank);
        }
        return out;
    }
}
