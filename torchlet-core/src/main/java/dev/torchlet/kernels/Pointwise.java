package dev.torchlet.kernels;

/**
 * Elementwise maps over contiguous arrays: {@code out[i] = f(in[offset + i])}.
 * Large arrays are split across the shared pool.
 */
public final class Pointwise {
    private static final int GRAIN = 1 << 14;

    private Pointwise() {}

    public static void map(float[] in, int offset, float[] out, int n, UnaryFn f) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                out[i] = (float) f.apply(in[offset + i]);
            }
        });
    }

    public static void map(double[] in, int offset, double[] out, int n, UnaryFn f) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                out[i] = f.apply(in[offset + i]);
            }
        });
    }
}
