package dev.torchlet.data;

import dev.torchlet.Generator;
import java.util.Arrays;

/** The standard samplers: sequential, random (with or without replacement) and weighted random. */
public final class Samplers {
    private Samplers() {}

    /** 0, 1, ..., n-1, like {@code SequentialSampler}. */
    public static Sampler sequential() {
        return (n, rng) -> {
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            return idx;
        };
    }

    /** A random permutation of all indices, like {@code RandomSampler}. */
    public static Sampler random() {
        return Samplers::permutation;
    }

    /**
     * numSamples indices drawn uniformly, with or without replacement, like
     * {@code RandomSampler(replacement=..., num_samples=...)}. Without replacement numSamples may
     * exceed the dataset size: the permutation is then repeated, as PyTorch does.
     */
    public static Sampler random(boolean replacement, int numSamples) {
        if (numSamples <= 0) {
            throw new IllegalArgumentException("RandomSampler: numSamples must be positive, got " + numSamples);
        }
        return (n, rng) -> {
            if (n == 0) {
                throw new IllegalArgumentException("RandomSampler: the dataset is empty");
            }
            int[] idx = new int[numSamples];
            if (replacement) {
                for (int i = 0; i < numSamples; i++) {
                    idx[i] = rng.nextInt(n);
                }
            } else {
                for (int filled = 0; filled < numSamples; ) {
                    int[] p = permutation(n, rng);
                    int take = Math.min(n, numSamples - filled);
                    System.arraycopy(p, 0, idx, filled, take);
                    filled += take;
                }
            }
            return idx;
        };
    }

    /**
     * numSamples indices where index i is drawn with probability weights[i] / sum(weights), like
     * {@code WeightedRandomSampler}. Weights need not sum to 1. Without replacement, each index is
     * drawn at most once (sequential draws renormalizing the remaining weights).
     */
    public static Sampler weightedRandom(double[] weights, int numSamples, boolean replacement) {
        double[] w = weights.clone();
        double total = 0;
        int positive = 0;
        for (int i = 0; i < w.length; i++) {
            if (!(w[i] >= 0) || Double.isInfinite(w[i])) {
                throw new IllegalArgumentException(
                        "WeightedRandomSampler: weight " + i + " is " + w[i] + ", expected a finite value >= 0");
            }
            total += w[i];
            positive += w[i] > 0 ? 1 : 0;
        }
        if (total <= 0) {
            throw new IllegalArgumentException(
                    "WeightedRandomSampler: the weights sum to " + total + ", expected a positive sum");
        }
        if (numSamples <= 0) {
            throw new IllegalArgumentException("WeightedRandomSampler: numSamples must be positive, got " + numSamples);
        }
        if (!replacement && numSamples > positive) {
            throw new IllegalArgumentException("WeightedRandomSampler: cannot draw " + numSamples
                    + " samples without replacement from " + positive + " indices with positive weight");
        }
        double[] cdf = new double[w.length];
        double acc = 0;
        for (int i = 0; i < w.length; i++) {
            acc += w[i];
            cdf[i] = acc;
        }
        return (n, rng) -> {
            if (w.length != n) {
                throw new IllegalArgumentException(
                        "WeightedRandomSampler: " + w.length + " weights for a dataset of " + n + " samples");
            }
            int[] idx = new int[numSamples];
            if (replacement) {
                for (int k = 0; k < numSamples; k++) {
                    idx[k] = searchCdf(cdf, rng.nextDouble() * cdf[cdf.length - 1]);
                }
            } else {
                double[] left = w.clone();
                for (int k = 0; k < numSamples; k++) {
                    double sum = 0;
                    for (double v : left) {
                        sum += v;
                    }
                    double u = rng.nextDouble() * sum;
                    int pick = -1;
                    for (int i = 0; i < left.length; i++) {
                        if (left[i] > 0) {
                            pick = i;
                            u -= left[i];
                            if (u < 0) {
                                break;
                            }
                        }
                    }
                    idx[k] = pick;
                    left[pick] = 0;
                }
            }
            return idx;
        };
    }

    /** First i with cdf[i] > u (skipping zero-weight entries). */
    private static int searchCdf(double[] cdf, double u) {
        int k = Arrays.binarySearch(cdf, u);
        k = k >= 0 ? k + 1 : -k - 1;
        while (k < cdf.length - 1 && cdf[k] == (k == 0 ? 0 : cdf[k - 1])) {
            k++; // zero-weight entry: move on
        }
        return Math.min(k, cdf.length - 1);
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    public static int[] permutation(int n, Generator rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
