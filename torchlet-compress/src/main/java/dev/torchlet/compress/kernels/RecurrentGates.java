package dev.torchlet.compress.kernels;

import static dev.torchlet.kernels.Simd.load;
import static dev.torchlet.kernels.Simd.store;
import static dev.torchlet.kernels.Simd.tail;

import dev.torchlet.kernels.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The float gate pass of one step of a dynamic-int8 LSTM or GRU row, from the input projection xp and the hidden
 * projection hp of that row, each with its own bias already added (PyTorch's quantized cells: gates = hp + xp).
 * Vector API with the deterministic {@link Simd#sigmoid} / {@link Simd#tanh} (a few ulp);
 * {@link RecurrentGatesReference} is the plain-loop oracle.
 */
public final class RecurrentGates {
    private RecurrentGates() {}

    /**
     * LSTM, gates i, f, g, o at xp[xo + k*H], hp[ho + k*H]: c = sigmoid(f) c + sigmoid(i) tanh(g) in place at
     * c[co, co + H), h = sigmoid(o) tanh(c) into h[hOff, hOff + H). hp[ho, ho + 4H) is scratch: it ends up
     * holding the activated gates.
     */
    public static void lstm(int hs, float[] xp, int xo, float[] hp, int ho, float[] c, int co, float[] h, int hOff) {
        addInPlace(hp, ho, xp, xo, 4 * hs);
        sigmoidInPlace(hp, ho, 2 * hs);
        tanhInPlace(hp, ho + 2 * hs, hs);
        sigmoidInPlace(hp, ho + 3 * hs, hs);
        for (int j = 0; j < hs; j += Simd.FLOAT.length()) {
            VectorMask<Float> m = tail(j, hs);
            FloatVector cy = load(hp, ho + hs + j, m)
                    .mul(load(c, co + j, m))
                    .add(load(hp, ho + j, m).mul(load(hp, ho + 2 * hs + j, m)));
            store(cy, c, co + j, m);
            store(load(hp, ho + 3 * hs + j, m).mul(Simd.tanh(cy)), h, hOff + j, m);
        }
    }

    /**
     * GRU, gates r, z, n: r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n);
     * h = (h - n) z + n in place at h[hOff, hOff + H). hp[ho, ho + 3H) is scratch.
     */
    public static void gru(int hs, float[] xp, int xo, float[] hp, int ho, float[] h, int hOff) {
        addInPlace(hp, ho, xp, xo, 2 * hs);
        sigmoidInPlace(hp, ho, 2 * hs);
        int n2 = 2 * hs;
        for (int j = 0; j < hs; j += Simd.FLOAT.length()) {
            VectorMask<Float> m = tail(j, hs);
            FloatVector r = load(hp, ho + j, m);
            store(load(xp, xo + n2 + j, m).add(r.mul(load(hp, ho + n2 + j, m))), hp, ho + n2 + j, m);
        }
        tanhInPlace(hp, ho + n2, hs);
        for (int j = 0; j < hs; j += Simd.FLOAT.length()) {
            VectorMask<Float> m = tail(j, hs);
            FloatVector n = load(hp, ho + n2 + j, m);
            store(load(h, hOff + j, m).sub(n).mul(load(hp, ho + hs + j, m)).add(n), h, hOff + j, m);
        }
    }

    // one Simd.sigmoid/tanh per loop body keeps each under C2's inlining limits (no boxed vectors)

    private static void addInPlace(float[] a, int aOff, float[] b, int bOff, int n) {
        for (int j = 0; j < n; j += Simd.FLOAT.length()) {
            VectorMask<Float> m = tail(j, n);
            store(load(a, aOff + j, m).add(load(b, bOff + j, m)), a, aOff + j, m);
        }
    }

    private static void sigmoidInPlace(float[] a, int off, int n) {
        for (int j = 0; j < n; j += Simd.FLOAT.length()) {
            VectorMask<Float> m = tail(j, n);
            store(Simd.sigmoid(load(a, off + j, m)), a, off + j, m);
        }
    }

    private static void tanhInPlace(float[] a, int off, int n) {
        for (int j = 0; j < n; j += Simd.FLOAT.length()) {
            VectorMask<Float> m = tail(j, n);
            store(Simd.tanh(load(a, off + j, m)), a, off + j, m);
        }
    }
}
