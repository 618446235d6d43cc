package dev.torchlet.cli.train;

import dev.torchlet.Tensor;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.BatchNorm1d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Identity;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import java.util.List;

/** The models `torchlet train` offers for 1x28x28 images and 10 classes. */
public final class TrainModels {
    public static final List<String> NAMES = List.of("mlp", "cnn", "cnn-small", "cnn-bn", "resnet-small");

    private TrainModels() {}

    /** A new model by name; unknown names list the available ones. */
    public static Module create(String name, int numClasses) {
        return switch (name) {
            case "mlp" -> mlp(numClasses);
            case "cnn" -> cnn(numClasses);
            case "cnn-small" -> cnnSmall(numClasses);
            case "cnn-bn" -> cnnBn(numClasses);
            case "resnet-small" -> new ResNetSmall(numClasses);
            default ->
                throw new IllegalArgumentException(
                        "unknown model '" + name + "'; available: " + String.join(", ", NAMES));
        };
    }

    /** 784 -> 256 -> 128 -> classes, ReLU, dropout 0.2. */
    static Module mlp(int numClasses) {
        return new Sequential(
                new Flatten(),
                new Linear(784, 256),
                new ReLU(),
                new Dropout(0.2),
                new Linear(256, 128),
                new ReLU(),
                new Linear(128, numClasses));
    }

    /**
     * Two 3x3 conv + max-pool stages and a 128-unit head:
     * (1, 28, 28) -> (32, 14, 14) -> (64, 7, 7) -> 3136 -> 128 -> classes.
     */
    static Module cnn(int numClasses) {
        return new Sequential(
                new Conv2d(1, 32, 3, 1, 1),
                new ReLU(),
                new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1),
                new ReLU(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(64 * 7 * 7, 128),
                new ReLU(),
                new Dropout(0.3),
                new Linear(128, numClasses));
    }

    /**
     * A quarter of the cnn, e.g. a distillation student: (1, 28, 28) -> (16, 14, 14) -> (32, 7, 7) -> 1568
     * -> 64 -> classes (about 106k parameters against the cnn's 421k).
     */
    static Module cnnSmall(int numClasses) {
        return new Sequential(
                new Conv2d(1, 16, 3, 1, 1),
                new ReLU(),
                new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1),
                new ReLU(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(32 * 7 * 7, 64),
                new ReLU(),
                new Linear(64, numClasses));
    }

    /** The cnn with batch norm after every conv and the hidden linear layer ("2 Conv + pooling + BN"). */
    static Module cnnBn(int numClasses) {
        return new Sequential(
                convBn(1, 32, 3, 1),
                new BatchNorm2d(32),
                new ReLU(),
                convBn(32, 32, 3, 1),
                new BatchNorm2d(32),
                new ReLU(),
                new MaxPool2d(2),
                convBn(32, 64, 3, 1),
                new BatchNorm2d(64),
                new ReLU(),
                convBn(64, 64, 3, 1),
                new BatchNorm2d(64),
                new ReLU(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(64 * 7 * 7, 256, false),
                new BatchNorm1d(256),
                new ReLU(),
                new Dropout(0.4),
                new Linear(256, numClasses));
    }

    /** A k x k convolution for a batch norm to follow: no bias, "same" padding k / 2. */
    static Conv2d convBn(int in, int out, int kernel, int stride) {
        return new Conv2d(Conv2dOptions.of(in, out, kernel)
                .withStride(stride)
                .withPadding(kernel / 2)
                .withBias(false));
    }

    /** A basic residual block: two 3x3 conv-BN pairs with an identity or 1x1-conv shortcut. */
    static final class BasicBlock extends Module {
        BasicBlock(int in, int out, int stride) {
            registerModule(
                    "body",
                    new Sequential(
                            convBn(in, out, 3, stride),
                            new BatchNorm2d(out),
                            new ReLU(),
                            convBn(out, out, 3, 1),
                            new BatchNorm2d(out)));
            registerModule(
                    "shortcut",
                    stride == 1 && in == out
                            ? new Identity()
                            : new Sequential(convBn(in, out, 1, stride), new BatchNorm2d(out)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("body").call(x).add(child("shortcut").call(x)).relu();
        }
    }

    /** A small ResNet for 28x28: stem 32, stages 32 -> 64 (stride 2) -> 128 (stride 2), global average pool. */
    static final class ResNetSmall extends Module {
        ResNetSmall(int numClasses) {
            registerModule(
                    "net",
                    new Sequential(
                            convBn(1, 32, 3, 1),
                            new BatchNorm2d(32),
                            new ReLU(),
                            new BasicBlock(32, 32, 1),
                            new BasicBlock(32, 64, 2),
                            new BasicBlock(64, 128, 2),
                            new AdaptiveAvgPool2d(1),
                            new Flatten(),
                            new Linear(128, numClasses)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("net").call(x);
        }
    }
}
