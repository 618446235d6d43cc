package dev.torchlet.serve;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
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
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Small models for the server tests. Specs: "tiny:SEED" (a 1x8x8 -> 3 class CNN with seeded random weights)
 * and "slow:SEED:MS" (the same, sleeping MS ms per forward call, to make queues fill).
 */
final class TestModels {
    static final int[] INPUT = {1, 8, 8};
    static final List<String> LABELS = List.of("zero", "one", "two");

    private TestModels() {}

    static Module tiny(long seed) {
        synchronized (TestModels.class) {
            Torch.manualSeed(seed);
            return new Sequential(
                    new Conv2d(1, 4, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 3));
        }
    }

    /** A module that sleeps before delegating: a stand-in for an expensive model. */
    static final class Slow extends Module {
        private final long millis;

        Slow(Module inner, long millis) {
            registerModule("inner", inner);
            this.millis = millis;
        }

        @Override
        public Tensor forward(Tensor x) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return getSubmodule("inner").call(x);
        }
    }

    static final ModelLoader LOADER = (name, spec) -> {
        String[] p = spec.split(":");
        switch (p[0]) {
            case "tiny" -> {
                return ServedModel.of(
                        name, spec, tiny(Long.parseLong(p[1])), INPUT, LABELS, TestModels::preprocess, "0");
            }
            case "slow" -> {
                Module m = new Slow(tiny(Long.parseLong(p[1])), Long.parseLong(p[2]));
                return ServedModel.of(name, spec, m, INPUT, LABELS, TestModels::preprocess, "inner.0");
            }
            default -> throw new IllegalArgumentException("unknown test spec '" + spec + "'");
        }
    };

    /** Grayscale, [0, 1], resized to 8x8. */
    static Tensor preprocess(byte[] bytes) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        if (img == null) {
            throw new IOException("no ImageIO reader recognizes the bytes");
        }
        Tensor x = new ToTensor().apply(Image.fromBufferedImage(img, 1));
        return x.size(1) == 8 && x.size(2) == 8 ? x : new Resize(8, 8).apply(x);
    }

    /** A PNG of size x size with a diagonal gradient. */
    static byte[] png(int size) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int v = (x + y) * 255 / (2 * size - 2);
                img.setRGB(x, y, v << 16 | (255 - v) << 8 | (v / 2));
            }
        }
        var out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** The module's output for one sample, run directly (the unbatched reference). */
    static float[] direct(Module m, float[] sample) {
        try (var g = Torch.noGrad()) {
            return m.call(Torch.tensor(sample, 1, INPUT[0], INPUT[1], INPUT[2])).toFloatArray();
        }
    }

    static float[] sample(long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[64];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
