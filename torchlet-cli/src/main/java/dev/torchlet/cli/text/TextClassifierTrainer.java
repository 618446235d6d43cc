package dev.torchlet.cli.text;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.EpochStats;
import dev.torchlet.cli.train.Evaluation;
import dev.torchlet.cli.train.Plots;
import dev.torchlet.cli.train.Progress;
import dev.torchlet.data.Batch;
import dev.torchlet.data.BucketSampler;
import dev.torchlet.data.DataLoader;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Subset;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.AdamOptions;
import dev.torchlet.optim.AdamW;
import dev.torchlet.optim.GradClip;
import dev.torchlet.optim.Optimizer;
import dev.torchlet.text.TextClassificationDataset;
import dev.torchlet.text.TextCollate;
import dev.torchlet.text.TokenizedText;
import dev.torchlet.text.WordTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training loop of {@code torchlet text-classify train}: a word vocabulary learned from the training
 * split, length-bucketed batches, AdamW with gradient clipping, a validation pass, checkpoint (the best
 * validation accuracy so far, atomic), curves.png and history after every epoch; the test split is scored once at
 * the end with the best checkpoint.
 */
final class TextClassifierTrainer {
    static final String CHECKPOINT = "checkpoint.safetensors";
    static final String VOCAB = "vocab.txt";
    static final String PLOT = "curves.png";

    /** Hyper-parameters of one run. */
    record Settings(int epochs, int batchSize, double lr, int threads, Path out) {
        Settings {
            if (epochs < 1 || batchSize < 1 || !(lr > 0) || threads < 1) {
                throw new IllegalArgumentException("text-classify: --epochs, --batch-size, --lr and --threads must be "
                        + "positive, got " + epochs + ", " + batchSize + ", " + lr + ", " + threads);
            }
        }
    }

    /** What a finished run reports. */
    record Result(List<EpochStats> history, Evaluation test, List<String> classes, double seconds) {}

    private final TextClassifierSetup setup;
    private final Settings settings;
    private final PrintStream out;

    TextClassifierTrainer(TextClassifierSetup setup, Settings settings, PrintStream out) {
        this.setup = setup;
        this.settings = settings;
        this.out = out;
    }

    Result run() throws IOException {
        long t0 = System.nanoTime();
        Torch.setNumThreads(settings.threads());
        Torch.manualSeed(setup.seed());
        TextClassificationDataset data = setup.load();
        int[][] split = setup.split(data.size());
        List<String> trainTexts = new ArrayList<>();
        for (int i : split[0]) {
            trainTexts.add(data.texts().get(i));
        }
        WordTokenizer tokenizer = WordTokenizer.train(trainTexts, true, 2, 20000);
        Dataset<TokenizedText> tokens = data.tokenized(tokenizer, setup.maxLength());
        Module model = setup.create(
                tokenizer.vocabSize(), tokenizer.padId(), data.classes().size());
        long params = model.parameters().stream().mapToLong(Tensor::numel).sum();
        out.printf(
                "text-classify: %s on %s: %d texts, %d classes %s; split %d/%d/%d; vocabulary %d words; "
                        + "%,d parameters%n",
                setup.model(),
                setup.data(),
                data.size(),
                data.classes().size(),
                data.classes(),
                split[0].length,
                split[1].length,
                split[2].length,
                tokenizer.vocabSize(),
                params);
        Files.createDirectories(settings.out());
        tokenizer.save(settings.out().resolve(VOCAB));

        Subset<TokenizedText> train = new Subset<>(tokens, split[0]);
        TextCollate collate = new TextCollate(tokenizer.padId());
        BucketSampler sampler =
                new BucketSampler(TextClassificationDataset.lengths(train), settings.batchSize(), 50, true);
        Optimizer optimizer = new AdamW(model.parameters(), AdamOptions.adamW(settings.lr()));
        List<EpochStats> history = new ArrayList<>();
        double bestValidation = -1;
        Path checkpoint = settings.out().resolve(CHECKPOINT);
        try (DataLoader<TokenizedText> trainLoader = new DataLoader<>(
                        train,
                        new DataLoader.Options(settings.batchSize(), true, setup.seed()).withSampler(sampler),
                        collate);
                DataLoader<TokenizedText> valLoader =
                        new DataLoader<>(new Subset<>(tokens, split[1]), new DataLoader.Options(256), collate)) {
            for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                Torch.manualSeed(setup.seed() * 1000 + epoch);
                EpochStats stats = epoch(model, optimizer, trainLoader, valLoader, data.classes(), epoch);
                history.add(stats);
                if (stats.testAccuracy() > bestValidation) {
                    bestValidation = stats.testAccuracy();
                    Map<String, String> meta = setup.metadata();
                    meta.put("classes", String.join("\n", data.classes()));
                    meta.put("epoch", Integer.toString(epoch));
                    Checkpoint.save(checkpoint, model, null, meta);
                }
                Plots.writeCurves(history, settings.out().resolve(PLOT));
                out.printf(
                        "epoch %d/%d  train loss %.4f acc %.2f%%  validation loss %.4f acc %.2f%%  %.1fs%n",
                        epoch,
                        settings.epochs(),
                        stats.trainLoss(),
                        100 * stats.trainAccuracy(),
                        stats.testLoss(),
                        100 * stats.testAccuracy(),
                        stats.seconds());
            }
        }
        Checkpoint.load(checkpoint, model, null);
        Evaluation test = evaluate(model, tokens, split[2], tokenizer.padId(), data.classes());
        return new Result(history, test, data.classes(), (System.nanoTime() - t0) * 1e-9);
    }

    private EpochStats epoch(
            Module model,
            Optimizer optimizer,
            DataLoader<TokenizedText> trainLoader,
            DataLoader<TokenizedText> valLoader,
            List<String> classes,
            int epoch) {
        long start = System.nanoTime();
        model.train();
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        try (Progress progress = new Progress("epoch " + epoch, trainLoader.size(), out)) {
            for (Batch b : trainLoader) {
                Tensor logits = model.call(b.inputs());
                Tensor loss = F.crossEntropy(logits, b.labels());
                optimizer.zeroGrad();
                loss.backward();
                GradClip.clipGradNorm(model.parameters(), 1.0);
                optimizer.step();
                int n = b.labels().numel();
                lossSum += loss.itemDouble() * n;
                correct += Evaluation.countCorrect(logits, b.labels());
                seen += n;
                double secs = (System.nanoTime() - start) * 1e-9;
                progress.step(
                        1,
                        String.format(
                                "loss %.4f acc %.1f%% %.0f texts/s",
                                lossSum / seen, 100.0 * correct / seen, seen / secs));
            }
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        Evaluation val = Evaluation.run(model, valLoader, classes);
        return new EpochStats(
                epoch, lossSum / seen, (double) correct / seen, val.loss(), val.accuracy(), seconds, seen / seconds, 0);
    }

    /** Loss, accuracy and confusion matrix of the model on the given split. */
    static Evaluation evaluate(
            Module model, Dataset<TokenizedText> tokens, int[] indices, int padId, List<String> classes) {
        try (DataLoader<TokenizedText> loader =
                new DataLoader<>(new Subset<>(tokens, indices), new DataLoader.Options(256), new TextCollate(padId))) {
            return Evaluation.run(model, loader, classes);
        }
    }
}
