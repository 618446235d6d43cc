package dev.torchlet.bench;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.kernels.Parallel;
import dev.torchlet.ops.Convolution;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * conv2d forward and its two backward passes (input and weight gradients) on typical shapes.
 * Score is time per call; forward GFLOP/s = 2 * N * Cout * Cin/groups * kH * kW * OH * OW / time.
 *
 * <p>e.g. {@code org.openjdk.jmh.Main Conv.forward -p shape=8x64x56x56k3 -p threads=1,2}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class ConvBenchmark {
    /** N x C x H x W, square kernel k, Cout = C, stride 1, padding k/2 (the ResNet / VGG case). */
    @Param({"8x64x56x56k3", "64x32x28x28k3", "1x3x224x224k7"})
    public String shape;

    @Param({"2"})
    public int threads;

    private Tensor x;
    private Tensor w;
    private Tensor b;
    private Tensor gradOut;
    private int[] pad;

    @Setup
    public void setup() {
        String[] d = shape.split("[xk]");
        int n = Integer.parseInt(d[0]);
        int c = Integer.parseInt(d[1]);
        int h = Integer.parseInt(d[2]);
        int wd = Integer.parseInt(d[3]);
        int k = Integer.parseInt(d[4]);
        Torch.manualSeed(0);
        int cout = c == 3 ? 64 : c;
        x = Torch.randn(n, c, h, wd);
        w = Torch.randn(cout, c, k, k);
        b = Torch.randn(cout);
        pad = new int[] {k / 2, k / 2};
        try (var g = Torch.noGrad()) {
            gradOut = Torch.randnLike(forward());
        }
        Parallel.setNumThreads(threads);
    }

    @Benchmark
    public Tensor forward() {
        try (var g = Torch.noGrad()) {
            return Convolution.conv2d(x, w, b, new int[] {1, 1}, pad, new int[] {1, 1}, 1);
        }
    }

    /** Forward with autograd, then both gradients (input and weight) and the bias gradient. */
    @Benchmark
    public Tensor forwardBackward() {
        Tensor xi = x.detach().requiresGrad(true);
        Tensor wi = w.detach().requiresGrad(true);
        Tensor bi = b.detach().requiresGrad(true);
        Convolution.conv2d(xi, wi, bi, new int[] {1, 1}, pad, new int[] {1, 1}, 1)
                .backward(gradOut);
        return wi.grad();
    }
}
