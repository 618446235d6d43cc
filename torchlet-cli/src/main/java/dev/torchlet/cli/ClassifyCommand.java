package dev.torchlet.cli;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.weights.PretrainedWeights;
import dev.torchlet.vision.weights.WeightRegistry;
import dev.torchlet.vision.weights.WeightSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code torchlet classify}: top-k ImageNet classes of images with a pretrained zoo model. */
@Command(
        name = "classify",
        mixinStandardHelpOptions = true,
        description = {
            "Classifies images with a zoo model and torchvision's ImageNet weights: top-k class names and",
            "probabilities, with the preprocessing those weights expect. Weights: --weights FILE, else the",
            "TORCH_HOME hub cache or Torchlet's cache, else --download (hash-checked)."
        })
public final class ClassifyCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Zoo model, e.g. resnet18 (see `torchlet models`).")
    String model;

    @Option(names = "--weights", description = "A .pth or .safetensors state dict (default: the registry's file).")
    Path weights;

    @Option(names = "--tag", defaultValue = "DEFAULT", description = "Which published weights (default: DEFAULT).")
    String tag;

    @Option(names = "--download", description = "Download the weights if no local copy is found.")
    boolean download;

    @Option(names = "--top-k", defaultValue = "5", description = "How many classes to show (default: 5).")
    int topK;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG, JPEG, BMP or WebP files.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        if (topK < 1 || topK > 1000) {
            throw new IllegalArgumentException("--top-k must be between 1 and 1000, got " + topK);
        }
        WeightSpec spec = WeightRegistry.find(model, tag);
        Module net = Models.create(model, 1000);
        Path file = PretrainedWeights.resolveAndLoad(net, spec, weights, download);
        net.eval();
        var transform = spec.preprocessing().transform();
        List<String> classes = WeightRegistry.imagenetClasses();
        System.out.println(model + " with " + file
                + (spec.preprocessing().isApproximated()
                        ? " (its " + spec.preprocessing().interpolation() + " resize approximated by bilinear)"
                        : ""));
        for (Path path : images) {
            Tensor probs;
            try (var g = Torch.inferenceMode()) { // activations recycled from image to image
                probs = net.call(transform.apply(read(path)).unsqueeze(0))
                        .softmax(1)
                        .squeeze(0);
            }
            float[] p = probs.toFloatArray();
            Integer[] order = new Integer[p.length];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
            System.out.println(path + ":");
            for (int k = 0; k < topK; k++) {
                System.out.printf("  %6.2f%%  %s (%d)%n", 100 * p[order[k]], classes.get(order[k]), order[k]);
            }
        }
        return 0;
    }

    private static Image read(Path path) throws IOException {
        try {
            return Image.read(path, 3);
        } catch (IOException e) {
            throw new IOException("cannot read image " + path + ": " + e.getMessage(), e);
        }
    }
}
