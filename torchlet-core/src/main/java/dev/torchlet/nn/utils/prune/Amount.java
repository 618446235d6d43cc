package dev.torchlet.nn.utils.prune;

/**
 * How much to prune, as PyTorch's {@code amount}: a fraction in [0, 1] of the entries (or channels)
 * still unpruned, rounded half to even like Python's {@code round}, or an absolute count.
 */
public record Amount(double fraction, int count, boolean isCount) {
    public Amount {
        if (isCount && count < 0) {
            throw new IllegalArgumentException(
                    "prune: amount must be a count >= 0 or a fraction in [0, 1], got " + count);
        }
        if (!isCount && !(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException(
                    "prune: amount must be a fraction in [0, 1] or a count >= 0, got " + fraction);
        }
    }

    /** A fraction in [0, 1] of the unpruned entries. */
    public static Amount fraction(double fraction) {
        return new Amount(fraction, 0, false);
    }

    /** An absolute number of entries (or channels). */
    public static Amount count(int count) {
        return new Amount(0, count, true);
    }

    /** How many of {@code size} candidates to prune (PyTorch's {@code _compute_nparams_toprune}), checked. */
    int toPrune(int size) {
        if (isCount) {
            if (count > size) {
                throw new IllegalArgumentException(
                        "prune: amount=" + count + " should be smaller than the number of parameters to prune=" + size);
            }
            return count;
        }
        return (int) Math.rint(fraction * size);
    }

    @Override
    public String toString() {
        return isCount ? Integer.toString(count) : Double.toString(fraction);
    }
}
