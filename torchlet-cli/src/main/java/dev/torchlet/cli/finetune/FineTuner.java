package dev.torchlet.cli.finetune;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.EpochStats;
import dev.torchlet.cli.train.Evaluation;
import dev.torchlet.cli.train.Plots;
import dev.torchlet.cli.train.Progress;
import dev.torchlet.data.Batch;
import dev.torchlet.data.DataLoader;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Example;
import dev.torchlet.data.Subset;
import dev.torchlet.data.datasets.ImageFolder;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.Normalize;
import dev.torchlet.data.transforms.RandomHorizontalFlip;
import dev.torchlet.data.transforms.RandomResizedCrop;
import dev.torchlet.data.transforms.ToTensor;
import dev.torchlet.data.transforms.Transform;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;
import dev.torchlet.optim.AdamOptions;
import dev.torchlet.optim.Optimizer;
import dev.torchlet.optim.ParamGroup;
import dev.torchlet.vision.models.Classifiers;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.transfer.GradualUnfreezing;
import dev.torchlet.vision.transfer.LayerGroups;
import dev.torchlet.vision.weights.Preprocessing;
import dev.torchlet.vision.weights.PretrainedWeights;
import dev.torchlet.vision.weights.WeightRegistry;
import dev.torchlet.vision.weights.WeightSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The loop of `torchlet finetune`: a pretrained zoo model gets a new head for the folder's classes;
 * frozen layers (by glob) keep their weights and, for batch norm, their statistics; trainable
 * pretrained layers learn at {@code lr * backboneLrFactor}, the head at {@code lr} (Adam). A linear
 * probe freezes everything but the head and trains it on the head's inputs computed once for the
 * training images (without augmentation). Gradual unfreezing (ULMFiT) starts with only the head
 * trainable and makes one more layer group trainable every N epochs, from the head backwards
 * ({@link LayerGroups}), printing the trainable groups at each epoch. Validation after every epoch;
 * checkpoint, curves.png and history.jsonl in the output folder.
 */
public final class FineTuner {
    public static final String CHECKPOINT = "checkpoint.safetensors";

    /** Settings of one run (see FinetuneCommand for their meaning). */
    public record Settings(
            String model,
            Path weights,
            boolean download,
            boolean noPretrained,
            Path images,
            double valFraction,
            String[] freeze,
            boolean linearProbe,
            int gradualUnfreezeEvery,
            int epochs,
            int batchSize,
            double lr,
            double backboneLrFactor,
            boolean augment,
            long seed,
            Path out) {
        public Settings {
            if (!(valFraction > 0 && valFraction < 1)) {
                throw new IllegalArgumentException("--val-fraction must be in (0, 1), got " + valFraction);
            }
            if (epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException(
                        "--epochs and --batch-size must be at least 1, got " + epochs + " and " + batchSize);
            }
            if (!(lr > 0) || !(backboneLrFactor >= 0)) {
                throw new IllegalArgumentException(
                        "--lr must be positive and --backbone-lr-factor >= 0, got " + lr + " and " + backboneLrFactor);
            }
            if (linearProbe && freeze.length > 0) {
                throw new IllegalArgumentException(
                        "--linear-probe already freezes everything but the head; drop" + " --freeze");
            }
            if (gradualUnfreezeEvery < 0) {
                throw new IllegalArgumentException("--unfreeze-every must be at least 1, got " + gradualUnfreezeEvery);
            }
            if (gradualUnfreezeEvery > 0 && (linearProbe || freeze.length > 0)) {
                throw new IllegalArgumentException("--gradual-unfreeze decides which layers are frozen at each epoch; "
                        + "drop " + (linearProbe ? "--linear-probe" : "--freeze"));
            }
            if (gradualUnfreezeEvery > 0 && backboneLrFactor == 0) {
                throw new IllegalArgumentException(
                        "--gradual-unfreeze with --backbone-lr-factor 0 would never train the layers it unfreezes");
            }
        }
    }

    /** What a finished run reports. */
    public record Result(
            List<EpochStats> history, Evaluation evaluation, double wallSeconds, Path checkpoint, Path plot) {}

    private final Settings s;
    private final PrintStream out;

    public FineTuner(Settings settings, PrintStream out) {
        this.s = settings;
        this.out = out;
    }

    public Result run() throws IOException {
        long t0 = System.nanoTime();
        Torch.manualSeed(s.seed());
        ImageFolder folder = new ImageFolder(s.images(), new ImageFolder.Options(ImageFolder.OnCorrupt.FAIL, 3));
        List<String> classes = folder.classes();
        int[][] split = split(folder.size());
        WeightSpec spec = WeightRegistry.defaultFor(s.model());
        Module model = Models.create(s.model(), 1000);
        if (s.noPretrained()) {
            out.println("no pretrained weights: torchvision's random initialization");
        } else {
            Path file = PretrainedWeights.resolveAndLoad(model, spec, s.weights(), s.download());
            out.println("pretrained weights: " + file);
        }
        String head = Classifiers.headPath(s.model());
        Classifiers.reset(model, s.model(), classes.size());
        GradualUnfreezing unfreezing = null;
        if (s.linearProbe()) {
            model.freeze().unfreeze(head);
        } else if (s.freeze().length > 0) {
            model.freeze(s.freeze());
        } else if (s.gradualUnfreezeEvery() > 0) {
            unfreezing =
                    new GradualUnfreezing(model, LayerGroups.forZooModel(model, s.model()), s.gradualUnfreezeEvery());
            unfreezing.step(0);
            out.printf(
                    "gradual unfreezing: %d layer groups, head first (%s), one more every %d epoch(s)%n",
                    unfreezing.groups().size(),
                    String.join(
                            " | ",
                            unfreezing.groups().stream()
                                    .map(GradualUnfreezing.Group::name)
                                    .toList()),
                    s.gradualUnfreezeEvery());
        }
        Preprocessing pre = spec.preprocessing();
        Transform<Image, Tensor> evalTransform = pre.transform();
        Transform<Image, Tensor> trainTransform = s.augment()
                ? new ToTensor()
                        .andThen(new RandomResizedCrop(pre.crop()))
                        .andThen(new RandomHorizontalFlip())
                        .andThen(new Normalize(pre.mean(), pre.std()))
                : evalTransform;
        Dataset<Example> trainSet = new Subset<>(folder.transform(trainTransform), split[0]);
        Dataset<Example> valSet = new Subset<>(folder.transform(evalTransform), split[1]);
        out.printf(
                "fine-tuning %s on %s: %d classes (%s), %d train / %d validation images, %s%n",
                s.model(),
                s.images(),
                classes.size(),
                String.join(", ", classes),
                trainSet.size(),
                valSet.size(),
                describeTrainable(model));
        Optimizer optimizer = optimizer(model, head, unfreezing != null);
        Files.createDirectories(s.out());
        Path checkpoint = s.out().resolve(CHECKPOINT);
        Path plot = s.out().resolve("curves.png");
        List<EpochStats> history = new ArrayList<>();
        Evaluation evaluation = null;
        try (var trainLoader = new DataLoader<>(trainSet, new DataLoader.Options(s.batchSize(), true, s.seed()));
                var valLoader = new DataLoader<>(valSet, new DataLoader.Options(s.batchSize()))) {
            Tensor[] cache = s.linearProbe() ? cacheHeadInputs(model, head, folder, evalTransform, split[0]) : null;
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                if (unfreezing != null) {
                    unfreezing.step(epoch - 1);
                    out.printf(
                            "epoch %d/%d: %s (%s)%n",
                            epoch, s.epochs(), unfreezing.describe(), describeTrainable(model));
                }
                EpochStats stats = cache != null
                        ? trainHeadEpoch(model.getSubmodule(head), optimizer, cache, epoch)
                        : trainEpoch(model, optimizer, trainLoader, epoch);
                evaluation = Evaluation.run(model, valLoader, classes);
                stats = new EpochStats(
                        epoch,
                        stats.trainLoss(),
                        stats.trainAccuracy(),
                        evaluation.loss(),
                        evaluation.accuracy(),
                        stats.seconds(),
                        stats.imagesPerSecond(),
                        stats.lr());
                history.add(stats);
                out.printf(
                        "epoch %d/%d: train loss %.4f acc %.2f%% | validation loss %.4f acc %.2f%% | %.1f s%n",
                        epoch,
                        s.epochs(),
                        stats.trainLoss(),
                        100 * stats.trainAccuracy(),
                        stats.testLoss(),
                        100 * stats.testAccuracy(),
                        stats.seconds());
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("model", s.model());
                meta.put("classes", String.join(",", classes));
                meta.put("epoch", Integer.toString(epoch));
                Checkpoint.save(checkpoint, model, optimizer, meta);
                Files.writeString(
                        s.out().resolve("history.jsonl"),
                        String.join(
                                        "\n",
                                        history.stream().map(EpochStats::toJson).toList()) + "\n");
                Plots.writeCurves(history, plot);
            }
        }
        return new Result(history, evaluation, (System.nanoTime() - t0) * 1e-9, checkpoint, plot);
    }

    /** {train indices, validation indices}: a seeded shuffle, the first valFraction held out (at least 1). */
    private int[][] split(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("finetune: " + s.images() + " has " + n + " image(s); need at least 2");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new Random(s.seed()));
        int nVal = Math.max(1, Math.min(n - 1, (int) Math.round(n * s.valFraction())));
        int[] val = order.subList(0, nVal).stream()
                .mapToInt(Integer::intValue)
                .sorted()
                .toArray();
        int[] train = order.subList(nVal, n).stream()
                .mapToInt(Integer::intValue)
                .sorted()
                .toArray();
        return new int[][] {train, val};
    }

    /**
     * Adam with the head at lr and the other trainable parameters at lr * backboneLrFactor; with gradual
     * unfreezing all other parameters, frozen ones included (they get no gradient until unfrozen, and
     * Adam skips parameters without one).
     */
    private Optimizer optimizer(Module model, String head, boolean includeFrozen) {
        List<Tensor> headParams = model.getSubmodule(head).parameters();
        List<Tensor> backbone = new ArrayList<>();
        for (Tensor p : model.parameters()) {
            if ((includeFrozen || p.requiresGrad()) && headParams.stream().noneMatch(h -> h == p)) {
                backbone.add(p);
            }
        }
        List<ParamGroup> groups = new ArrayList<>();
        groups.add(ParamGroup.of(headParams).set("lr", s.lr()));
        if (!backbone.isEmpty() && s.backboneLrFactor() > 0) {
            groups.add(ParamGroup.of(backbone).set("lr", s.lr() * s.backboneLrFactor()));
        }
        return new Adam(groups, AdamOptions.of(s.lr()));
    }

    private static String describeTrainable(Module model) {
        long trainable = 0;
        long total = 0;
        for (Tensor p : model.parameters()) {
            total += p.numel();
            trainable += p.requiresGrad() ? p.numel() : 0;
        }
        return String.format("%,d of %,d parameters trainable", trainable, total);
    }

    private EpochStats trainEpoch(Module model, Optimizer optimizer, DataLoader<Example> loader, int epoch) {
        model.train();
        Torch.manualSeed(s.seed() * 1_000_003L + epoch);
        Stats st = new Stats();
        try (Progress progress = new Progress(String.format("epoch %d/%d", epoch, s.epochs()), loader.size(), out)) {
            for (Batch b : loader.epoch(epoch)) {
                st.step(model.call(b.inputs()), b.labels(), optimizer);
                progress.step(1, st.describe());
            }
        }
        return st.stats(epoch, optimizer);
    }

    /** One epoch of the head alone on cached inputs {features (N, ...), labels (N)}. */
    private EpochStats trainHeadEpoch(Module head, Optimizer optimizer, Tensor[] cache, int epoch) {
        head.train();
        int n = cache[1].size(0);
        int[] order = new int[n];
        java.util.Arrays.setAll(order, i -> i);
        Random random = new Random(s.seed() * 31 + epoch);
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        Stats st = new Stats();
        int batches = (n + s.batchSize() - 1) / s.batchSize();
        try (Progress progress = new Progress(String.format("epoch %d/%d", epoch, s.epochs()), batches, out)) {
            for (int from = 0; from < n; from += s.batchSize()) {
                int m = Math.min(s.batchSize(), n - from);
                long[] idx = new long[m];
                for (int i = 0; i < m; i++) {
                    idx[i] = order[from + i];
                }
                Tensor rows = Torch.tensor(idx, m);
                Tensor logits = Classifiers.afterHead(s.model()).apply(head.call(cache[0].indexSelect(0, rows)));
                st.step(logits, cache[1].indexSelect(0, rows), optimizer);
                progress.step(1, st.describe());
            }
        }
        return st.stats(epoch, optimizer);
    }

    /** The head's inputs for the training images, once, in eval mode without a graph: {inputs, labels}. */
    private Tensor[] cacheHeadInputs(
            Module model, String head, ImageFolder folder, Transform<Image, Tensor> t, int[] indices) {
        List<Tensor> inputs = new ArrayList<>();
        long[] labels = new long[indices.length];
        model.eval();
        var hook = model.getSubmodule(head).registerForwardPreHook((m, x) -> {
            inputs.add(x.detach());
            return null;
        });
        long t0 = System.nanoTime();
        try (var g = Torch.noGrad()) {
            for (int from = 0; from < indices.length; from += s.batchSize()) {
                List<Tensor> batch = new ArrayList<>();
                for (int i = from; i < Math.min(indices.length, from + s.batchSize()); i++) {
                    batch.add(t.apply(folder.get(indices[i]).image()));
                    labels[i] = folder.label(indices[i]);
                }
                model.call(Torch.stack(batch, 0));
            }
        } finally {
            hook.remove();
        }
        out.printf(
                "linear probe: cached the head's inputs for %d images in %.1f s%n",
                indices.length, (System.nanoTime() - t0) * 1e-9);
        return new Tensor[] {Torch.cat(inputs, 0), Torch.tensor(labels, labels.length)};
    }

    /** Running loss and accuracy of an epoch. */
    private static final class Stats {
        private final long start = System.nanoTime();
        private double lossSum;
        private long correct;
        private long seen;

        void step(Tensor logits, Tensor labels, Optimizer optimizer) {
            optimizer.zeroGrad();
            Tensor loss = F.crossEntropy(logits, labels);
            loss.backward();
            optimizer.step();
            int n = labels.numel();
            lossSum += loss.itemDouble() * n;
            correct += (long)
                    logits.detach().argmax(1).eq(labels).to(DType.FLOAT32).sum().item();
            seen += n;
        }

        String describe() {
            double seconds = (System.nanoTime() - start) * 1e-9;
            return String.format(
                    "loss %.4f acc %.1f%% %.1f img/s", lossSum / seen, 100.0 * correct / seen, seen / seconds);
        }

        EpochStats stats(int epoch, Optimizer optimizer) {
            double seconds = (System.nanoTime() - start) * 1e-9;
            return new EpochStats(
                    epoch,
                    lossSum / seen,
                    correct / (double) seen,
                    Double.NaN,
                    Double.NaN,
                    seconds,
                    seen / seconds,
                    optimizer.paramGroups().get(0).lr());
        }
    }
}
