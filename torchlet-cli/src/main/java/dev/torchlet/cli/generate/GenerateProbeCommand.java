package dev.torchlet.cli.generate;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.FashionMnist;
import dev.torchlet.data.Batch;
import dev.torchlet.data.DataLoader;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Example;
import dev.torchlet.data.Subset;
import dev.torchlet.data.transforms.ToTensor;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.generative.ConvAutoencoder;
import dev.torchlet.vision.generative.VAE;
import dev.torchlet.vision.generative.metrics.LinearProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code torchlet generate probe}: a linear probe of an autoencoder's codes. Encodes Fashion-MNIST with the
 * encoder of an ae or vae checkpoint (the vae: the posterior mean mu), trains a logistic regression on the
 * training codes ({@link LinearProbe}) and reports its test accuracy.
 *
 * <p>Measured 2026-11-30 on all 60,000 / 10,000 images with the default 16-d runs of `generate train` (5 epochs):
 * vae (mu) 80.33% test accuracy, ae 80.11%.
 */
@Command(
        name = "probe",
        mixinStandardHelpOptions = true,
        description = {
            "Linear probe of an autoencoder (ae or vae checkpoint of `torchlet generate train`): encodes",
            "Fashion-MNIST train and test images (vae: the mean mu), trains a logistic regression on the train",
            "codes and prints its test accuracy: how much of the classes the unsupervised codes capture.",
            "Example: torchlet generate probe --checkpoint runs/vae/checkpoint.safetensors"
        })
public final class GenerateProbeCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "An ae or vae checkpoint of `generate train`.")
    Path checkpoint;

    @Option(names = "--epochs", defaultValue = "10", description = "Probe training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--limit",
            defaultValue = "0",
            description = "Use the first N training and N test images only (default: all).")
    int limit;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--data", description = "Fashion-MNIST folder (default: as `torchlet train`).")
    Path data;

    @Override
    public Integer call() throws Exception {
        if (epochs < 1 || limit < 0) {
            throw new IllegalArgumentException(
                    "--epochs must be at least 1 and --limit at least 0, got " + epochs + " and " + limit);
        }
        long t0 = System.nanoTime();
        Module model = loadAutoencoder(checkpoint);
        Torch.setNumThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors());
        FashionMnist fashion = FashionMnist.load(data);
        Tensor[] train = encode(model, fashion.trainSet(new ToTensor()));
        Tensor[] test = encode(model, fashion.testSet(new ToTensor()));
        LinearProbe.Result r = LinearProbe.fit(
                train[0],
                train[1],
                test[0],
                test[1],
                fashion.classes().size(),
                LinearProbe.Options.defaults().withEpochs(epochs));
        String kind = model instanceof VAE ? "vae" : "ae";
        System.out.printf(
                Locale.ROOT,
                "linear probe on %s codes (%d-d%s): test accuracy %.2f%% (train %.2f%%), %d train / %d test images,"
                        + " %d epochs of logistic regression on standardized codes, %.1f s%n",
                kind,
                r.codeDim(),
                model instanceof VAE ? ", posterior mean mu" : "",
                100 * r.testAccuracy(),
                100 * r.trainAccuracy(),
                r.trainSize(),
                r.testSize(),
                epochs,
                (System.nanoTime() - t0) * 1e-9);
        return 0;
    }

    /** Codes (N, latent) and labels (N) of the (first --limit) images of a dataset. */
    private Tensor[] encode(Module model, Dataset<Example> set) {
        if (limit > 0 && limit < set.size()) {
            set = new Subset<>(set, IntStream.range(0, limit).toArray());
        }
        List<Tensor> codes = new ArrayList<>();
        List<Tensor> labels = new ArrayList<>();
        try (var g = Torch.noGrad();
                DataLoader<Example> loader = new DataLoader<>(set, new DataLoader.Options(1000).withWorkers(2))) {
            for (Batch b : loader) {
                codes.add(
                        model instanceof VAE vae
                                ? vae.features(b.inputs())
                                : ((ConvAutoencoder) model).encode(b.inputs()));
                labels.add(b.labels());
            }
        }
        return new Tensor[] {Torch.cat(codes, 0), Torch.cat(labels, 0)};
    }

    /** The ae or vae of a `generate train` checkpoint, in eval mode. */
    static Module loadAutoencoder(Path checkpoint) throws IOException {
        if (!Files.isRegularFile(checkpoint)) {
            throw new IOException("checkpoint " + checkpoint + " does not exist");
        }
        Map<String, String> meta = SafeTensors.header(checkpoint).metadata();
        String id = meta.get(GenerativeKind.METADATA_KEY);
        if (id == null) {
            throw new IOException("checkpoint " + checkpoint + " was not written by `torchlet generate train`");
        }
        GenerativeKind kind = GenerativeKind.fromId(id);
        if (kind != GenerativeKind.AE && kind != GenerativeKind.VAE_MODEL) {
            throw new IllegalArgumentException(
                    "the probe needs an autoencoder (ae or vae); checkpoint " + checkpoint + " holds a " + kind.id());
        }
        Module model = kind.create(Integer.parseInt(meta.getOrDefault("latent_dim", "16")), 10);
        Checkpoint.load(checkpoint, model, null);
        model.eval();
        return model;
    }
}
