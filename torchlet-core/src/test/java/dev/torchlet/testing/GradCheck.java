package dev.torchlet.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import java.util.function.Function;

/**
 * Finite-difference gradient check in float64, like {@code torch.autograd.gradcheck}: for a
 * function f of some inputs, compares the autograd gradient of {@code sum(f(x) * w)} (w a fixed
 * random weight, so every output element matters) with central differences
 * {@code (L(x + eps) - L(x - eps)) / (2 eps)}.
 */
public final class GradCheck {
    private GradCheck() {}

    /** Checks with eps 1e-6, atol 1e-5, rtol 1e-3 (the float64 defaults of torch.autograd.gradcheck). */
    public static void check(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(what, f, 1e-6, 1e-5, 1e-3, inputs);
    }

    public static void check(
            String what, Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            xs[i] = inputs[i].dtype().isFloatingPoint()
                    ? inputs[i].detach().to(DType.FLOAT64).contiguousCopy().requiresGrad(inputs[i].requiresGrad())
                    : inputs[i];
        }
        Tensor out = f.apply(xs);
        Torch.manualSeed(1234);
        Tensor w = Torch.randn(TensorInternals.shapeRef(out)).to(DType.FLOAT64);
        out.mul(w).sum().backward();
        for (int i = 0; i < xs.length; i++) {
            if (!xs[i].requiresGrad()) {
                continue;
            }
            Tensor grad = xs[i].grad();
            assertNotNull(grad, what + ": input " + i + " got no gradient");
            double[] analytic = grad.toDoubleArray();
            double[] data = TensorInternals.storage(xs[i]).doubles();
            for (int k = 0; k < data.length; k++) {
                double orig = data[k];
                data[k] = orig + eps;
                double plus = loss(f, xs, w);
                data[k] = orig - eps;
                double minus = loss(f, xs, w);
                data[k] = orig;
                double numeric = (plus - minus) / (2 * eps);
                if (Math.abs(numeric - analytic[k]) > atol + rtol * Math.abs(numeric)) {
                    fail(what + ": d/d input" + i + "[" + k + "]: autograd " + analytic[k] + " vs finite difference "
                            + numeric);
                }
            }
        }
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] xs, Tensor w) {
        try (var g = Torch.noGrad()) {
            return f.apply(xs).mul(w).sum().itemDouble();
        }
    }
}
