package dev.torchlet.kernels;

/** A scalar function applied elementwise; float32 data is computed in double and rounded once. */
@FunctionalInterface
public interface UnaryFn {
    double apply(double x);
}
