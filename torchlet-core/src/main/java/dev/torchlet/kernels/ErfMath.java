package dev.torchlet.kernels;

/**
 * The error function (Java has none), to about 1e-16 relative: for |x| &lt; 0.5 its Maclaurin
 * series (erf = 1 - erfc would lose all relative precision near 0, e.g. erf(1e-16) came out 2x too
 * large); otherwise a Chebyshev expansion of {@code exp(z^2) erfc(z)} in {@code t = 2 / (2 + z)}
 * (the "erfccheb" scheme of Numerical Recipes, 3rd ed., section 6.2.2). Used by Tensor.erf, the exact GELU in
 * double and as the oracle of the float32 GELU kernels ({@link UnaryReference}).
 */
public final class ErfMath {
    private ErfMath() {}

    private static final double[] COF = {
        -1.3026537197817094,
        6.4196979235649026e-1,
        1.9476473204185836e-2,
        -9.561514786808631e-3,
        -9.46595344482036e-4,
        3.66839497852761e-4,
        4.2523324806907e-5,
        -2.0278578112534e-5,
        -1.624290004647e-6,
        1.303655835580e-6,
        1.5626441722e-8,
        -8.5238095915e-8,
        6.529054439e-9,
        5.059343495e-9,
        -9.91364156e-10,
        -2.27365122e-10,
        9.6467911e-11,
        2.394038e-12,
        -6.886027e-12,
        8.94487e-13,
        3.13092e-13,
        -1.12708e-13,
        3.81e-16,
        7.106e-15,
        -1.523e-15,
        -9.4e-17,
        1.21e-16,
        -2.8e-17
    };

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (Math.abs(x) < 0.5) {
            return series(x);
        }
        return x >= 0 ? 1.0 - erfcPositive(x) : erfcPositive(-x) - 1.0;
    }

    /** erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)); terms shrink by x^2/n &lt; 1/4n. */
    private static double series(double x) {
        double x2 = x * x;
        double power = x; // (-1)^n x^(2n+1) / n!
        double sum = x;
        for (int n = 1; n < 30; n++) {
            power *= -x2 / n;
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /** erfc(z) for z &gt;= 0 by a Chebyshev expansion of exp(z^2) erfc(z). */
    private static double erfcPositive(double z) {
        double t = 2.0 / (2.0 + z);
        double ty = 4.0 * t - 2.0;
        double d = 0.0;
        double dd = 0.0;
        for (int j = COF.length - 1; j > 0; j--) {
            double tmp = d;
            d = ty * d - dd + COF[j];
            dd = tmp;
        }
        return t * Math.exp(-z * z + 0.5 * (COF[0] + ty * d) - dd);
    }
}
