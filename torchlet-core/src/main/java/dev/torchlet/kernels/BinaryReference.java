package dev.torchlet.kernels;

/** Plain-loop twins of the {@link BinaryKernels} vector kernels: the test oracle. */
public final class BinaryReference {
    private BinaryReference() {}

    /** acc[i] += x[i] for i &lt; n. */
    public static void addInPlace(float[] acc, int aOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            acc[aOff + i] += x[xOff + i];
        }
    }
}
