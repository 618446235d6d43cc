package dev.torchlet.cli.transfer;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.FashionMnist;
import dev.torchlet.cli.train.TrainModels;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;
import dev.torchlet.optim.AdamOptions;
import dev.torchlet.optim.Optimizer;
import dev.torchlet.optim.ParamGroup;
import dev.torchlet.vision.features.FeatureExtractor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Transfer learning, shown on the shipped data: a small CNN ({@code train}'s "cnn") learns Fashion-MNIST
 * classes 0-4 from their 30,000 training images; then classes 5-9 are learned from only
 * {@code perClass} labelled images each, three ways, and scored on all 5,000 test images of those
 * classes:
 * <ol>
 *   <li>from scratch (a fresh CNN);</li>
 *   <li>a linear probe: the pretrained convolutional layers frozen, a linear head trained on their
 *       3136 features, which are computed once and cached (also timed without the cache: then the frozen
 *       layers run forward every step);</li>
 *   <li>fine-tuning: the pretrained convolutional layers at a 10x smaller learning rate under a fresh
 *       classifier (the source task's fully connected layers do not transfer).</li>
 * </ol>
 * Module paths of the CNN: "0".."9" feature layers (conv, pool, flatten, linear 3136 -> 128, relu,
 * dropout), "10" the head.
 */
public final class TransferDemo {
    /** What the demonstration measured: test accuracies (0..1) and training seconds per method. */
    public record Result(
            double scratchAccuracy,
            double scratchSeconds,
            double probeAccuracy,
            double probeSeconds,
            double probeCacheSeconds,
            double probeUncachedSeconds,
            double finetuneAccuracy,
            double finetuneSeconds) {
        /** Best transfer method minus from-scratch, in accuracy points. */
        public double gainPoints() {
            return 100 * (Math.max(probeAccuracy, finetuneAccuracy) - scratchAccuracy);
        }
    }

    /** Settings of one demonstration run. */
    public record Settings(
            int pretrainEpochs, int sourcePerClass, int perClass, int fewShotEpochs, int batchSize, long seed) {
        public Settings {
            if (pretrainEpochs < 1 || sourcePerClass < 0 || perClass < 1 || fewShotEpochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("transfer: epochs, images per class and batch size must be "
                        + "positive, got " + pretrainEpochs + ", " + perClass + ", " + fewShotEpochs + ", "
                        + batchSize);
            }
        }
    }

    private static final String HEAD = "10";
    /** In the probe model: "0".."6" the frozen convolutional layers (ending in Flatten), "7" the head. */
    private static final String FEATURES = "6";

    private static final String HEAD_OF_PROBE = "7";

    private final Settings settings;
    private final PrintStream out;

    public TransferDemo(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public Result run(FashionMnist data) {
        List<String> names = data.classes();
        FewShotData source = FewShotData.of(data.trainSet(false), 0, 5, settings.sourcePerClass(), settings.seed());
        FewShotData target = FewShotData.of(data.trainSet(false), 5, 5, settings.perClass(), settings.seed());
        FewShotData targetTest = FewShotData.of(data.testSet(), 5, 5, 0, settings.seed());
        out.printf(
                "source task: classes 0-4 (%s), %d training images%n",
                String.join(", ", names.subList(0, 5)), source.size());
        out.printf(
                "target task: classes 5-9 (%s), %d labelled images (%d per class), %d test images%n",
                String.join(", ", names.subList(5, 10)), target.size(), settings.perClass(), targetTest.size());

        Torch.manualSeed(settings.seed());
        Module pretrained = TrainModels.create("cnn", 5);
        long t0 = System.nanoTime();
        fit(pretrained, new Adam(pretrained.parameters(), 1e-3), source, settings.pretrainEpochs());
        out.printf(
                "pretrained on classes 0-4 in %.1f s: test accuracy %.2f%%%n",
                seconds(t0), 100 * accuracy(pretrained, FewShotData.of(data.testSet(), 0, 5, 0, 0)));

        // 1. from scratch
        Torch.manualSeed(settings.seed() + 1);
        Module scratch = TrainModels.create("cnn", 5);
        t0 = System.nanoTime();
        fit(scratch, new Adam(scratch.parameters(), 1e-3), target, settings.fewShotEpochs());
        double scratchSeconds = seconds(t0);
        double scratchAcc = accuracy(scratch, targetTest);
        out.printf("from scratch: %.2f%% (%.1f s)%n", 100 * scratchAcc, scratchSeconds);

        // 2. linear probe: a linear head on the cached output of the frozen convolutional layers
        Module probe = probeModel(pretrained);
        probe.freeze().unfreeze(HEAD_OF_PROBE);
        probe.eval();
        t0 = System.nanoTime();
        FewShotData cached = new FewShotData(features(probe, target.images()), target.labels());
        double cacheSeconds = seconds(t0);
        Module head = probe.getSubmodule(HEAD_OF_PROBE);
        t0 = System.nanoTime();
        fit(head, new Adam(head.parameters(), 1e-3), cached, settings.fewShotEpochs());
        double probeSeconds = seconds(t0);
        double probeAcc = accuracy(probe, targetTest);
        out.printf(
                "linear probe: %.2f%% (%.2f s on cached features, caching %.2f s)%n",
                100 * probeAcc, probeSeconds, cacheSeconds);

        // the same probe without the cache: the frozen layers run forward every step (no backward through them)
        Module uncached = probeModel(pretrained);
        uncached.freeze().unfreeze(HEAD_OF_PROBE);
        t0 = System.nanoTime();
        fit(
                uncached,
                new Adam(uncached.getSubmodule(HEAD_OF_PROBE).parameters(), 1e-3),
                target,
                settings.fewShotEpochs());
        double uncachedSeconds = seconds(t0);

        // 3. fine-tuning with a smaller learning rate for the pretrained layers
        Module tuned = withNewClassifier(pretrained);
        List<Tensor> convolutions = new ArrayList<>();
        List<Tensor> classifier = new ArrayList<>();
        tuned.namedParameters()
                .forEach((name, p) ->
                        (name.startsWith("0.") || name.startsWith("3.") ? convolutions : classifier).add(p));
        List<ParamGroup> groups = List.of(
                ParamGroup.of(convolutions).set("lr", 1e-4),
                ParamGroup.of(classifier).set("lr", 1e-3));
        t0 = System.nanoTime();
        fit(tuned, new Adam(groups, AdamOptions.of(1e-3)), target, settings.fewShotEpochs());
        double tuneSeconds = seconds(t0);
        double tuneAcc = accuracy(tuned, targetTest);
        out.printf("fine-tuning: %.2f%% (%.1f s)%n", 100 * tuneAcc, tuneSeconds);
        return new Result(
                scratchAcc,
                scratchSeconds,
                probeAcc,
                probeSeconds,
                cacheSeconds,
                uncachedSeconds,
                tuneAcc,
                tuneSeconds);
    }

    /**
     * A copy of the pretrained CNN whose classifier (linear 3136 -> 128 and the head) starts afresh:
     * the convolutional features transfer, the source task's classifier does not.
     */
    private static Module withNewClassifier(Module pretrained) {
        Module copy = TrainModels.create("cnn", 5);
        copy.loadStateDict(pretrained.stateDict());
        copy.replaceModule("7", new Linear(3136, 128));
        copy.replaceModule(HEAD, new Linear(128, 5));
        return copy;
    }

    /** A copy of the pretrained convolutional layers ("0".."6") and a linear head 3136 -> 5 ("7"). */
    private static Module probeModel(Module pretrained) {
        Module copy = copyOf(pretrained);
        Sequential probe = new Sequential();
        for (int i = 0; i <= 6; i++) {
            probe.add(copy.getSubmodule(Integer.toString(i)));
        }
        return probe.add(new Linear(3136, 5));
    }

    private static Module copyOf(Module pretrained) {
        Module copy = TrainModels.create("cnn", 5);
        copy.loadStateDict(pretrained.stateDict());
        return copy;
    }

    /** The frozen layers' output (N, 128) for all images, computed once in eval mode without a graph. */
    private static Tensor features(Module model, Tensor images) {
        FeatureExtractor extractor = FeatureExtractor.of(model, FEATURES);
        List<Tensor> parts = new ArrayList<>();
        try (var g = Torch.noGrad()) {
            for (int i = 0; i < images.size(0); i += 500) {
                int n = Math.min(500, images.size(0) - i);
                parts.add(extractor.extract(images.narrow(0, i, n)).get(FEATURES));
            }
        }
        return Torch.cat(parts, 0);
    }

    private void fit(Module model, Optimizer optimizer, FewShotData data, int epochs) {
        Random random = new Random(settings.seed());
        int[] perm = new int[data.size()];
        for (int e = 0; e < epochs; e++) {
            model.train();
            for (int i = 0; i < perm.length; i++) {
                perm[i] = i;
            }
            for (int i = perm.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            for (int from = 0; from < perm.length; from += settings.batchSize()) {
                FewShotData b = data.batch(perm, from, Math.min(settings.batchSize(), perm.length - from));
                optimizer.zeroGrad();
                F.crossEntropy(model.call(b.images()), b.labels()).backward();
                optimizer.step();
            }
        }
    }

    private static double accuracy(Module model, FewShotData data) {
        model.eval();
        long correct = 0;
        try (var g = Torch.noGrad()) {
            for (int i = 0; i < data.size(); i += 1000) {
                int n = Math.min(1000, data.size() - i);
                Tensor pred = model.call(data.images().narrow(0, i, n)).argmax(1);
                correct += (long) pred.eq(data.labels().narrow(0, i, n))
                        .to(DType.FLOAT32)
                        .sum()
                        .item();
            }
        }
        return (double) correct / data.size();
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) * 1e-9;
    }
}
