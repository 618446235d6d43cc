package dev.torchlet.bench;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.kernels.Parallel;
import dev.torchlet.nn.BatchNorm1d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Per-layer CPU profile of one CNN training step (batch 64 of 1x28x28, cross-entropy, Adam):
 * forward CPU time of each layer, then backward and optimizer step, as steady-state averages of
 * the calling thread's CPU time (robust on a shared machine; use 1 thread to see all the work).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.torchlet.bench.CnnStepProfile cnn-bn 1 60
 * </pre>
 * Models: {@code cnn} (the mnist_cnn_train_img_s bench network) and {@code cnn-bn} (the CLI's
 * cnn-bn, copied here because torchlet-bench does not depend on the CLI).
 */
public final class CnnStepProfile {
    private CnnStepProfile() {}

    static Module[] layers(String model) {
        return switch (model) {
            case "cnn" ->
                new Module[] {
                    new Conv2d(1, 32, 3),
                    new ReLU(),
                    new Conv2d(32, 64, 3),
                    new ReLU(),
                    new MaxPool2d(2),
                    new Flatten(),
                    new Linear(64 * 12 * 12, 128),
                    new ReLU(),
                    new Linear(128, 10)
                };
            case "cnn-bn" ->
                new Module[] {
                    new Conv2d(1, 32, 3, 1, 1, 1, 1, false),
                    new BatchNorm2d(32),
                    new ReLU(),
                    new Conv2d(32, 32, 3, 1, 1, 1, 1, false),
                    new BatchNorm2d(32),
                    new ReLU(),
                    new MaxPool2d(2),
                    new Conv2d(32, 64, 3, 1, 1, 1, 1, false),
                    new BatchNorm2d(64),
                    new ReLU(),
                    new Conv2d(64, 64, 3, 1, 1, 1, 1, false),
                    new BatchNorm2d(64),
                    new ReLU(),
                    new MaxPool2d(2),
                    new Flatten(),
                    new Linear(64 * 7 * 7, 256, false),
                    new BatchNorm1d(256),
                    new ReLU(),
                    new Dropout(0.4),
                    new Linear(256, 10)
                };
            default ->
                throw new IllegalArgumentException(
                        "CnnStepProfile: unknown model '" + model + "', expected cnn or cnn-bn");
        };
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "cnn-bn";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        Parallel.setNumThreads(threads);
        Module[] mods = layers(model);
        Sequential net = new Sequential(mods);
        Adam opt = new Adam(net.parameters(), 1e-3);
        Tensor x = Torch.rand(64, 1, 28, 28);
        Tensor y = Torch.randint(0, 10, 64);
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        double[] fwd = new double[mods.length];
        double bwd = 0;
        double step = 0;
        double[] wall = new double[steps];
        int warm = steps / 3;
        for (int i = 0; i < steps; i++) {
            boolean rec = i >= warm;
            long w0 = System.nanoTime();
            opt.zeroGrad();
            Tensor h = x;
            for (int m = 0; m < mods.length; m++) {
                long c0 = tm.getCurrentThreadCpuTime();
                h = mods[m].call(h);
                if (rec) {
                    fwd[m] += (tm.getCurrentThreadCpuTime() - c0) / 1e6;
                }
            }
            long c0 = tm.getCurrentThreadCpuTime();
            F.crossEntropy(h, y).backward();
            long c1 = tm.getCurrentThreadCpuTime();
            opt.step();
            long c2 = tm.getCurrentThreadCpuTime();
            wall[i] = (System.nanoTime() - w0) / 1e6;
            if (rec) {
                bwd += (c1 - c0) / 1e6;
                step += (c2 - c1) / 1e6;
            }
        }
        int n = steps - warm;
        double total = 0;
        for (int m = 0; m < mods.length; m++) {
            System.out.printf("  forward %-12s %7.2f ms%n", mods[m].getClass().getSimpleName(), fwd[m] / n);
            total += fwd[m] / n;
        }
        double[] w = java.util.Arrays.copyOfRange(wall, warm, steps);
        java.util.Arrays.sort(w);
        System.out.printf(
                "%s, %d thread(s): forward %.2f + backward %.2f + adam %.2f = %.2f ms CPU/step "
                        + "(calling thread); wall median %.2f ms = %.0f img/s%n",
                model,
                threads,
                total,
                bwd / n,
                step / n,
                total + (bwd + step) / n,
                w[w.length / 2],
                64000 / w[w.length / 2]);
    }
}
