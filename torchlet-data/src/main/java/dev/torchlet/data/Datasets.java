package dev.torchlet.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Helpers over datasets: {@link #randomSplit}, like {@code torch.utils.data.random_split}. */
public final class Datasets {
    private Datasets() {}

    /**
     * Splits a dataset into non-overlapping random subsets of the given lengths (which must sum to
     * its size). The same seed gives the same split.
     */
    public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, int[] lengths, long seed) {
        long sum = 0;
        for (int len : lengths) {
            if (len < 0) {
                throw new IllegalArgumentException("randomSplit: negative length in " + Arrays.toString(lengths));
            }
            sum += len;
        }
        if (sum != dataset.size()) {
            throw new IllegalArgumentException("randomSplit: lengths " + Arrays.toString(lengths) + " sum to " + sum
                    + ", but the dataset has " + dataset.size() + " samples");
        }
        int[] perm = Samplers.permutation(dataset.size(), new dev.torchlet.Generator(seed));
        List<Subset<T>> out = new ArrayList<>(lengths.length);
        int start = 0;
        for (int len : lengths) {
            out.add(new Subset<>(dataset, Arrays.copyOfRange(perm, start, start + len)));
            start += len;
        }
        return out;
    }

    /**
     * Splits by fractions summing to 1 (e.g. {0.8, 0.2}); like PyTorch, floor(f * n) each, then the
     * remainder handed out one by one round-robin from the first subset.
     */
    public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, double[] fractions, long seed) {
        double total = 0;
        for (double f : fractions) {
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException("randomSplit: fraction " + f + " is not in [0, 1]");
            }
            total += f;
        }
        if (Math.abs(total - 1) > 1e-6) {
            throw new IllegalArgumentException(
                    "randomSplit: fractions " + Arrays.toString(fractions) + " sum to " + total + ", expected 1");
        }
        int n = dataset.size();
        int[] lengths = new int[fractions.length];
        int used = 0;
        for (int k = 0; k < lengths.length; k++) {
            lengths[k] = (int) Math.floor(n * fractions[k]);
            used += lengths[k];
        }
        for (int k = 0; used < n; k = (k + 1) % lengths.length, used++) {
            lengths[k]++;
        }
        return randomSplit(dataset, lengths, seed);
    }
}
