package dev.torchlet.data;

/**
 * A stream-style dataset, like {@code torch.utils.data.IterableDataset}: samples come from an
 * iterator (a file read line by line, a generator) and have no index. A {@link DataLoader} over
 * it batches in stream order; shuffling and samplers do not apply.
 */
public interface IterableDataset<T> extends Iterable<T> {}
