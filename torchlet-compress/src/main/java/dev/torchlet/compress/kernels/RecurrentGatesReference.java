package dev.torchlet.compress.kernels;

/** Plain-loop oracle of {@link RecurrentGates} (float arithmetic, Math.exp / Math.tanh); hp is not modified. */
public final class RecurrentGatesReference {
    private RecurrentGatesReference() {}

    /** See {@link RecurrentGates#lstm}. */
    public static void lstm(int hs, float[] xp, int xo, float[] hp, int ho, float[] c, int co, float[] h, int hOff) {
        for (int j = 0; j < hs; j++) {
            float i = sigmoid(hp[ho + j] + xp[xo + j]);
            float f = sigmoid(hp[ho + hs + j] + xp[xo + hs + j]);
            float g = (float) Math.tanh(hp[ho + 2 * hs + j] + xp[xo + 2 * hs + j]);
            float o = sigmoid(hp[ho + 3 * hs + j] + xp[xo + 3 * hs + j]);
            float cy = f * c[co + j] + i * g;
            c[co + j] = cy;
            h[hOff + j] = o * (float) Math.tanh(cy);
        }
    }

    /** See {@link RecurrentGates#gru}. */
    public static void gru(int hs, float[] xp, int xo, float[] hp, int ho, float[] h, int hOff) {
        for (int j = 0; j < hs; j++) {
            float r = sigmoid(hp[ho + j] + xp[xo + j]);
            float z = sigmoid(hp[ho + hs + j] + xp[xo + hs + j]);
            float n = (float) Math.tanh(xp[xo + 2 * hs + j] + hp[ho + 2 * hs + j] * r);
            h[hOff + j] = (h[hOff + j] - n) * z + n;
        }
    }

    private static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }
}
