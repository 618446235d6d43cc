package dev.torchlet.bench;

import dev.torchlet.kernels.GemmKernels;
import dev.torchlet.kernels.GemmReference;
import dev.torchlet.kernels.Parallel;
import java.util.Random;
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
 * float32 GEMM kernels: {@code C (m, n) = A (m, k) @ B (k, n)}, B optionally stored transposed
 * (the Linear layer case {@code x @ W^T}). Score is time per call; GFLOP/s = 2*m*n*k / time.
 *
 * <p>e.g. {@code org.openjdk.jmh.Main Gemm.sgemm -p shape=1024x1024x1024 -p threads=1,2}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class GemmBenchmark {
    /** m x n x k. */
    @Param({"1024x1024x1024", "256x256x256", "64x512x512", "1x1024x1024", "32x512x128"})
    public String shape;

    @Param({"false", "true"})
    public boolean transB;

    @Param({"2"})
    public int threads;

    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setup() {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]);
        n = Integer.parseInt(d[1]);
        k = Integer.parseInt(d[2]);
        Random rnd = new Random(0);
        a = random(rnd, m * k);
        b = random(rnd, k * n);
        c = new float[m * n];
        Parallel.setNumThreads(threads);
    }

    @Benchmark
    public float[] sgemm() {
        GemmKernels.sgemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n);
        return c;
    }

    /** The plain-loop oracle, for scale (slow on the big shapes). */
    @Benchmark
    @Measurement(iterations = 3, time = 1)
    public float[] sgemmReference() {
        GemmReference.sgemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n);
        return c;
    }

    private static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = rnd.nextFloat();
        }
        return x;
    }
}
