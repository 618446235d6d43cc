package dev.torchlet.vision.generative.metrics;

/**
 * Eigen-decomposition of a real symmetric matrix A = V diag(values) V^T in double precision by the cyclic
 * Jacobi method (plane rotations that zero one off-diagonal pair at a time, sweeping until the off-diagonal
 * mass is below 1e-15 of the diagonal's). O(n^3) per sweep and quadratically convergent: meant for the
 * covariance matrices of feature vectors (n up to a few hundred), where it is accurate to a few ulps of the
 * largest eigenvalue, also for singular (rank-deficient) matrices.
 *
 * @param values  eigenvalues, unsorted
 * @param vectors column k of this (n x n, row-major {@code vectors[row][k]}) is the eigenvector of value k
 */
public record SymmetricEigen(double[] values, double[][] vectors) {
    private static final int MAX_SWEEPS = 100;

    /** Decomposes a symmetric matrix (only symmetry up to rounding is assumed: it is symmetrized first). */
    public static SymmetricEigen of(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (matrix[i].length != n) {
                throw new IllegalArgumentException("SymmetricEigen: expected a square matrix, row " + i + " has "
                        + matrix[i].length + " entries, not " + n);
            }
            for (int j = 0; j < n; j++) {
                double v = 0.5 * (matrix[i][j] + matrix[j][i]);
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(
                            "SymmetricEigen: entry (" + i + ", " + j + ") is not finite: " + v);
                }
                a[i][j] = v;
            }
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            double diag = 0;
            for (int i = 0; i < n; i++) {
                diag += a[i][i] * a[i][i];
                for (int j = i + 1; j < n; j++) {
                    off += a[i][j] * a[i][j];
                }
            }
            if (off == 0 || off <= 1e-30 * diag) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] != 0) {
                        rotate(a, v, p, q);
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
        return new SymmetricEigen(values, v);
    }

    /** A' = J^T A J with the rotation J in the (p, q) plane that makes A'[p][q] = 0; V = V J. */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        int n = a.length;
        double apq = a[p][q];
        double theta = (a[q][q] - a[p][p]) / (2 * apq);
        // t = tan of the rotation angle, the smaller root of t^2 + 2 theta t - 1 = 0
        double t = Math.abs(theta) > 1e150
                ? 1 / (2 * theta)
                : Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < n; k++) { // columns p and q
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++) { // rows p and q
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
        }
        a[p][q] = 0;
        a[q][p] = 0;
        for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
    }

    /**
     * The symmetric positive semi-definite square root V diag(sqrt(max(values, 0))) V^T: eigenvalues below zero
     * (rounding noise of a singular covariance) count as zero.
     */
    public double[][] sqrtPsd() {
        int n = values.length;
        double[] r = new double[n];
        for (int k = 0; k < n; k++) {
            r[k] = Math.sqrt(Math.max(values[k], 0));
        }
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += vectors[i][k] * r[k] * vectors[j][k];
                }
                out[i][j] = s;
                out[j][i] = s;
            }
        }
        return out;
    }
}
