package dev.torchlet.cli.generate;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.FashionMnist;
import dev.torchlet.cli.train.Plots;
import dev.torchlet.cli.train.Progress;
import dev.torchlet.data.Batch;
import dev.torchlet.data.DataLoader;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Example;
import dev.torchlet.data.Subset;
import dev.torchlet.data.transforms.Normalize;
import dev.torchlet.data.transforms.ToTensor;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.nn.Module;
import dev.torchlet.optim.Adam;
import dev.torchlet.optim.AdamW;
import dev.torchlet.optim.EMA;
import dev.torchlet.optim.Optimizer;
import dev.torchlet.vision.generative.ConvAutoencoder;
import dev.torchlet.vision.generative.Diffusion;
import dev.torchlet.vision.generative.Gan;
import dev.torchlet.vision.generative.GanTrainer;
import dev.torchlet.vision.generative.VAE;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The loop of `torchlet generate train` on Fashion-MNIST: per epoch a progress bar with the running
 * losses (GAN: both players and D's mean scores on real and fake images; VAE: total, reconstruction and
 * KL; autoencoder: reconstruction), then an atomic checkpoint (metadata names the model kind), a sample
 * grid of fixed latents ({@code samples_epoch_N.png}; the autoencoders also
 * {@code reconstructions_epoch_N.png} of fixed test images), the loss plot and the history. GAN images
 * are scaled to [-1, 1] (the generator's tanh), the autoencoders' to [0, 1] (their BCE). ddpm: images in
 * [-1, 1], AdamW on the U-Net, after every step an update of the EMA of its weights, which the checkpoint
 * keeps as {@code model.ema.*} and the grids (DDIM, eta 0, x0 clipped; conditional: guidance 3) sample from.
 */
public final class GenerativeTrainer {
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String PLOT = "losses.png";
    public static final String HISTORY = "history.jsonl";

    private final GenerateConfig config;
    private final PrintStream out;

    public GenerativeTrainer(GenerateConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** One epoch's mean losses (by name) and speed. */
    public record EpochLosses(int epoch, Map<String, Double> losses, double seconds, double imagesPerSecond) {
        public String toJson() {
            StringBuilder b = new StringBuilder("{\"epoch\":" + epoch);
            losses.forEach((k, v) -> b.append(String.format(Locale.ROOT, ",\"%s\":%.6f", k, v)));
            b.append(String.format(
                    Locale.ROOT, ",\"seconds\":%.3f,\"images_per_second\":%.1f}", seconds, imagesPerSecond));
            return b.toString();
        }

        public String describe() {
            StringBuilder b = new StringBuilder();
            losses.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%s %.4f ", k, v)));
            return b.toString().strip();
        }
    }

    /** What a finished run reports. */
    public record Result(List<EpochLosses> history, double wallSeconds, Path checkpoint, Path plot, Path lastGrid) {}

    public Result run() throws IOException {
        long t0 = System.nanoTime();
        Torch.setNumThreads(config.threads());
        Torch.manualSeed(config.seed());
        GenerativeKind kind = config.kind();
        FashionMnist data = FashionMnist.load(config.data());
        List<String> classes = data.classes();
        var transform =
                kind.gan() || kind.diffusion() ? new ToTensor().andThen(new Normalize(0.5f, 0.5f)) : new ToTensor();
        Dataset<Example> trainSet = data.trainSet(transform);
        if (config.limit() > 0 && config.limit() < trainSet.size()) {
            trainSet = new Subset<>(trainSet, IntStream.range(0, config.limit()).toArray());
        }
        Module model = kind.create(config.latentDim(), classes.size(), config.width());
        GanTrainer ganTrainer = model instanceof Gan gan
                ? new GanTrainer(gan, GanTrainer.Options.defaults().withLr(config.lr()))
                : null;
        DdpmModel ddpm = model instanceof DdpmModel d ? d : null;
        EMA ema = ddpm == null ? null : new EMA(ddpm.net(), GenerateConfig.EMA_DECAY);
        Optimizer optimizer = ganTrainer != null
                ? null
                : ddpm != null
                        ? new AdamW(ddpm.net().parameters(), config.lr())
                        : new Adam(model.parameters(), config.lr());
        SampleGrids.Latents fixed = kind == GenerativeKind.AE ? null : SampleGrids.latents(model, 0, -1);
        Tensor originals = kind.gan() || kind.diffusion() ? null : firstImages(data.testSet(transform), 32);
        Files.createDirectories(config.out());
        Path checkpoint = config.out().resolve(CHECKPOINT);
        Path plot = config.out().resolve(PLOT);
        Path grid = null;
        List<EpochLosses> history = new ArrayList<>();
        out.println(
                "training " + kind.id() + " on Fashion-MNIST (" + trainSet.size() + " images): " + config.describe());
        DataLoader.Options loaderOptions =
                new DataLoader.Options(config.batchSize(), true, config.seed()).withWorkers(config.workers());
        try (DataLoader<Example> loader = new DataLoader<>(trainSet, loaderOptions)) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                EpochLosses e = trainEpoch(model, ganTrainer, optimizer, ema, loader, epoch);
                if (ema != null) {
                    ema.copyTo(ddpm.ema()); // the checkpoint and the grid hold the average
                }
                history.add(e);
                out.printf(
                        "epoch %d/%d: %s | %.1f s, %.0f img/s%n",
                        epoch, config.epochs(), e.describe(), e.seconds(), e.imagesPerSecond());
                Checkpoint.save(checkpoint, model, optimizer, metadata(epoch, history, classes));
                if (fixed != null) {
                    grid = config.out().resolve(String.format("samples_epoch_%03d.png", epoch));
                    SampleGrids.saveSamples(
                            model,
                            fixed,
                            grid,
                            new Diffusion.Sampling(config.sampleSteps(), 0, GenerateConfig.GRID_GUIDANCE, true));
                }
                if (originals != null) {
                    Path recon = config.out().resolve(String.format("reconstructions_epoch_%03d.png", epoch));
                    SampleGrids.saveReconstructions(model, originals, recon);
                    grid = grid == null ? recon : grid;
                }
                Files.writeString(
                        config.out().resolve(HISTORY),
                        String.join(
                                        "\n",
                                        history.stream()
                                                .map(EpochLosses::toJson)
                                                .toList()) + "\n");
                writePlot(history, plot);
            }
        }
        return new Result(history, (System.nanoTime() - t0) * 1e-9, checkpoint, plot, grid);
    }

    private EpochLosses trainEpoch(
            Module model, GanTrainer ganTrainer, Optimizer optimizer, EMA ema, DataLoader<Example> loader, int epoch) {
        model.train();
        Torch.manualSeed(config.seed() * 1_000_003L + epoch); // noise and dropout depend on (seed, epoch) only
        Map<String, Double> sums = new LinkedHashMap<>();
        long seen = 0;
        long start = System.nanoTime();
        try (Progress progress =
                new Progress(String.format("epoch %d/%d", epoch, config.epochs()), loader.size(), out)) {
            for (Batch b : loader.epoch(epoch)) {
                Tensor x = b.inputs();
                int n = x.shape()[0];
                Map<String, Double> step = new LinkedHashMap<>();
                if (ganTrainer != null) {
                    GanTrainer.StepLosses s = ganTrainer.step(x, config.kind().conditional() ? b.labels() : null);
                    step.put("loss_d", s.discriminatorLoss());
                    step.put("loss_g", s.generatorLoss());
                    step.put("d_real", s.realScore());
                    step.put("d_fake", s.fakeScore());
                } else if (model instanceof DdpmModel ddpm) {
                    optimizer.zeroGrad();
                    Tensor labels = ddpm.conditional() ? b.labels() : null;
                    Tensor loss = ddpm.diffusion().loss(ddpm.net(), x, labels, GenerateConfig.P_UNCOND);
                    loss.backward();
                    optimizer.step();
                    ema.update(ddpm.net());
                    step.put("loss", loss.itemDouble());
                } else if (model instanceof VAE vae) {
                    optimizer.zeroGrad();
                    VAE.Losses l = VAE.loss(vae.run(x), x, config.beta());
                    l.total().backward();
                    optimizer.step();
                    step.put("loss", l.total().itemDouble());
                    step.put("recon", l.reconstruction().itemDouble());
                    step.put("kl", l.kl().itemDouble());
                } else {
                    ConvAutoencoder ae = (ConvAutoencoder) model;
                    optimizer.zeroGrad();
                    Tensor loss = ConvAutoencoder.loss(ae.decodeLogits(ae.encode(x)), x);
                    loss.backward();
                    optimizer.step();
                    step.put("recon", loss.itemDouble());
                }
                final long weight = n;
                step.forEach((k, v) -> sums.merge(k, v * weight, Double::sum));
                seen += n;
                double seconds = (System.nanoTime() - start) * 1e-9;
                StringBuilder extra = new StringBuilder();
                for (var e : sums.entrySet()) {
                    extra.append(String.format(Locale.ROOT, "%s %.3f ", e.getKey(), e.getValue() / seen));
                }
                progress.step(
                        1,
                        extra.append(String.format("%.0f img/s", seen / seconds))
                                .toString());
            }
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        Map<String, Double> means = new LinkedHashMap<>();
        final long total = seen;
        sums.forEach((k, v) -> means.put(k, v / total));
        return new EpochLosses(epoch, means, seconds, seen / seconds);
    }

    /** The first n images of a dataset, stacked (n, 1, 28, 28). */
    private static Tensor firstImages(Dataset<Example> set, int n) {
        List<Tensor> xs = new ArrayList<>();
        for (int i = 0; i < Math.min(n, set.size()); i++) {
            xs.add(set.get(i).input());
        }
        return Torch.stack(xs, 0);
    }

    private Map<String, String> metadata(int epoch, List<EpochLosses> history, List<String> classes) {
        Map<String, String> m = new LinkedHashMap<>(config.settings());
        m.put("epoch", Integer.toString(epoch));
        m.put("dataset", "fashion-mnist");
        m.put("classes", String.join("\n", classes));
        m.put(
                "history",
                String.join("\n", history.stream().map(EpochLosses::toJson).toList()));
        return m;
    }

    private static void writePlot(List<EpochLosses> history, Path png) throws IOException {
        double[] epochs = history.stream().mapToDouble(EpochLosses::epoch).toArray();
        Map<String, double[]> series = new LinkedHashMap<>();
        for (String k : history.get(0).losses().keySet()) {
            if (k.startsWith("d_")) {
                continue; // scores in [0, 1], not losses
            }
            series.put(k, history.stream().mapToDouble(e -> e.losses().get(k)).toArray());
        }
        Plots.writeSeries("Losses per epoch", "loss", epochs, series, png);
    }
}
