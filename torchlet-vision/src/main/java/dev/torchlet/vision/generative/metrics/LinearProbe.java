package dev.torchlet.vision.generative.metrics;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;
import java.util.Arrays;
import java.util.Random;

/**
 * A linear probe: how linearly separable the classes are in a representation (e.g. an autoencoder's codes).
 * Trains a logistic regression, Linear(D, classes) with cross-entropy and Adam, on the training codes and
 * reports the accuracy on the test codes. The codes are standardized first with the training codes' per-feature
 * mean and standard deviation (applied to both sets), so one learning rate suits any encoder's scale.
 * Deterministic for a given seed (initialization and the order of the mini-batches).
 */
public final class LinearProbe {
    private LinearProbe() {}

    /** Training settings of the probe. */
    public record Options(int epochs, int batchSize, double lr, long seed) {
        public Options {
            if (epochs < 1 || batchSize < 1 || !(lr > 0)) {
                throw new IllegalArgumentException("LinearProbe: epochs and batch size must be at least 1 and lr > 0,"
                        + " got epochs " + epochs + ", batch size " + batchSize + ", lr " + lr);
            }
        }

        /** 10 epochs of batches of 256, Adam lr 1e-2, seed 0. */
        public static Options defaults() {
            return new Options(10, 256, 1e-2, 0);
        }

        public Options withEpochs(int v) {
            return new Options(v, batchSize, lr, seed);
        }

        public Options withBatchSize(int v) {
            return new Options(epochs, v, lr, seed);
        }
    }

    /** Accuracies in [0, 1] of the trained probe on its training codes and on the test codes. */
    public record Result(double trainAccuracy, double testAccuracy, int codeDim, int trainSize, int testSize) {}

    /**
     * Fits the probe on (N, D) training codes with int64 labels (N) in [0, classes) and evaluates it on test codes.
     */
    public static Result fit(
            Tensor trainCodes, Tensor trainLabels, Tensor testCodes, Tensor testLabels, int numClasses, Options o) {
        check(trainCodes, trainLabels, "train");
        check(testCodes, testLabels, "test");
        int d = trainCodes.shape()[1];
        if (testCodes.shape()[1] != d) {
            throw new IllegalArgumentException("LinearProbe: train codes have " + d + " features, test codes "
                    + testCodes.shape()[1]);
        }
        int n = trainCodes.shape()[0];
        float[] train = trainCodes.detach().toFloatArray();
        float[] test = testCodes.detach().toFloatArray();
        standardize(train, test, d);
        long[] labels = trainLabels.toLongArray();
        for (long y : labels) {
            if (y < 0 || y >= numClasses) {
                throw new IllegalArgumentException("LinearProbe: label " + y + " is outside [0, " + numClasses + ")");
            }
        }
        Torch.manualSeed(o.seed());
        Linear probe = new Linear(d, numClasses);
        Adam adam = new Adam(probe.parameters(), o.lr());
        Random rng = new Random(o.seed());
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int epoch = 0; epoch < o.epochs(); epoch++) {
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int start = 0; start < n; start += o.batchSize()) {
                int b = Math.min(o.batchSize(), n - start);
                float[] x = new float[b * d];
                long[] y = new long[b];
                for (int r = 0; r < b; r++) {
                    System.arraycopy(train, order[start + r] * d, x, r * d, d);
                    y[r] = labels[order[start + r]];
                }
                adam.zeroGrad();
                F.crossEntropy(probe.call(Torch.tensor(x, b, d)), Torch.tensor(y, b))
                        .backward();
                adam.step();
            }
        }
        try (var g = Torch.noGrad()) {
            double trainAcc = accuracy(probe.call(Torch.tensor(train, n, d)), labels);
            int m = testCodes.shape()[0];
            double testAcc = accuracy(probe.call(Torch.tensor(test, m, d)), testLabels.toLongArray());
            return new Result(trainAcc, testAcc, d, n, m);
        }
    }

    private static void check(Tensor codes, Tensor labels, String what) {
        if (codes.dim() != 2 || codes.shape()[0] < 1 || labels.dim() != 1 || labels.shape()[0] != codes.shape()[0]) {
            throw new IllegalArgumentException("LinearProbe: expected " + what + " codes (N, D) with N >= 1 and labels"
                    + " (N), got " + Arrays.toString(codes.shape()) + " and " + Arrays.toString(labels.shape()));
        }
    }

    /** x = (x - mean) / std per feature, with the training rows' statistics (std 0 counts as 1). */
    private static void standardize(float[] train, float[] test, int d) {
        int n = train.length / d;
        double[] mean = new double[d];
        double[] sq = new double[d];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                mean[j] += train[r * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                double v = train[r * d + j] - mean[j];
                sq[j] += v * v;
            }
        }
        for (int j = 0; j < d; j++) {
            double std = Math.sqrt(sq[j] / n);
            double scale = std > 1e-12 ? 1 / std : 1;
            for (float[] a : new float[][] {train, test}) {
                for (int r = j; r < a.length; r += d) {
                    a[r] = (float) ((a[r] - mean[j]) * scale);
                }
            }
        }
    }

    private static double accuracy(Tensor logits, long[] labels) {
        long[] predicted = logits.argmax(1).toLongArray();
        long correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return correct / (double) labels.length;
    }
}
