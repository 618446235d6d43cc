package dev.torchlet.serve;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.datasets.Mnist;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.Resize;
import dev.torchlet.data.transforms.ToTensor;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A Fashion-MNIST shaped model for the web page tests: 1x28x28 grayscale in, the ten Fashion-MNIST classes out,
 * a two-stage CNN with seeded random weights (deterministic answers, a real Grad-CAM layer), plus a test image.
 * Spec "fashion:SEED"; other specs go to {@link TestModels#LOADER}.
 */
final class FashionTestModel {
    static final int[] INPUT = {1, 28, 28};
    private static final float LOGIT_SCALE = 25f;

    static final ModelLoader LOADER = (name, spec) -> {
        if (!spec.startsWith("fashion:")) {
            return TestModels.LOADER.load(name, spec);
        }
        Module net = create(Long.parseLong(spec.substring("fashion:".length())));
        return ServedModel.of(
                name,
                spec,
                net,
                INPUT,
                Mnist.FASHION_CLASSES,
                FashionTestModel::preprocess,
                GradCamLayers.lastConvStage(net, INPUT));
    };

    private FashionTestModel() {}

    static Module create(long seed) {
        synchronized (TestModels.class) { // the same lock as TestModels: the seed is global RNG state
            Torch.manualSeed(seed);
            Module net = new Sequential(
                    new Conv2d(1, 8, 3, 1, 1),
                    new ReLU(),
                    new MaxPool2d(2),
                    new Conv2d(8, 16, 3, 1, 1),
                    new ReLU(),
                    new MaxPool2d(2), // (16, 7, 7)
                    new Flatten(),
                    new Linear(16 * 7 * 7, 10));
            // random init gives near-uniform probabilities; sharper logits give a clear top class to compare
            Map<String, Tensor> state = new LinkedHashMap<>(net.stateDict());
            state.put("7.weight", state.get("7.weight").mul(LOGIT_SCALE));
            net.loadStateDict(state);
            return net;
        }
    }

    /** Grayscale in [0, 1], resized to 28x28 (what the page shows: the image stretched to the input). */
    static Tensor preprocess(byte[] bytes) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        if (img == null) {
            throw new IOException("no ImageIO reader recognizes the bytes");
        }
        Tensor x = new ToTensor().apply(Image.fromBufferedImage(img, 1));
        return x.size(1) == 28 && x.size(2) == 28 ? x : new Resize(28, 28).apply(x);
    }

    /** A white T-shirt-like silhouette on black, size x size: off-centre, so the heat map has structure. */
    static byte[] shirtPng(int size) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, size, size);
        int u = size / 16;
        g.setColor(new Color(230, 230, 230));
        g.fillRect(5 * u, 3 * u, 6 * u, 11 * u); // body
        g.fillPolygon(new int[] {5 * u, 2 * u, 3 * u, 5 * u}, new int[] {3 * u, 6 * u, 8 * u, 6 * u}, 4); // sleeves
        g.fillPolygon(new int[] {11 * u, 14 * u, 13 * u, 11 * u}, new int[] {3 * u, 6 * u, 8 * u, 6 * u}, 4);
        g.setColor(new Color(120, 120, 120));
        g.setStroke(new BasicStroke(Math.max(1, u / 2f)));
        g.drawLine(8 * u, 4 * u, 8 * u, 13 * u); // a seam, some texture for the convolutions
        g.dispose();
        var out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
