package dev.torchlet.kernels;

/** Plain-loop twins of {@link Elementwise}: the test oracle. */
public final class ElementwiseReference {
    private ElementwiseReference() {}

    public static void relu(float[] x, int xOff, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            out[oOff + i] = v > 0 ? v : (Float.isNaN(v) ? v : 0f);
        }
    }

    public static void reluBackward(float[] g, int gOff, float[] y, int yOff, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) {
            out[oOff + i] = y[yOff + i] <= 0f ? 0f : g[gOff + i];
        }
    }

    public static void addInPlace(float[] acc, int aOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            acc[aOff + i] += x[xOff + i];
        }
    }

    public static void columnSum(float[] x, int xOff, int rows, int cols, float[] out, int oOff) {
        for (int j = 0; j < cols; j++) {
            float acc = 0f;
            for (int r = 0; r < rows; r++) {
                acc += x[xOff + r * cols + j];
            }
            out[oOff + j] = acc;
        }
    }
}
