package dev.torchlet.vision.generative.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FID against numpy (tools/golden/gen_fid.py: pytorch-fid's formula, Tr sqrtm(S1 S2) from the eigenvalues of the
 * non-symmetric product). Features are float64. Tolerances: means and covariances 1e-12 absolute + 1e-10
 * relative; FID 1e-8 absolute + 1e-8 relative (the rank-deficient case: 1e-6, since the reference's clamped
 * near-zero eigenvalues of a singular product each contribute up to ~1e-8).
 */
class FrechetDistanceTest {
    private static Tensor get(String key) {
        return Golden.get("vision_fid", key);
    }

    private static double[][] matrix(Tensor t) {
        int n = t.shape()[0];
        int m = t.shape()[1];
        double[] flat = t.toDoubleArray();
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * m, (i + 1) * m);
        }
        return out;
    }

    private static Tensor flat(double[][] m) {
        return Torch.tensor(Arrays.stream(m).flatMapToDouble(Arrays::stream).toArray(), m.length, m[0].length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gaussian", "rank_deficient", "identical", "relu_offset"})
    void matchesNumpy(String name) {
        Tensor x1 = get(name + ".x1");
        Tensor x2 = get(name + ".x2");
        FeatureStatistics a = FeatureStatistics.of(x1);
        FeatureStatistics b = FeatureStatistics.of(x2);
        Golden.assertClose(get(name + ".mu1"), Torch.tensor(a.mean(), a.dim()), 1e-12, 1e-10, name + " mu1");
        Golden.assertClose(get(name + ".sigma1"), flat(a.covariance()), 1e-12, 1e-10, name + " sigma1");
        Golden.assertClose(get(name + ".sigma2"), flat(b.covariance()), 1e-12, 1e-10, name + " sigma2");
        double expected = get(name + ".fid").toDoubleArray()[0];
        double actual = FrechetDistance.of(a, b);
        double atol = name.equals("rank_deficient") ? 1e-6 : 1e-8;
        assertEquals(expected, actual, atol + 1e-8 * Math.abs(expected), name);
        assertEquals(actual, FrechetDistance.between(x1, x2), 0.0, "between = of(statistics)");
        if (name.equals("identical")) {
            assertTrue(Math.abs(actual) < 1e-8, "identical sets: " + actual);
        }
    }

    @Test
    void streamingBatchesEqualOneShot() {
        Tensor x = get("relu_offset.x1"); // a common offset of 50: the shifted sums must not cancel
        int n = x.shape()[0];
        int d = x.shape()[1];
        double[] all = x.toDoubleArray();
        FeatureStatistics streamed = new FeatureStatistics(d);
        int[] sizes = {1, 7, 64, 1, 50};
        int start = 0;
        for (int i = 0; start < n; i++) {
            int b = Math.min(sizes[i % sizes.length], n - start);
            streamed.add(Torch.tensor(Arrays.copyOfRange(all, start * d, (start + b) * d), b, d));
            start += b;
        }
        assertEquals(n, streamed.count());
        Golden.assertClose(get("relu_offset.mu1"), Torch.tensor(streamed.mean(), d), 1e-12, 1e-12, "mu");
        Golden.assertClose(get("relu_offset.sigma1"), flat(streamed.covariance()), 1e-12, 1e-10, "sigma");
        FeatureStatistics oneShot = FeatureStatistics.of(x);
        FeatureStatistics other = FeatureStatistics.of(get("relu_offset.x2"));
        assertEquals(FrechetDistance.of(oneShot, other), FrechetDistance.of(streamed, other), 1e-10);
        // float32 batches (what a network gives) accumulate in double too
        FeatureStatistics f32 = FeatureStatistics.of(Torch.tensor(x.toFloatArray(), n, d));
        assertEquals(FrechetDistance.of(oneShot, other), FrechetDistance.of(f32, other), 1e-4);
    }

    @Test
    void jacobiDecomposesSymmetricMatrices() {
        double[][] s = matrix(get("gaussian.sigma1"));
        SymmetricEigen e = SymmetricEigen.of(s);
        int n = s.length;
        for (int i = 0; i < n; i++) { // V diag(values) V^T = S
            for (int j = 0; j < n; j++) {
                double v = 0;
                for (int k = 0; k < n; k++) {
                    v += e.vectors()[i][k] * e.values()[k] * e.vectors()[j][k];
                }
                assertEquals(s[i][j], v, 1e-12, "(" + i + ", " + j + ")");
            }
        }
        double[][] r = e.sqrtPsd();
        for (int i = 0; i < n; i++) { // sqrt(S)^2 = S
            for (int j = 0; j < n; j++) {
                double v = 0;
                for (int k = 0; k < n; k++) {
                    v += r[i][k] * r[k][j];
                }
                assertEquals(s[i][j], v, 1e-12);
            }
        }
        // Tr sqrt(S S) = Tr S for PSD S
        double trace = 0;
        for (int i = 0; i < n; i++) {
            trace += s[i][i];
        }
        assertEquals(trace, FrechetDistance.traceSqrtProduct(s, s), 1e-10);
    }

    @Test
    void rejectsBadInput() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> FrechetDistance.between(Torch.zeros(4, 3), Torch.zeros(4, 5)));
        assertEquals("FrechetDistance: features of different sizes, 3 and 5", e.getMessage());
        var one = assertThrows(
                IllegalStateException.class,
                () -> FeatureStatistics.of(Torch.zeros(1, 3)).covariance());
        assertEquals("FeatureStatistics: needs at least 2 feature rows, has 1", one.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> FeatureStatistics.of(Torch.zeros(2, 3, 4)));
        assertEquals("FeatureStatistics: expected features of shape (N, D), got [2, 3, 4]", shape.getMessage());
        var nan = assertThrows(
                IllegalArgumentException.class,
                () -> FeatureStatistics.of(Torch.tensor(new float[] {1, Float.NaN}, 1, 2)));
        assertEquals("FeatureStatistics: row 0, feature 1 is not finite: NaN", nan.getMessage());
    }
}
