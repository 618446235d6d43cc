package dev.torchlet.kernels;

/** A scalar function {@link UnaryKernels#map} applies elementwise (float32 data computed in double, rounded once). */
@FunctionalInterface
public interface UnaryFn {
    double apply(double x);
}
