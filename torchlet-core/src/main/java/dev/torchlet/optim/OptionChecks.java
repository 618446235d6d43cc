package dev.torchlet.optim;

/**
 * Range checks shared by the optimizer options records, with the same message as
 * {@link Optimizer#validate}: {@code "SGD: invalid lr value: -0.1"}.
 */
final class OptionChecks {
    private OptionChecks() {}

    /** value finite and &gt;= 0 (lr, eps, weight decay, momentum, ...). */
    static void nonNegative(String optimizer, String field, double value) {
        check(optimizer, field, value, value >= 0 && !Double.isInfinite(value));
    }

    /** value in [0, 1) (betas, alpha). */
    static void fraction(String optimizer, String field, double value) {
        check(optimizer, field, value, value >= 0 && value < 1);
    }

    private static void check(String optimizer, String field, double value, boolean ok) {
        if (!ok) { // also catches NaN: every comparison with NaN is false
            throw new IllegalArgumentException(optimizer + ": invalid " + field + " value: " + value);
        }
    }
}
