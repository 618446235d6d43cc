package dev.torchlet.cli.finetune;

import dev.torchlet.Torch;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code torchlet finetune}: transfer learning of a zoo model on an image folder. */
@Command(
        name = "finetune",
        mixinStandardHelpOptions = true,
        description = {
            "Fine-tunes a zoo model (pretrained weights: --weights FILE, the local caches, or --download) on an",
            "image folder IMAGES/<class>/<image>, split into train and validation sets: a new head for the",
            "folder's classes, optional frozen layers (--freeze globs), a linear probe on cached features or",
            "gradual unfreezing (--gradual-unfreeze: the head first, then one more layer group per epoch),",
            "a smaller learning rate for the pretrained layers; progress bar, per-epoch validation, checkpoint,",
            "curves.png and a summary with the confusion matrix, as `torchlet train`."
        })
public final class FinetuneCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Zoo model, e.g. resnet18.")
    String model;

    @Option(names = "--weights", description = "Pretrained .pth or .safetensors (default: the registry's file).")
    Path weights;

    @Option(names = "--download", description = "Download the registry's weights if no local copy is found.")
    boolean download;

    @Option(names = "--no-pretrained", description = "Start from torchvision's random initialization instead.")
    boolean noPretrained;

    @Option(names = "--images", required = true, description = "Image folder with one sub-folder per class.")
    Path images;

    @Option(names = "--val-fraction", defaultValue = "0.2", description = "Share held out (default: 0.2).")
    double valFraction;

    @Option(names = "--freeze", split = ",", description = "Module paths or globs to freeze, e.g. 'layer1.*,conv1'.")
    String[] freeze = new String[0];

    @Option(names = "--linear-probe", description = "Freeze everything but the new head; train it on cached features.")
    boolean linearProbe;

    @Option(
            names = "--gradual-unfreeze",
            description = "Gradual unfreezing (ULMFiT): train the head first, then one more layer group per epoch,"
                    + " from the head backwards (printed at each epoch).")
    boolean gradualUnfreeze;

    @Option(
            names = "--unfreeze-every",
            description = "With --gradual-unfreeze: epochs between two unfreezings (default: 1).")
    Integer unfreezeEvery;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: 5).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "16", description = "Batch size (default: 16).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Learning rate of the new head (default: 1e-3).")
    double lr;

    @Option(
            names = "--backbone-lr-factor",
            defaultValue = "0.1",
            description = "Pretrained layers learn at lr times this (default: 0.1).")
    double backboneLrFactor;

    @Option(names = "--augment", description = "Random resized crops and horizontal flips while training.")
    boolean augment;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the split, shuffling and init (default: 0).")
    long seed;

    @Option(names = "--out", defaultValue = "runs/finetune", description = "Output folder (default: runs/finetune).")
    Path out;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            Torch.setNumThreads(threads);
        }
        if (unfreezeEvery != null && !gradualUnfreeze) {
            throw new IllegalArgumentException("--unfreeze-every needs --gradual-unfreeze");
        }
        int gradualEvery = gradualUnfreeze ? (unfreezeEvery == null ? 1 : unfreezeEvery) : 0;
        if (gradualUnfreeze && gradualEvery < 1) {
            throw new IllegalArgumentException("--unfreeze-every must be at least 1, got " + gradualEvery);
        }
        var settings = new FineTuner.Settings(
                model,
                weights,
                download,
                noPretrained,
                images,
                valFraction,
                freeze,
                linearProbe,
                gradualEvery,
                epochs,
                batchSize,
                lr,
                backboneLrFactor,
                augment,
                seed,
                out);
        FineTuner.Result r = new FineTuner(settings, System.out).run();
        System.out.println();
        System.out.print(r.evaluation().confusion().render());
        System.out.printf("wall time: %.1f s; checkpoint: %s; plot: %s%n", r.wallSeconds(), r.checkpoint(), r.plot());
        System.out.printf("validation accuracy: %.2f%%%n", 100 * r.evaluation().accuracy());
        return 0;
    }
}
