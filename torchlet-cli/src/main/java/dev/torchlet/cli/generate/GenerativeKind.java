package dev.torchlet.cli.generate;

import dev.torchlet.nn.Module;
import dev.torchlet.vision.generative.ConvAutoencoder;
import dev.torchlet.vision.generative.DCGAN;
import dev.torchlet.vision.generative.Gan;
import dev.torchlet.vision.generative.VAE;
import java.util.Arrays;
import java.util.List;

/** The models `torchlet generate` trains; {@link #id()} is recorded in the checkpoint as {@value #METADATA_KEY}. */
public enum GenerativeKind {
    AE("ae"),
    VAE_MODEL("vae"),
    DCGAN_MODEL("dcgan"),
    DCGAN_CONDITIONAL("dcgan-conditional"),
    DDPM("ddpm"),
    DDPM_CONDITIONAL("ddpm-conditional");

    /** The checkpoint metadata key naming the kind. */
    public static final String METADATA_KEY = "generative_model";

    /** The values of --model. */
    public static final List<String> MODEL_NAMES = List.of("vae", "ae", "dcgan", "ddpm");

    private final String id;

    GenerativeKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public boolean gan() {
        return this == DCGAN_MODEL || this == DCGAN_CONDITIONAL;
    }

    public boolean conditional() {
        return this == DCGAN_CONDITIONAL || this == DDPM_CONDITIONAL;
    }

    /** The diffusion models (a U-Net and the average of its weights). */
    public boolean diffusion() {
        return this == DDPM || this == DDPM_CONDITIONAL;
    }

    /** The kind of {@code --model NAME [--conditional]}. */
    public static GenerativeKind of(String model, boolean conditional) {
        GenerativeKind k = switch (model) {
            case "ae" -> AE;
            case "vae" -> VAE_MODEL;
            case "dcgan" -> conditional ? DCGAN_CONDITIONAL : DCGAN_MODEL;
            case "ddpm" -> conditional ? DDPM_CONDITIONAL : DDPM;
            default ->
                throw new IllegalArgumentException(
                        "unknown model '" + model + "'; available: " + String.join(", ", MODEL_NAMES));
        };
        if (conditional && !k.conditional()) {
            throw new IllegalArgumentException(
                    "--conditional is for --model dcgan or ddpm; " + model + " is unconditional");
        }
        return k;
    }

    /** The kind recorded in a checkpoint. */
    public static GenerativeKind fromId(String id) {
        return Arrays.stream(values())
                .filter(k -> k.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown generative model kind '" + id + "'"));
    }

    /** A new model: latentDim for the autoencoders, numClasses for the conditional GAN (ddpm: the default width). */
    public Module create(int latentDim, int numClasses) {
        return create(latentDim, numClasses, GenerateConfig.DEFAULT_DDPM_WIDTH);
    }

    /** A new model: latentDim for the autoencoders, numClasses for the conditional models, width for ddpm. */
    public Module create(int latentDim, int numClasses, int width) {
        return switch (this) {
            case AE -> new ConvAutoencoder(latentDim);
            case VAE_MODEL -> new VAE(latentDim);
            case DCGAN_MODEL -> DCGAN.paperInit(Gan.dcgan(DCGAN.NOISE_DIM));
            case DCGAN_CONDITIONAL -> DCGAN.paperInit(Gan.conditionalDcgan(DCGAN.NOISE_DIM, numClasses));
            case DDPM -> new DdpmModel(width, 0);
            case DDPM_CONDITIONAL -> new DdpmModel(width, numClasses);
        };
    }
}
