package dev.torchlet.vision.generative.metrics;

import dev.torchlet.Tensor;

/**
 * The Fréchet distance between two Gaussians fitted to feature vectors (Heusel et al. 2017, "FID"):
 *
 * <pre>
 *   d^2 = |mu1 - mu2|^2 + Tr(S1) + Tr(S2) - 2 Tr(sqrt(S1 S2))
 * </pre>
 *
 * with unbiased covariances (N - 1), as the pytorch-fid reference implementation computes them. Which
 * features are used decides what the number means: pytorch-fid uses Inception-v3's 2048-d pool features of
 * ImageNet; {@code torchlet generate eval} uses its own Fashion-MNIST classifier's 128-d features
 * ({@link FidClassifier}), so its values are not comparable to published Inception FIDs.
 *
 * <p>Tr(sqrt(S1 S2)) is computed in double precision without a non-symmetric matrix square root: S1 S2 is
 * similar to the symmetric positive semi-definite M = sqrt(S1) S2 sqrt(S1), so Tr(sqrt(S1 S2)) = sum of the
 * square roots of M's eigenvalues. Both square roots come from symmetric eigen-decompositions
 * ({@link SymmetricEigen}, Jacobi) with tiny negative eigenvalues (rounding noise of a singular covariance,
 * e.g. fewer samples than features) clamped to zero; pytorch-fid's scipy {@code sqrtm} instead adds
 * eps * I when the product is singular. The result is not clamped: identical sets give about 0 (± rounding).
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** FID between the rows of two feature matrices (N1, D) and (N2, D). */
    public static double between(Tensor features1, Tensor features2) {
        return of(FeatureStatistics.of(features1), FeatureStatistics.of(features2));
    }

    /** FID between two accumulated feature statistics of the same dimension. */
    public static double of(FeatureStatistics a, FeatureStatistics b) {
        if (a.dim() != b.dim()) {
            throw new IllegalArgumentException(
                    "FrechetDistance: features of different sizes, " + a.dim() + " and " + b.dim());
        }
        return of(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    /** FID between N(mu1, s1) and N(mu2, s2). */
    public static double of(double[] mu1, double[][] s1, double[] mu2, double[][] s2) {
        int d = mu1.length;
        if (mu2.length != d || s1.length != d || s2.length != d) {
            throw new IllegalArgumentException("FrechetDistance: sizes differ: mu1 " + d + ", mu2 " + mu2.length
                    + ", sigma1 " + s1.length + ", sigma2 " + s2.length);
        }
        double meanTerm = 0;
        double traces = 0;
        for (int i = 0; i < d; i++) {
            double diff = mu1[i] - mu2[i];
            meanTerm += diff * diff;
            traces += s1[i][i] + s2[i][i];
        }
        return meanTerm + traces - 2 * traceSqrtProduct(s1, s2);
    }

    /** Tr(sqrt(S1 S2)) for symmetric positive semi-definite S1, S2: sum sqrt(eig(sqrt(S1) S2 sqrt(S1))). */
    public static double traceSqrtProduct(double[][] s1, double[][] s2) {
        int n = s1.length;
        double[][] r = SymmetricEigen.of(s1).sqrtPsd();
        double[][] rs = multiply(r, s2);
        double[][] m = multiply(rs, r);
        double trace = 0;
        for (double lambda : SymmetricEigen.of(m).values()) {
            trace += Math.sqrt(Math.max(lambda, 0));
        }
        return n == 0 ? 0 : trace;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            double[] ci = c[i];
            for (int k = 0; k < n; k++) {
                double aik = a[i][k];
                if (aik == 0) {
                    continue;
                }
                double[] bk = b[k];
                for (int j = 0; j < n; j++) {
                    ci[j] += aik * bk[j];
                }
            }
        }
        return c;
    }
}
