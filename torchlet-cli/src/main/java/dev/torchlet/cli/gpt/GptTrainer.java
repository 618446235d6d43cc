package dev.torchlet.cli.gpt;

import dev.torchlet.Generator;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.Plots;
import dev.torchlet.cli.train.Progress;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.AdamOptions;
import dev.torchlet.optim.AdamW;
import dev.torchlet.optim.GradClip;
import dev.torchlet.optim.ParamGroup;
import dev.torchlet.text.Tokenizer;
import dev.torchlet.text.generation.GenerationConfig;
import dev.torchlet.text.generation.TextGenerator;
import dev.torchlet.text.models.GPT2;
import dev.torchlet.text.models.GPT2Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The language-model training loop of {@code gpt train}: random windows of the training tokens (inputs
 * ids[i, i+T), targets ids[i+1, i+T+1)), next-token cross-entropy, AdamW with gradient clipping at 1,
 * linear warm-up then cosine decay to a tenth of the peak rate; validation loss on fixed windows of
 * the held-out end of the text every eval interval, followed by an atomic checkpoint.
 */
final class GptTrainer {
    /** The loop's numbers; steps/epochs/warmup/evalInterval null mean the defaults. */
    record Settings(
            Integer steps,
            Double epochs,
            int batchSize,
            double lr,
            double weightDecay,
            Integer warmup,
            Integer evalInterval,
            int evalBatches,
            double valFraction,
            long seed,
            int sampleTokens) {}

    static final int DEFAULT_STEPS = 1200;

    private final GPT2Config config;
    private final Tokenizer tokenizer;
    private final int[] train;
    private final int[] val;
    private final Settings s;
    private final Path out;
    private final PrintWriter o;

    GptTrainer(GPT2Config config, Tokenizer tokenizer, int[] ids, Settings s, Path out, PrintWriter o) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.s = s;
        this.out = out;
        this.o = o;
        int t = config.nPositions();
        int nVal = (int) Math.max(t + 1, Math.round(ids.length * s.valFraction()));
        if (ids.length - nVal < t + 1) {
            throw new IllegalArgumentException("the corpus has " + ids.length + " tokens: too few for a context of " + t
                    + " with a validation split (need at least " + (2 * (t + 1)) + ")");
        }
        this.train = java.util.Arrays.copyOfRange(ids, 0, ids.length - nVal);
        this.val = java.util.Arrays.copyOfRange(ids, ids.length - nVal, ids.length);
    }

    void run() throws IOException {
        Torch.manualSeed(s.seed());
        GPT2 model = new GPT2(config);
        model.train();
        int t = config.nPositions();
        int b = s.batchSize();
        int steps = s.steps() != null
                ? s.steps()
                : s.epochs() != null
                        ? (int) Math.max(1, Math.ceil(s.epochs() * train.length / ((double) b * t)))
                        : DEFAULT_STEPS;
        int warmup = s.warmup() != null ? s.warmup() : Math.min(100, steps / 20);
        int evalEvery = s.evalInterval() != null ? s.evalInterval() : Math.max(1, steps / 10);
        long params = model.parameters().stream().mapToLong(Tensor::numel).sum();
        o.printf(
                Locale.ROOT,
                "model: GPT-2, %d layers, %d heads, width %d, context %d, %,d parameters; %d steps of %d x %d tokens"
                        + " (%.2f epochs of %,d training tokens; %,d validation tokens)%n",
                config.nLayer(),
                config.nHead(),
                config.nEmbd(),
                t,
                params,
                steps,
                b,
                t,
                (double) steps * b * t / train.length,
                train.length,
                val.length);
        o.flush();
        AdamW opt = new AdamW(
                List.of(ParamGroup.of(model.parameters())),
                AdamOptions.adamW(s.lr()).withBetas(0.9, 0.95).withWeightDecay(s.weightDecay()));
        Generator rng = new Generator(s.seed());
        List<double[]> history = new ArrayList<>(); // step, train loss, val loss, lr, seconds
        double intervalLoss = 0;
        int intervalSteps = 0;
        long start = System.nanoTime();
        double lastVal = Double.NaN;
        try (Progress progress = new Progress("gpt train", steps, System.out)) {
            for (int step = 1; step <= steps; step++) {
                double lr = lrAt(step, steps, warmup);
                opt.paramGroups().forEach(g -> g.setLr(lr));
                Tensor[] xy = batch(train, b, t, rng);
                opt.zeroGrad();
                Tensor logits = model.call(xy[0]); // (B, T, V)
                Tensor loss = F.crossEntropy(logits.reshape(b * t, config.vocabSize()), xy[1].reshape(b * t));
                loss.backward();
                GradClip.clipGradNorm(model.parameters(), 1.0);
                opt.step();
                double l = loss.item();
                if (!Double.isFinite(l)) {
                    throw new IllegalStateException(
                            "the loss became " + l + " at step " + step + " (try a smaller --lr than " + s.lr() + ")");
                }
                intervalLoss += l;
                intervalSteps++;
                double elapsed = (System.nanoTime() - start) * 1e-9;
                progress.step(
                        1,
                        String.format(
                                Locale.ROOT, "loss %.4f lr %.2e %.0f tok/s", l, lr, step * (double) b * t / elapsed));
                if (step % evalEvery == 0 || step == steps) {
                    lastVal = validationLoss(model);
                    model.train();
                    double trainMean = intervalLoss / intervalSteps;
                    history.add(new double[] {step, trainMean, lastVal, lr, elapsed});
                    o.printf(
                            Locale.ROOT,
                            "step %d/%d  train loss %.4f  validation loss %.4f  (%.0f s)%n",
                            step,
                            steps,
                            trainMean,
                            lastVal,
                            elapsed);
                    o.flush();
                    intervalLoss = 0;
                    intervalSteps = 0;
                    save(model, history);
                }
            }
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        o.printf(
                Locale.ROOT,
                "trained %d steps in %.1f s (%.0f tokens/s); checkpoint: %s (config.json, model.safetensors, "
                        + "tokenizer, curves.png)%n",
                steps,
                seconds,
                steps * (double) b * t / seconds,
                out);
        o.printf(Locale.ROOT, "validation loss: %.4f%n", lastVal);
        if (s.sampleTokens() > 0) {
            model.eval();
            int[] prompt = tokenizer.encode("\n", false);
            int n = Math.min(s.sampleTokens(), t - prompt.length);
            int[] gen = new TextGenerator(model)
                    .generate(prompt, GenerationConfig.sampling(n, 0.8f, 0, 1f).withSeed(s.seed()));
            o.println("sample:");
            o.println(tokenizer.decode(gen, true));
        }
        o.flush();
    }

    /** Linear warm-up from lr/warmup to lr, then cosine to lr/10 at the last step. */
    double lrAt(int step, int steps, int warmup) {
        if (step <= warmup) {
            return s.lr() * step / warmup;
        }
        double progress = (double) (step - warmup) / Math.max(1, steps - warmup);
        double min = s.lr() / 10;
        return min + (s.lr() - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    /** B random windows: inputs (B, T) and next-token targets (B, T), int64. */
    private static Tensor[] batch(int[] ids, int b, int t, Generator rng) {
        long[] x = new long[b * t];
        long[] y = new long[b * t];
        for (int i = 0; i < b; i++) {
            int at = (int) rng.nextLong(0, ids.length - t);
            for (int j = 0; j < t; j++) {
                x[i * t + j] = ids[at + j];
                y[i * t + j] = ids[at + j + 1];
            }
        }
        return new Tensor[] {Torch.tensor(x, b, t), Torch.tensor(y, b, t)};
    }

    /** Mean loss over evalBatches fixed windows spread over the validation tokens (the same every time). */
    private double validationLoss(GPT2 model) {
        model.eval();
        int t = config.nPositions();
        int windows = s.evalBatches() * s.batchSize();
        int span = val.length - t - 1;
        double sum = 0;
        int batches = 0;
        try (var g = Torch.noGrad()) {
            for (int k = 0; k < windows; k += s.batchSize()) {
                int bb = Math.min(s.batchSize(), windows - k);
                long[] x = new long[bb * t];
                long[] y = new long[bb * t];
                for (int i = 0; i < bb; i++) {
                    int at = (int) ((long) span * (k + i) / Math.max(1, windows - 1));
                    for (int j = 0; j < t; j++) {
                        x[i * t + j] = val[at + j];
                        y[i * t + j] = val[at + j + 1];
                    }
                }
                Tensor logits = model.call(Torch.tensor(x, bb, t));
                sum += F.crossEntropy(logits.reshape(bb * t, config.vocabSize()), Torch.tensor(y, bb * t))
                        .item();
                batches++;
            }
        }
        return sum / batches;
    }

    private void save(GPT2 model, List<double[]> history) throws IOException {
        GptFolder.writeAtomically(out, dir -> {
            model.save(dir);
            GptFolder.saveTokenizer(tokenizer, dir);
            StringBuilder jsonl = new StringBuilder();
            for (double[] h : history) {
                jsonl.append(String.format(
                        Locale.ROOT,
                        "{\"step\": %d, \"train_loss\": %.6f, \"val_loss\": %.6f, \"lr\": %.6g, \"seconds\": %.1f}%n",
                        (int) h[0],
                        h[1],
                        h[2],
                        h[3],
                        h[4]));
            }
            Files.writeString(dir.resolve("history.jsonl"), jsonl, StandardCharsets.UTF_8);
            Plots.writeLossCurves(
                    history.stream().mapToDouble(h -> h[0]).toArray(),
                    history.stream().mapToDouble(h -> h[1]).toArray(),
                    history.stream().mapToDouble(h -> h[2]).toArray(),
                    dir.resolve("curves.png"));
        });
    }
}
