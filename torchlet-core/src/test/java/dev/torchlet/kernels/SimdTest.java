package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The deterministic vector helpers against java.lang.Math. */
class SimdTest {
    private static float[] expOf(float[] x) {
        float[] out = new float[x.length];
        int vl = Simd.FLOAT.length();
        for (int i = 0; i < x.length; i += vl) {
            Simd.exp(FloatVector.fromArray(Simd.FLOAT, x, i)).intoArray(out, i);
        }
        return out;
    }

    @Test
    void expWithinTwoUlpsOverTheWholeRange() {
        int vl = Simd.FLOAT.length();
        float[] x = new float[vl * 4000];
        for (int i = 0; i < x.length; i++) {
            x[i] = -87f + 175.5f * i / x.length; // [-87, 88.5)
        }
        float[] e = expOf(x);
        for (int i = 0; i < x.length; i++) {
            float exact = (float) Math.exp(x[i]);
            assertTrue(Math.abs(e[i] - exact) <= 2 * Math.ulp(exact), "exp(" + x[i] + ") = " + e[i] + " vs " + exact);
        }
    }

    @Test
    void expSpecialValues() {
        int vl = Simd.FLOAT.length();
        float[] x = new float[vl];
        float[] special = {Float.NEGATIVE_INFINITY, -1000f, -88f, 0f, -0f, 1f, 89f, Float.POSITIVE_INFINITY, Float.NaN};
        System.arraycopy(special, 0, x, 0, Math.min(vl, special.length));
        float[] e = expOf(x);
        assertEquals(0f, e[0]);
        assertEquals(0f, e[1]);
        assertEquals(1f, e[3]);
        assertEquals(1f, e[4]);
        assertEquals((float) Math.E, e[5], Math.ulp((float) Math.E));
        if (vl >= 9) {
            assertEquals(Float.POSITIVE_INFINITY, e[6]);
            assertEquals(Float.POSITIVE_INFINITY, e[7]);
            assertTrue(Float.isNaN(e[8]));
        }
    }

    @Test
    void sumLanesAddsInLaneOrder() {
        float[] x = new float[Simd.FLOAT.length()];
        x[0] = 1e8f;
        x[1] = 1f;
        x[x.length - 1] = -1e8f;
        float expected = 0f;
        for (float v : x) {
            expected += v;
        }
        assertEquals(expected, Simd.sumLanes(FloatVector.fromArray(Simd.FLOAT, x, 0)));
    }

    private static float[] apply(float[] x, java.util.function.UnaryOperator<FloatVector> f) {
        float[] out = new float[x.length];
        int vl = Simd.FLOAT.length();
        for (int i = 0; i < x.length; i += vl) {
            f.apply(FloatVector.fromArray(Simd.FLOAT, x, i)).intoArray(out, i);
        }
        return out;
    }

    @Test
    void tanhAndSigmoidCloseToMath() {
        int vl = Simd.FLOAT.length();
        float[] x = new float[vl * 4000];
        for (int i = 0; i < x.length; i++) {
            x[i] = -30f + 60f * i / x.length;
        }
        x[0] = 0f;
        x[1] = -0f;
        x[2] = 1e-30f;
        x[3] = 0.6249f;
        x[4] = 0.6251f;
        x[5] = -100f;
        x[6] = 100f;
        float[] th = apply(x, Simd::tanh);
        float[] sg = apply(x, Simd::sigmoid);
        for (int i = 0; i < x.length; i++) {
            double t = Math.tanh(x[i]);
            double s = 1 / (1 + Math.exp(-x[i]));
            // absolute 2e-7 near 0 crossings, else a few ulp
            assertTrue(
                    Math.abs(th[i] - t) <= Math.max(4 * Math.ulp((float) t), 2e-7 * Math.abs(t) + 1e-37),
                    "tanh(" + x[i] + ") = " + th[i] + " vs " + t);
            assertTrue(
                    Math.abs(sg[i] - s) <= 4 * Math.ulp((float) s) + 1e-38,
                    "sigmoid(" + x[i] + ") = " + sg[i] + " vs " + s);
        }
        assertEquals(0f, th[0]);
        assertEquals(1f, th[6]);
        assertEquals(-1f, apply(new float[vl], v -> Simd.tanh(v.sub(100f)))[0]);
        float[] nan = new float[vl];
        nan[0] = Float.NaN;
        assertTrue(Float.isNaN(apply(nan, Simd::tanh)[0]) && Float.isNaN(apply(nan, Simd::sigmoid)[0]));
    }
}
