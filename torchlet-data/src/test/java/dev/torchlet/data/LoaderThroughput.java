package dev.torchlet.data;

import dev.torchlet.Tensor;
import dev.torchlet.data.datasets.Mnist;
import dev.torchlet.data.transforms.Normalize;
import dev.torchlet.data.transforms.ToTensor;
import dev.torchlet.internal.TensorInternals;

/**
 * Not a test: measures DataLoader throughput alone on Fashion-MNIST train (batches of 64,
 * ToTensor + Normalize, shuffle), for numWorkers 0 and 2. Args: epochs per setting (default 2).
 */
public final class LoaderThroughput {
    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Mnist train = Mnist.fashion(DataPaths.resolve("fashion-mnist"), true);
        var tf = new ToTensor().andThen(new Normalize(0.2860f, 0.3530f));
        Dataset<Example> ds = train.transform(tf);
        for (int workers : new int[] {0, 2, 0, 2}) {
            try (var loader = new DataLoader<>(ds, new DataLoader.Options(64, true, 1L).withWorkers(workers))) {
                for (int e = 0; e < epochs; e++) {
                    long t0 = System.nanoTime();
                    long n = 0;
                    double check = 0;
                    for (Batch b : loader) {
                        Tensor x = b.inputs();
                        n += x.size(0);
                        check += TensorInternals.storage(x).floats()[0];
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf(
                            "numWorkers=%d epoch=%d: %d images in %.3f s = %.0f images/s (check %.1f)%n",
                            workers, e, n, s, n / s, check);
                }
            }
        }
    }
}
