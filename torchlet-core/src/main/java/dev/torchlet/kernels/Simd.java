package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API species the fast kernels use: the widest this CPU supports (512-bit on AVX-512). */
public final class Simd {
    public static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;

    /**
     * Vector registers the register-blocked kernels may plan for: 16 on x86 without AVX-512 (AVX2's
     * ymm0-15), 32 with AVX-512 and on AArch64. A tile whose accumulators, operands and C2's hoisted
     * broadcasts exceed this spills an accumulator to the stack and runs at half speed or less.
     */
    public static final int VECTOR_REGISTERS = isX86() && FLOAT.vectorBitSize() < 512 ? 16 : 32;

    private Simd() {}

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86") || arch.equals("i386");
    }

    /**
     * Sum of the lanes, added in lane order. Use this instead of {@code reduceLanes(ADD)}: the JIT
     * may associate that reduction differently in interpreted and compiled code, so the same
     * inputs would give results that differ in the last bits from run to run.
     */
    public static float sumLanes(FloatVector v) {
        // lanes by constant index, so C2 extracts them from the register: toArray() allocated an array per call
        if (v.length() < 4) {
            float s = v.lane(0);
            for (int i = 1; i < v.length(); i++) {
                s += v.lane(i);
            }
            return s;
        }
        float s = v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3);
        if (v.length() == 4) {
            return s;
        }
        s = s + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7);
        if (v.length() == 8) {
            return s;
        }
        if (v.length() == 16) {
            s = s + v.lane(8) + v.lane(9) + v.lane(10) + v.lane(11);
            return s + v.lane(12) + v.lane(13) + v.lane(14) + v.lane(15);
        }
        for (int i = 8; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }

    /** The tail mask of a row of n floats at column j: null while a full vector fits, else the lanes still in range. */
    public static VectorMask<Float> tail(int j, int n) {
        return j + FLOAT.length() <= n ? null : FLOAT.indexInRange(j, n);
    }

    /** Full-width load, or a masked one (m != null, see {@link #tail}) for the tail of a row. */
    public static FloatVector load(float[] a, int off, VectorMask<Float> m) {
        return m == null ? FloatVector.fromArray(FLOAT, a, off) : FloatVector.fromArray(FLOAT, a, off, m);
    }

    /** Full-width store, or a masked one (m != null) for the tail of a row. */
    public static void store(FloatVector v, float[] a, int off, VectorMask<Float> m) {
        if (m == null) {
            v.intoArray(a, off);
        } else {
            v.intoArray(a, off, m);
        }
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Below ln(smallest normal float) the result is flushed to 0 (exp(-inf) = 0 exactly). */
    private static final float EXP_LO = -87.33654f;

    private static final float EXP_HI = 88.72283f;
    /** 1.5 * 2^23: for |v| &lt; 2^22, v + ROUND_SHIFT is a float whose low 23 bits hold round(v) + 2^22. */
    private static final float ROUND_SHIFT = 12582912f;

    private static final int ROUND_SHIFT_BITS = Float.floatToRawIntBits(ROUND_SHIFT);

    /**
     * e^x per lane, within about 2 ulp, built from plain lanewise arithmetic (the Cephes expf
     * scheme: x = n ln2 + r, a degree-6 polynomial for e^r, then scaling by 2^n in the exponent
     * bits). Use this instead of {@code lanewise(EXP)}, which may be computed by different routines
     * in interpreted and compiled code, so results would change from run to run.
     *
     * <p>Keep this method under C2's FreqInlineSize (325 bytes of bytecode; check with {@code javap -c}):
     * at 327 bytes it was not inlined into its hot callers (softmax, sigmoid, tanh, GELU, SiLU, the
     * recurrent gates), so every call boxed its argument and result vectors on the heap. Scalar
     * {@code fma(float, float)} forms instead of broadcasts keep it small with the same results.
     */
    public static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        VectorMask<Float> underflow = x.compare(VectorOperators.LT, EXP_LO);
        VectorMask<Float> overflow = x.compare(VectorOperators.GT, EXP_HI);
        // clamped by blends (NaN compares false and stays NaN): max/min carry Java's NaN and -0.0 rules, 2x the code
        FloatVector xc = x.blend(EXP_LO, underflow).blend(EXP_HI, overflow);
        // n = round(x log2 e): adding 1.5 * 2^23 leaves n in the low mantissa bits (no float-int conversions, whose
        // Java semantics cost C2 a dozen instructions each; exp ran at half this speed with them)
        FloatVector shifted = xc.fma(LOG2E, ROUND_SHIFT);
        FloatVector n = shifted.sub(ROUND_SHIFT);
        FloatVector r = n.fma(FloatVector.broadcast(s, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(s, -LN2_LO), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f); // c0 r + c1, then Horner
        p = p.fma(r, FloatVector.broadcast(s, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(s, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(s, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(s, 5.0000001201e-1f));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        // 2^n from the exponent bits; n in [-126, 128], split in two factors so 2^128 does not overflow
        IntVector ni = shifted.reinterpretAsInts().sub(ROUND_SHIFT_BITS);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector scale1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 =
                ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(scale1).mul(scale2).blend(0f, underflow).blend(Float.POSITIVE_INFINITY, overflow);
    }

    /**
     * erf per lane in float32: the rational approximation of Eigen's and TensorFlow's float erf, x clamped to
     * [-4, 4] (beyond, erf rounds to +-1 in float), then an odd degree-13 polynomial over an even degree-8 one in
     * x^2. Within about 1e-7 absolute of the exact value (checked against {@link ErfMath} in the GELU conformance
     * test). Plain lanewise arithmetic: deterministic across runs.
     */
    public static FloatVector erf(FloatVector a) {
        FloatVector x = a.max(-4f).min(4f);
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(-2.72614225801306e-10f, 2.77068142495902e-08f);
        p = p.fma(x2, FloatVector.broadcast(x.species(), -2.10102402082508e-06f));
        p = p.fma(x2, FloatVector.broadcast(x.species(), -5.69250639462346e-05f));
        p = p.fma(x2, FloatVector.broadcast(x.species(), -7.34990630326855e-04f));
        p = p.fma(x2, FloatVector.broadcast(x.species(), -2.95459980854025e-03f));
        p = p.fma(x2, FloatVector.broadcast(x.species(), -1.60960333262415e-02f));
        FloatVector q = x2.fma(-1.45660718464996e-05f, -2.13374055278905e-04f);
        q = q.fma(x2, FloatVector.broadcast(x.species(), -1.68282697438203e-03f));
        q = q.fma(x2, FloatVector.broadcast(x.species(), -7.37332916720468e-03f));
        q = q.fma(x2, FloatVector.broadcast(x.species(), -1.42647390514189e-02f));
        return x.mul(p).div(q);
    }

    /** 1 / (1 + e^-x) per lane, from {@link #exp} (deterministic; within a few ulp of the exact value). */
    public static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(x.species(), 1f).div(exp(x.neg()).add(1f));
    }

    /**
     * tanh per lane, from {@link #exp} (deterministic). Cephes tanhf: for |x| < 0.625 the odd
     * polynomial x + x^3 P(x^2), else sign(x) (1 - 2 / (e^{2|x|} + 1)).
     */
    public static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(-5.70498872745e-3f, 2.06390887954e-2f);
        p = p.fma(z, FloatVector.broadcast(x.species(), -5.37397155531e-2f));
        p = p.fma(z, FloatVector.broadcast(x.species(), 1.33314422036e-1f));
        p = p.fma(z, FloatVector.broadcast(x.species(), -3.33332819422e-1f));
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector e = exp(a.add(a));
        FloatVector one = FloatVector.broadcast(x.species(), 1f);
        FloatVector big = one.sub(FloatVector.broadcast(x.species(), 2f).div(e.add(1f)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        return big.blend(small, a.compare(VectorOperators.LT, 0.625f));
    }

    /** e.g. "512-bit float vectors (16 lanes)". */
    public static String describe() {
        return FLOAT.vectorBitSize() + "-bit float vectors (" + FLOAT.length() + " lanes)";
    }
}
