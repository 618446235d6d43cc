package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API species the fast kernels use: the widest this CPU supports (512-bit on AVX-512). */
public final class Simd {
    public static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;

    private Simd() {}

    /** e.g. "512-bit float vectors (16 lanes)". */
    public static String describe() {
        return FLOAT.vectorBitSize() + "-bit float vectors (" + FLOAT.length() + " lanes)";
    }
}
