package dev.torchlet.cli;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.explain.Attribution;
import dev.torchlet.vision.explain.GradCam;
import dev.torchlet.vision.explain.HeatMaps;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.weights.Preprocessing;
import dev.torchlet.vision.weights.PretrainedWeights;
import dev.torchlet.vision.weights.WeightRegistry;
import dev.torchlet.vision.weights.WeightSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code torchlet explain}: which pixels made a zoo model choose a class, as a heat map over the image. */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        description = {
            "Explains a zoo model's prediction for an image: Grad-CAM at a layer (default), vanilla-gradient",
            "saliency or integrated gradients, blended over the (resized, cropped) image as a PNG."
        })
public final class ExplainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Zoo model, e.g. resnet18.")
    String model;

    @Option(
            names = {"--checkpoint", "--weights"},
            description = "A .pth or .safetensors state dict (default: the registry's file).")
    Path weights;

    @Option(names = "--num-classes", defaultValue = "1000", description = "Classes of the checkpoint (default 1000).")
    int numClasses;

    @Option(names = "--download", description = "Download the registry's weights if no local copy is found.")
    boolean download;

    @Option(names = "--layer", defaultValue = "layer4", description = "Grad-CAM layer path (default: layer4).")
    String layer;

    @Option(
            names = "--method",
            defaultValue = "gradcam",
            description = "gradcam, saliency or integrated-gradients (default: gradcam).")
    String method;

    @Option(names = "--class", description = "Class index to explain (default: the predicted one).")
    Integer targetClass;

    @Option(names = "--out", required = true, description = "The PNG to write.")
    Path out;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "A PNG, JPEG, BMP or WebP file.")
    Path image;

    @Override
    public Integer call() throws Exception {
        WeightSpec spec = WeightRegistry.find(model, "DEFAULT");
        Module net = Models.create(model, numClasses);
        PretrainedWeights.resolveAndLoad(net, spec, weights, download);
        net.eval();
        Preprocessing pre = spec.preprocessing();
        Tensor x = pre.transform().apply(Image.read(image, 3)).unsqueeze(0); // (1, 3, crop, crop)
        int predicted;
        try (var g = Torch.noGrad()) {
            predicted = (int) net.call(x).argmax(1).toLongArray()[0];
        }
        int cls = targetClass != null ? targetClass : predicted;
        if (cls < 0 || cls >= numClasses) {
            throw new IllegalArgumentException("--class must be in [0, " + numClasses + "), got " + cls);
        }
        Tensor target = Torch.tensor(new long[] {cls}, 1);
        Tensor map = switch (method) {
            case "gradcam" -> new GradCam(net, layer).heatMap(x, target);
            case "saliency" -> Attribution.scaleToUnit(Attribution.saliency(net, x, target));
            case "integrated-gradients" ->
                Attribution.scaleToUnit(Attribution.integratedGradients(net, x, target, null, 32)
                        .abs()
                        .sum(1, false));
            default ->
                throw new IllegalArgumentException(
                        "--method must be gradcam, saliency or integrated-gradients, got '" + method + "'");
        };
        HeatMaps.overlay(displayImage(x, pre), map.squeeze(0), 0.6f).write(out, "png");
        String name = numClasses == 1000 ? WeightRegistry.imagenetClasses().get(cls) : "class " + cls;
        System.out.printf("%s of %s for %s (predicted: %d) -> %s%n", method, model, name, predicted, out);
        return 0;
    }

    /** The network's input as a picture again: un-normalized, clipped to [0, 255]. */
    private static Image displayImage(Tensor x, Preprocessing pre) {
        float[] mean = pre.mean();
        float[] std = pre.std();
        int h = x.size(2);
        int w = x.size(3);
        float[] v = x.toFloatArray();
        byte[] rgb = new byte[h * w * 3];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h * w; i++) {
                float p = (v[c * h * w + i] * std[c] + mean[c]) * 255;
                rgb[3 * i + c] = (byte) Math.round(Math.max(0, Math.min(255, p)));
            }
        }
        return new Image(w, h, 3, rgb);
    }
}
