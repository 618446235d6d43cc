package dev.torchlet.data;

import dev.torchlet.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bucketing by length: batches of samples of similar length, so padded text batches waste little.
 * Give the loader the same batchSize as here. Without shuffle, samples are sorted by length (stable)
 * and cut into batches. With shuffle, each epoch draws a random permutation, cuts it into pools of
 * {@code poolBatches * batchSize} samples, sorts each pool by length, cuts the pools into batches
 * and shuffles the order of the batches (the "sortish" sampler of fastai / torchtext's BucketIterator):
 * random batches, each of similar lengths.
 */
public final class BucketSampler implements Sampler {
    private final int[] lengths;
    private final int batchSize;
    private final int poolBatches;
    private final boolean shuffle;

    /**
     * @param lengths     the length of every sample (e.g. its token count), index = dataset index
     * @param batchSize   the loader's batch size
     * @param poolBatches batches per sorting pool when shuffling (larger: more similar lengths, less randomness)
     * @param shuffle     a new random order every epoch
     */
    public BucketSampler(int[] lengths, int batchSize, int poolBatches, boolean shuffle) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("BucketSampler: batchSize must be positive, got " + batchSize);
        }
        if (poolBatches <= 0) {
            throw new IllegalArgumentException("BucketSampler: poolBatches must be positive, got " + poolBatches);
        }
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 0) {
                throw new IllegalArgumentException(
                        "BucketSampler: length " + i + " is " + lengths[i] + ", expected >= 0");
            }
        }
        this.lengths = lengths.clone();
        this.batchSize = batchSize;
        this.poolBatches = poolBatches;
        this.shuffle = shuffle;
    }

    @Override
    public int[] indices(int datasetSize, Generator rng) {
        if (datasetSize != lengths.length) {
            throw new IllegalArgumentException(
                    "BucketSampler: " + lengths.length + " lengths for a dataset of " + datasetSize + " samples");
        }
        Integer[] order = new Integer[datasetSize];
        int[] perm = shuffle ? Samplers.permutation(datasetSize, rng) : null;
        for (int i = 0; i < datasetSize; i++) {
            order[i] = shuffle ? perm[i] : i;
        }
        int pool = shuffle ? poolBatches * batchSize : Math.max(datasetSize, 1);
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < datasetSize; start += pool) {
            int end = Math.min(datasetSize, start + pool);
            Arrays.sort(order, start, end, (a, b) -> Integer.compare(lengths[a], lengths[b]));
            for (int b = start; b < end; b += batchSize) {
                int[] batch = new int[Math.min(batchSize, end - b)];
                for (int k = 0; k < batch.length; k++) {
                    batch[k] = order[b + k];
                }
                batches.add(batch);
            }
        }
        if (shuffle) {
            // the partial batch (if any) stays last, so batches of the loader line up with these
            int full = batches.size() - (batches.isEmpty() || batches.getLast().length == batchSize ? 0 : 1);
            for (int i = full - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int[] t = batches.get(i);
                batches.set(i, batches.get(j));
                batches.set(j, t);
            }
        }
        int[] out = new int[datasetSize];
        int p = 0;
        for (int[] b : batches) {
            System.arraycopy(b, 0, out, p, b.length);
            p += b.length;
        }
        return out;
    }
}
