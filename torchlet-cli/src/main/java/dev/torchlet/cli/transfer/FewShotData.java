package dev.torchlet.cli.transfer;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** In-memory image tensors (N, 1, 28, 28) and int64 labels (N) of a subset of Fashion-MNIST's classes. */
record FewShotData(Tensor images, Tensor labels) {
    int size() {
        return labels.size(0);
    }

    /**
     * The examples whose class is in [firstClass, firstClass + numClasses), relabelled from 0, at most
     * perClass of each (0: all), picked with a seeded shuffle.
     */
    static FewShotData of(Dataset<Example> source, int firstClass, int numClasses, int perClass, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            order.add(i);
        }
        if (perClass > 0) {
            java.util.Collections.shuffle(order, new Random(seed));
        }
        int[] taken = new int[numClasses];
        List<Tensor> images = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        for (int i : order) {
            Example e = source.get(i);
            int c = (int) e.label() - firstClass;
            if (c < 0 || c >= numClasses || (perClass > 0 && taken[c] == perClass)) {
                continue;
            }
            taken[c]++;
            images.add(e.input());
            labels.add((long) c);
        }
        long[] y = labels.stream().mapToLong(Long::longValue).toArray();
        return new FewShotData(Torch.stack(images, 0), Torch.tensor(y, y.length));
    }

    /** Rows [from, from + n) of a permutation. */
    FewShotData batch(int[] permutation, int from, int n) {
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
            idx[i] = permutation[from + i];
        }
        Tensor rows = Torch.tensor(idx, n);
        return new FewShotData(images.indexSelect(0, rows), labels.indexSelect(0, rows));
    }
}
