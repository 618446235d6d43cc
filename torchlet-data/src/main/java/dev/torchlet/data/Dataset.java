package dev.torchlet.data;

import java.util.function.Function;

/**
 * A map-style dataset, like {@code torch.utils.data.Dataset}: a fixed number of samples, each
 * read by index. Implementations must allow {@link #get} from several threads at once (the
 * {@link DataLoader}'s workers call it concurrently).
 *
 * @param <T> the sample type, e.g. {@code Example(Tensor input, long label)}
 */
public interface Dataset<T> {
    /** Number of samples. */
    int size();

    /** Sample i, 0 &lt;= i &lt; size(). */
    T get(int index);

    /** A lazy view applying f to every sample on read (f runs in the loader's worker threads). */
    default <R> Dataset<R> map(Function<? super T, ? extends R> f) {
        Dataset<T> self = this;
        return new Dataset<>() {
            @Override
            public int size() {
                return self.size();
            }

            @Override
            public R get(int index) {
                return f.apply(self.get(index));
            }
        };
    }

    /** Throws a clear error when index is outside [0, size). */
    static int checkIndex(String what, int index, int size) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(
                    what + ": index " + index + " is out of range for a dataset of " + size + " samples");
        }
        return index;
    }
}
