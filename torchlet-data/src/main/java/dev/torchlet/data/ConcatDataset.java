package dev.torchlet.data;

import java.util.Arrays;
import java.util.List;

/** Several datasets one after the other, like {@code torch.utils.data.ConcatDataset}. */
public final class ConcatDataset<T> implements Dataset<T> {
    private final List<Dataset<? extends T>> datasets;
    private final int[] ends; // ends[k] = total size of datasets 0..k

    public ConcatDataset(List<? extends Dataset<? extends T>> datasets) {
        if (datasets.isEmpty()) {
            throw new IllegalArgumentException("ConcatDataset: needs at least one dataset");
        }
        this.datasets = List.copyOf(datasets);
        this.ends = new int[datasets.size()];
        long total = 0;
        for (int k = 0; k < ends.length; k++) {
            total += datasets.get(k).size();
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("ConcatDataset: more than " + Integer.MAX_VALUE + " samples");
            }
            ends[k] = (int) total;
        }
    }

    @SafeVarargs
    public static <T> ConcatDataset<T> of(Dataset<? extends T>... datasets) {
        return new ConcatDataset<>(List.of(datasets));
    }

    @Override
    public int size() {
        return ends[ends.length - 1];
    }

    @Override
    public T get(int index) {
        Dataset.checkIndex("ConcatDataset", index, size());
        // First dataset whose end is > index (binary search over cumulative sizes).
        int k = Arrays.binarySearch(ends, index + 1);
        k = k >= 0 ? k : -k - 1;
        while (k > 0 && ends[k - 1] == ends[k]) {
            k--; // skip back over empty datasets that share the same end
        }
        int start = k == 0 ? 0 : ends[k - 1];
        return datasets.get(k).get(index - start);
    }
}
