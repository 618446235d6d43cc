package dev.torchlet;

import java.util.Arrays;

/** Static helpers for shapes and strides. Shapes are {@code int[]}, row-major. */
public final class Shape {
    private Shape() {}

    /** Number of elements of a shape; 1 for a scalar shape {@code []}. */
    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "shape " + str(shape) + " has " + n + " elements; at most " + Integer.MAX_VALUE + " are supported");
        }
        return (int) n;
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Validates a shape given by a user: no negative sizes. */
    public static int[] check(String op, int[] shape) {
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException(op + ": negative size in shape " + str(shape));
            }
        }
        return shape.clone();
    }

    /**
     * Normalizes a possibly negative dim against a rank, as PyTorch does: -1 is the last dim.
     * For a scalar (rank 0) dims 0 and -1 are accepted.
     */
    public static int dim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException(op + ": dim " + dim + " out of range for a tensor of rank " + rank
                    + " (expected in [" + (-r) + ", " + (r - 1) + "])");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** Broadcast shape of a and b under PyTorch's rules, or an error naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " are not broadcastable (size " + da + " vs " + db + " at dim " + i + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** True if {@code from} can be broadcast to {@code to}. */
    public static boolean broadcastableTo(int[] from, int[] to) {
        if (from.length > to.length) {
            return false;
        }
        int lead = to.length - from.length;
        for (int i = 0; i < from.length; i++) {
            if (from[i] != 1 && from[i] != to[lead + i]) {
                return false;
            }
        }
        return true;
    }

    /** Infers one -1 entry of a requested shape so that it has {@code numel} elements. */
    public static int[] infer(String op, int[] requested, int numel, int[] from) {
        int[] out = requested.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException(op + ": only one dimension can be -1 in " + str(requested));
                }
                unknown = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + out[i] + " in " + str(requested));
            } else {
                known *= out[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + str(requested) + " is invalid for input of shape "
                        + str(from) + " (" + numel + " elements)");
            }
            out[unknown] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException(op + ": shape " + str(requested) + " is invalid for input of shape "
                    + str(from) + " (" + numel + " elements)");
        }
        return out;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
