package dev.torchlet.ops;

import dev.torchlet.kernels.ErfMath;

/** The error function in double, for {@link Unary#erf} and the exact GELU: {@link ErfMath#erf}. */
final class Erf {
    private Erf() {}

    static double erf(double x) {
        return ErfMath.erf(x);
    }
}
