package dev.torchlet.cli.serve;

import dev.torchlet.Tensor;
import dev.torchlet.cli.train.FashionMnist;
import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.data.datasets.Mnist;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.Resize;
import dev.torchlet.data.transforms.Transform;
import dev.torchlet.nn.Module;
import dev.torchlet.serve.GradCamLayers;
import dev.torchlet.serve.ModelLoader;
import dev.torchlet.serve.ServedModel;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.weights.PretrainedWeights;
import dev.torchlet.vision.weights.WeightRegistry;
import dev.torchlet.vision.weights.WeightSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The specs {@code torchlet serve} understands:
 * <ul>
 *   <li>a {@code torchlet train} checkpoint path: a Fashion-MNIST model, 1x28x28, images read as grayscale,
 *       resized to 28x28 and normalized like training;
 *   <li>{@code zoo:NAME}: a zoo model with random weights and 1000 classes, 3x224x224, ImageNet preprocessing;
 *   <li>{@code zoo:NAME:pretrained}: the same with the registry's DEFAULT weights (found locally, as
 *       {@code torchlet classify} finds them) and their preprocessing and ImageNet labels.
 * </ul>
 */
public final class CliModelLoader implements ModelLoader {
    @Override
    public ServedModel load(String name, String spec) throws IOException {
        if (spec.startsWith("zoo:")) {
            return zoo(name, spec);
        }
        SavedModel saved = SavedModel.load(Path.of(spec));
        Module net = saved.model();
        int[] input = {1, 28, 28};
        Transform<Image, Tensor> toTensor = FashionMnist.evalTransform();
        return ServedModel.of(
                name,
                spec,
                net,
                input,
                Mnist.FASHION_CLASSES,
                bytes -> {
                    Image img = Image.decode(bytes, 1);
                    Tensor x = toTensor.apply(img);
                    if (img.width() != 28 || img.height() != 28) { // resize in pixel space, as `torchlet predict` does
                        x = new Resize(28, 28)
                                .apply(x.mul(FashionMnist.STD).add(FashionMnist.MEAN))
                                .sub(FashionMnist.MEAN)
                                .div(FashionMnist.STD);
                    }
                    return x;
                },
                GradCamLayers.lastConvStage(net, input));
    }

    private static ServedModel zoo(String name, String spec) throws IOException {
        String[] parts = spec.split(":");
        if (parts.length < 2 || parts.length > 3 || (parts.length == 3 && !parts[2].equals("pretrained"))) {
            throw new IllegalArgumentException("zoo spec must be zoo:NAME or zoo:NAME:pretrained, got '" + spec + "'");
        }
        String model = parts[1];
        boolean pretrained = parts.length == 3;
        Module net = Models.create(model, 1000);
        WeightSpec weights = pretrained ? WeightRegistry.find(model, "DEFAULT") : null;
        var pre = pretrained ? weights.preprocessing() : dev.torchlet.vision.weights.Preprocessing.imagenet(224);
        if (pretrained) {
            PretrainedWeights.resolveAndLoad(net, weights, null, false);
        }
        List<String> labels = pretrained ? WeightRegistry.imagenetClasses() : List.of();
        int[] input = {3, pre.crop(), pre.crop()};
        Transform<Image, Tensor> transform = pre.transform();
        net.eval();
        return ServedModel.of(
                name,
                spec,
                net,
                input,
                labels,
                bytes -> transform.apply(Image.decode(bytes, 3)),
                GradCamLayers.lastConvStage(net, input));
    }
}
