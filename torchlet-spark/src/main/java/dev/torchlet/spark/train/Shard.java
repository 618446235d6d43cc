package dev.torchlet.spark.train;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Random;

/**
 * One partition's training rows, materialized once and cached by Spark: features (n, rowShape...) as one flat
 * float array, targets as floats (class indices for classification). Batches are taken in a per-epoch order
 * that depends only on the seed, the epoch and the partition, so a resumed run sees the same batches.
 */
final class Shard implements Serializable {
    private static final long serialVersionUID = 1L;

    final int partition;
    final int rows;
    final int[] rowShape;
    final float[] features;
    final float[] targets;

    Shard(int partition, int[] rowShape, float[] features, float[] targets) {
        this.partition = partition;
        this.rows = targets.length;
        this.rowShape = rowShape.clone();
        this.features = features;
        this.targets = targets;
    }

    /** Row order of an epoch: a seeded shuffle, or 0..n-1. */
    int[] order(long seed, int epoch, boolean shuffle) {
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        if (shuffle) {
            Random rnd = new Random(seed * 1_000_003L + epoch * 7919L + partition);
            for (int i = rows - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** The batch of rows order[from, from + size): features (size, rowShape...) and targets (size). */
    Tensor[] batch(int[] order, int from, int size, boolean classification) {
        int d = features.length / Math.max(rows, 1);
        float[] x = new float[size * d];
        float[] y = new float[size];
        for (int i = 0; i < size; i++) {
            int r = order[from + i];
            System.arraycopy(features, r * d, x, i * d, d);
            y[i] = targets[r];
        }
        int[] shape = new int[rowShape.length + 1];
        shape[0] = size;
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        Tensor target = classification ? Torch.tensor(y, size).to(DType.INT64) : Torch.tensor(y, size);
        return new Tensor[] {Torch.tensor(x, shape), target};
    }

    @Override
    public String toString() {
        return "Shard[partition " + partition + ", " + rows + " rows of " + Arrays.toString(rowShape) + "]";
    }
}
