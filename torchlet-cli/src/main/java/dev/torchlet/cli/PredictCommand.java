package dev.torchlet.cli;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.FashionMnist;
import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.data.datasets.Mnist;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.Resize;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code torchlet predict}: top-k classes of images under a trained checkpoint. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Classifies images with a `torchlet train` checkpoint.",
            "Images are read as grayscale and resized to 28x28 (Fashion-MNIST style: a light item on black)."
        })
public final class PredictCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "The checkpoint (.safetensors).")
    Path checkpoint;

    @Option(
            names = "--top-k",
            defaultValue = "3",
            description = "How many classes to show (default: ${DEFAULT-VALUE}).")
    int topK;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG, JPEG, BMP or WebP files.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        if (topK < 1 || topK > 10) {
            throw new IllegalArgumentException("--top-k must be between 1 and 10, got " + topK);
        }
        SavedModel saved = SavedModel.load(checkpoint);
        List<String> classes = Mnist.FASHION_CLASSES;
        var toTensor = FashionMnist.evalTransform();
        for (Path path : images) {
            Image img = Image.read(path, 1);
            Tensor x = toTensor.apply(img);
            if (img.width() != 28 || img.height() != 28) {
                x = new Resize(28, 28)
                        .apply(x.mul(FashionMnist.STD).add(FashionMnist.MEAN))
                        .sub(FashionMnist.MEAN)
                        .div(FashionMnist.STD);
            }
            Tensor probs;
            try (var g = Torch.noGrad()) {
                probs = saved.model().call(x.unsqueeze(0)).softmax(1).squeeze(0);
            }
            float[] p = probs.toFloatArray();
            Integer[] order = new Integer[p.length];
            for (int i = 0; i < p.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
            System.out.println(path + ":");
            for (int k = 0; k < topK; k++) {
                System.out.printf("  %-12s %6.2f%%%n", classes.get(order[k]), 100 * p[order[k]]);
            }
        }
        return 0;
    }
}
