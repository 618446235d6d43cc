package dev.torchlet.cli.bench;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;

/**
 * {@code mnist_cnn_train_img_s}: one training step (forward, cross-entropy, backward, Adam lr 1e-3)
 * of Conv2d(1,32,3)-ReLU-Conv2d(32,64,3)-ReLU-MaxPool2d(2)-Flatten-Linear(9216,128)-ReLU-Linear(128,10),
 * batch 64 of 1x28x28; 20 timed reps.
 */
final class MnistCnnTrain implements Workload {
    @Override
    public String name() {
        return "mnist_cnn_train_img_s";
    }

    @Override
    public String description() {
        return "MNIST CNN training step (Adam), batch 64";
    }

    /** The benchmark's network, also used by tests and profiling. */
    static Sequential network() {
        return new Sequential(
                new Conv2d(1, 32, 3),
                new ReLU(),
                new Conv2d(32, 64, 3),
                new ReLU(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(64 * 12 * 12, 128),
                new ReLU(),
                new Linear(128, 10));
    }

    @Override
    public Result run() {
        Sequential net = network();
        Adam opt = new Adam(net.parameters(), 1e-3);
        Tensor x = Torch.rand(64, 1, 28, 28);
        Tensor y = Torch.randint(0, 10, 64);
        double seconds = Timing.median(
                () -> {
                    opt.zeroGrad();
                    F.crossEntropy(net.call(x), y).backward();
                    opt.step();
                },
                20);
        return new Result(64 / seconds, "img/s");
    }
}
