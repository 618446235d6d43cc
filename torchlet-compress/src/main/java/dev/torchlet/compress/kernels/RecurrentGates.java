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
     * c[co, co + H), h = sigmoid(o) tanh(c) into h[hOff, hOff + H).
     */
    public static void lstm(int hs, float[] xp, int xo, float[] hp, int ho, float[] c, int co, float[] h, int hOff) {
        for (int j = 0; j < hs; j += Simd.FLOAT.length()) {
            VectorMask<Float> m = tail(j, hs);
            FloatVector i = Simd.sigmoid(load(hp, ho + j, m).add(load(xp, xo + j, m)));
            FloatVector f = Simd.sigmoid(load(hp, ho + hs + j, m).add(load(xp, xo + hs + j, m)));
            FloatVector g = Simd.tanh(load(hp, ho + 2 * hs + j, m).add(load(xp, xo + 2 * hs + j, m)));
            FloatVector o = Simd.sigmoid(load(hp, ho + 3 * hs + j, m).add(load(xp, xo + 3 * hs + j, m)));
            FloatVector cy = f.mul(load(c, co + j, m)).add(i.mul(g));
            store(cy, c, co + j, m);
            store(o.mul(Simd.tanh(cy)), h, hOff + j, m);
        }
    }

    /**
     * GRU, gates r, z, n: r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n);
     * h = (h - n) z + n in place at h[hOff, hOff + H).
     */
    public static void gru(int hs, float[] xp, int xo, float[] hp, int ho, float[] h, int hOff) {
        for (int j = 0; j < hs; j += Simd.FLOAT.length()) {
            VectorMask<Float> m = tail(j, hs);
            FloatVector r = Simd.sigmoid(load(hp, ho + j, m).add(load(xp, xo + j, m)));
            FloatVector z = Simd.sigmoid(load(hp, ho + hs + j, m).add(load(xp, xo + hs + j, m)));
            FloatVector n = Simd.tanh(load(xp, xo + 2 * hs + j, m)
                    .add(load(hp, ho + 2 * hs + j, m).mul(r)));
            store(load(h, hOff + j, m).sub(n).mul(z).add(n), h, hOff + j, m);
        }
    }
}
