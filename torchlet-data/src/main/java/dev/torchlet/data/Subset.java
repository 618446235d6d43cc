package dev.torchlet.data;

/** The samples of a dataset at the given indices, in that order, like {@code torch.utils.data.Subset}. */
public final class Subset<T> implements Dataset<T> {
    private final Dataset<T> dataset;
    private final int[] indices;

    public Subset(Dataset<T> dataset, int[] indices) {
        int n = dataset.size();
        for (int i : indices) {
            if (i < 0 || i >= n) {
                throw new IndexOutOfBoundsException(
                        "Subset: index " + i + " is out of range for a dataset of " + n + " samples");
            }
        }
        this.dataset = dataset;
        this.indices = indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public T get(int index) {
        return dataset.get(indices[Dataset.checkIndex("Subset", index, indices.length)]);
    }

    public Dataset<T> dataset() {
        return dataset;
    }

    public int[] indices() {
        return indices.clone();
    }
}
