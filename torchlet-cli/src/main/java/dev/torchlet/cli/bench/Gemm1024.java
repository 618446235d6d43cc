package dev.torchlet.cli.bench;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;

/** {@code gemm1024_gflops}: 1024x1024 @ 1024x1024 float32 matmul of uniform [0, 1) operands, 9 reps. */
final class Gemm1024 implements Workload {
    private static final int N = 1024;

    @Override
    public String name() {
        return "gemm1024_gflops";
    }

    @Override
    public String description() {
        return "1024x1024 @ 1024x1024 float32 matmul";
    }

    @Override
    public Result run() {
        Tensor a = Torch.rand(N, N);
        Tensor b = Torch.rand(N, N);
        double seconds = Timing.median(() -> a.matmul(b), 9);
        return new Result(2.0 * N * N * N / seconds / 1e9, "GFLOP/s");
    }
}
