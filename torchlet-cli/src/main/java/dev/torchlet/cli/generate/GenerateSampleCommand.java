package dev.torchlet.cli.generate;

import dev.torchlet.Torch;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.generative.Diffusion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code torchlet generate sample}: a grid of new images from a `generate train` checkpoint. */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        description = {
            "Samples a grid of images from a checkpoint of `torchlet generate train` (vae, dcgan or ddpm; a ddpm",
            "samples its EMA weights by DDIM with --steps steps and, when conditional, guidance --guidance).",
            "Example: torchlet generate sample --checkpoint runs/dcgan-conditional/checkpoint.safetensors"
                    + " --class Sneaker --out sneakers.png",
            "         torchlet generate sample --checkpoint runs/ddpm-conditional/checkpoint.safetensors"
                    + " --class Sneaker --steps 50 --guidance 3 --out grid.png"
        })
public final class GenerateSampleCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A checkpoint of `torchlet generate train`.")
    Path checkpoint;

    @Option(
            names = "--model",
            description = "Expected model kind (vae, dcgan, dcgan-conditional, ddpm, ddpm-conditional): refuse a"
                    + " checkpoint of another kind.")
    String expected;

    @Option(names = "--class", description = "Conditional models: only this class (e.g. Sneaker).")
    String className;

    @Option(names = "--count", description = "Number of images (default: 64, or 10 per class for a conditional model).")
    Integer count;

    @Option(names = "--steps", description = "ddpm: DDIM steps, 1 to 1000 (default: 50).")
    Integer steps;

    @Option(
            names = "--guidance",
            description = "Conditional ddpm: classifier-free guidance weight w >= 0 (0 unconditional, 1 plain"
                    + " conditional; default: 3).")
    Double guidance;

    @Option(names = "--eta", description = "ddpm: DDIM stochasticity, 0 deterministic to 1 (default: 0).")
    Double eta;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed of the noise (default: 0).")
    long seed;

    @Option(names = "--out", defaultValue = "samples.png", description = "Output PNG (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (count != null && count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + count);
        }
        DdpmModel.checkSamplingOptions(steps, guidance);
        if (eta != null && !(eta >= 0 && eta < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("--eta must be a number >= 0, got " + eta);
        }
        Loaded loaded = load(checkpoint, expected);
        boolean ddpm = loaded.kind().diffusion();
        if (!ddpm && (steps != null || eta != null)) {
            throw new IllegalArgumentException((steps != null ? "--steps" : "--eta") + " is for ddpm checkpoints; "
                    + checkpoint + " holds a " + loaded.kind().id() + " model");
        }
        if (guidance != null && loaded.kind() != GenerativeKind.DDPM_CONDITIONAL) {
            throw new IllegalArgumentException(
                    "--guidance needs a class-conditional ddpm (generate train --model ddpm" + " --conditional); "
                            + checkpoint + " holds a " + loaded.kind().id() + " model");
        }
        int onlyClass = -1;
        if (className != null) {
            if (!loaded.kind().conditional()) {
                throw new IllegalArgumentException("--class needs a class-conditional model (generate train --model"
                        + " dcgan or ddpm --conditional); " + checkpoint + " holds an unconditional "
                        + loaded.kind().id());
            }
            onlyClass = loaded.classes().indexOf(className);
            if (onlyClass < 0) {
                throw new IllegalArgumentException("unknown class '" + className + "'; the model was trained on: "
                        + String.join(", ", loaded.classes()));
            }
        }
        Torch.manualSeed(seed);
        SampleGrids.Latents latents = SampleGrids.latents(loaded.model(), count == null ? 0 : count, onlyClass);
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        SampleGrids.saveSamples(
                loaded.model(),
                latents,
                out,
                new Diffusion.Sampling(
                        steps == null ? 50 : steps,
                        eta == null ? 0 : eta,
                        guidance == null ? GenerateConfig.GRID_GUIDANCE : guidance,
                        true));
        System.out.println("wrote " + latents.z().shape()[0] + " samples of "
                + loaded.kind().id() + (onlyClass >= 0 ? " (class " + className + ")" : "") + " to " + out);
        return 0;
    }

    /** A model restored from a `generate train` checkpoint. */
    record Loaded(GenerativeKind kind, Module model, List<String> classes) {}

    /** Loads a checkpoint, checking that it is a generative model's (of the expected kind, if given). */
    static Loaded load(Path checkpoint, String expectedKind) throws IOException {
        if (!Files.isRegularFile(checkpoint)) {
            throw new IOException("checkpoint " + checkpoint + " does not exist");
        }
        Map<String, String> meta = SafeTensors.header(checkpoint).metadata();
        String id = meta.get(GenerativeKind.METADATA_KEY);
        if (id == null) {
            String other = meta.containsKey("model") ? " (it holds a '" + meta.get("model") + "' classifier)" : "";
            throw new IOException("checkpoint " + checkpoint + " was not written by `torchlet generate train`" + other);
        }
        GenerativeKind kind = GenerativeKind.fromId(id);
        if (expectedKind != null && !expectedKind.equals(kind.id())) {
            throw new IllegalArgumentException(
                    "checkpoint " + checkpoint + " holds a " + kind.id() + " model, not a " + expectedKind);
        }
        if (kind == GenerativeKind.AE) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " holds an autoencoder (ae), which has"
                    + " no prior to sample from; train a vae or dcgan");
        }
        List<String> classes = List.of(meta.getOrDefault("classes", "").split("\n"));
        int latent = Integer.parseInt(meta.getOrDefault("latent_dim", "16"));
        int width = Integer.parseInt(meta.getOrDefault("width", "" + GenerateConfig.DEFAULT_DDPM_WIDTH));
        Module model = kind.create(latent, classes.size(), width);
        Checkpoint.load(checkpoint, model, null);
        model.eval();
        return new Loaded(kind, model, classes);
    }
}
