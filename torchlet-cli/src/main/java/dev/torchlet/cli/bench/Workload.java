package dev.torchlet.cli.bench;

/**
 * One benchmark workload of {@code torchlet bench}. Its name, definition and unit match the peer
 * baseline of the same name in {@code ../shared/bench/pytorch_bench.py}, so the two print lines that
 * compare side by side.
 */
public interface Workload {
    /** e.g. {@code gemm1024_gflops}. */
    String name();

    /** What is measured, one line (e.g. "1024x1024 @ 1024x1024 float32 matmul"). */
    String description();

    /** Sets up, times (see {@link Timing#median}) and returns the figure of merit. */
    Result run();

    /** {@code value} in {@code unit}, e.g. 231.5 GFLOP/s. */
    record Result(double value, String unit) {}
}
