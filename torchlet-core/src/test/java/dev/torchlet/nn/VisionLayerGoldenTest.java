package dev.torchlet.nn;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import dev.torchlet.testing.Golden;
import dev.torchlet.testing.GradCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The layers of the mobile vision models against PyTorch and torchvision.ops
 * (tools/golden/gen_layers_vision.py): ReLU6, Hardswish, Hardsigmoid (kinks included, where PyTorch's
 * backward picks a one-sided value), SqueezeExcitation and StochasticDepth. Parameters are loaded by
 * state-dict name, then output, input gradient and parameter gradients are compared (atol 1e-5,
 * rtol 1e-4). Gradients are also checked by finite differences in float64 away from the kinks, and
 * the random training behaviour of StochasticDepth statistically.
 */
class VisionLayerGoldenTest {
    static Tensor g(String key) {
        return Golden.get("layers_vision", key);
    }

    static Map<String, Tensor> withPrefix(String prefix) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        Golden.load("layers_vision").forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                sd.put(k.substring(prefix.length()), v);
            }
        });
        return sd;
    }

    static void check(String name, Supplier<Module> make, boolean train) {
        Module m = make.get();
        m.train(train);
        m.loadStateDict(withPrefix(name + ".param."));
        Tensor x = g(name + ".x").clone().requiresGrad(true);
        Tensor y = m.call(x);
        assertClose(g(name + ".y"), y, 1e-5, 1e-4, name + " output");
        y.backward(g(name + ".g"));
        assertClose(g(name + ".gx"), x.grad(), 1e-5, 1e-4, name + " input grad");
        m.namedParameters()
                .forEach((k, p) -> assertClose(g(name + ".grad." + k), p.grad(), 1e-5, 1e-4, name + " grad " + k));
    }

    /** The functional form against the same golden as the module. */
    private static void checkFunctional(String name, UnaryOperator<Tensor> f) {
        Tensor x = g(name + ".x").clone().requiresGrad(true);
        Tensor y = f.apply(x);
        assertClose(g(name + ".y"), y, 1e-6, 1e-6, name + " functional output");
        y.backward(g(name + ".g"));
        assertClose(g(name + ".gx"), x.grad(), 1e-6, 1e-6, name + " functional input grad");
    }

    @Test
    void hardActivationsMatchPyTorchIncludingTheKinks() {
        check("relu6", ReLU6::new, true);
        check("hardswish", Hardswish::new, true);
        check("hardsigmoid", Hardsigmoid::new, true);
        checkFunctional("relu6", F::relu6);
        checkFunctional("hardswish", F::hardswish);
        checkFunctional("hardsigmoid", F::hardsigmoid);
    }

    @Test
    void hardActivationsAtTheKinksExactly() {
        // PyTorch: relu6 and hardsigmoid pass no gradient at their kinks; hardswish has -1/2 at -3 (the inner
        // formula x / 3 + 1/2) and 1 at 3 (the linear piece), as its vectorized CPU kernel computes them
        Tensor x = Torch.tensor(new float[] {-3, 0, 3, 6}, 4).requiresGrad(true);
        F.relu6(x).sum().backward();
        assertArrayEquals(new float[] {0, 0, 1, 0}, x.grad().toFloatArray());
        Tensor h = Torch.tensor(new float[] {-3, 0, 3, 6}, 4).requiresGrad(true);
        F.hardsigmoid(h).sum().backward();
        assertArrayEquals(new float[] {0, 1f / 6, 0, 0}, h.grad().toFloatArray(), 1e-7f);
        Tensor s = Torch.tensor(new float[] {-3.5f, -3, 0, 3, 6}, 5).requiresGrad(true);
        F.hardswish(s).sum().backward();
        assertArrayEquals(new float[] {0, -0.5f, 0.5f, 1, 1}, s.grad().toFloatArray(), 1e-7f);
        assertArrayEquals(
                new float[] {-0f, -0f, 0f, 3f, 6f}, F.hardswish(s.detach()).toFloatArray(), 0f);
    }

    @Test
    void hardActivationGradientsByFiniteDifferences() {
        // float64 points away from the kinks (|x - kink| >= 0.05), spread over all pieces
        double[] v = new double[40];
        for (int i = 0; i < v.length; i++) {
            v[i] = -8.0 + 16.0 * (i + 0.37) / v.length;
        }
        Tensor x = Torch.tensor(v, 40).requiresGrad(true);
        GradCheck.check("relu6", t -> F.relu6(t[0]), x);
        GradCheck.check("hardswish", t -> F.hardswish(t[0]), x);
        GradCheck.check("hardsigmoid", t -> F.hardsigmoid(t[0]), x);
        assertSame(DType.FLOAT64, F.hardswish(x).dtype());
    }

    @Test
    void squeezeExcitationMatchesTorchvision() {
        check("se", () -> new SqueezeExcitation(6, 3), true);
        check("se_hardsigmoid", () -> new SqueezeExcitation(6, 4, new ReLU(), new Hardsigmoid()), true);
        check("se_silu", () -> new SqueezeExcitation(6, 2, new SiLU(), new Sigmoid()), true);
    }

    @Test
    void squeezeExcitationNamesAndGradients() {
        SqueezeExcitation se = new SqueezeExcitation(6, 3, new SiLU(), new Hardsigmoid());
        assertEquals(
                List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
                List.copyOf(se.stateDict().keySet()));
        assertEquals(
                List.of("avgpool", "fc1", "fc2", "activation", "scale_activation"),
                List.copyOf(se.namedChildren().keySet()));
        assertArrayEquals(
                new int[] {3, 6, 1, 1}, se.stateDict().get("fc1.weight").shape());
        Torch.manualSeed(3);
        Tensor w1 = Torch.randn(3, 6, 1, 1).to(DType.FLOAT64).requiresGrad(true);
        Tensor w2 = Torch.randn(6, 3, 1, 1).to(DType.FLOAT64).requiresGrad(true);
        Tensor x = Torch.randn(2, 6, 3, 2).to(DType.FLOAT64).requiresGrad(true);
        // the module's math as a function of input and weights (biases zero), through F
        GradCheck.check(
                "squeeze-excitation",
                t -> {
                    Tensor s = F.adaptiveAvgPool2d(t[0], 1, 1);
                    s = F.silu(F.conv2d(s, t[1], null, 1, 0));
                    s = F.sigmoid(F.conv2d(s, t[2], null, 1, 0));
                    return s.mul(t[0]);
                },
                x,
                w1,
                w2);
        var e = assertThrows(IllegalArgumentException.class, () -> se.call(Torch.rand(2, 5, 3, 3)));
        assertTrue(e.getMessage().contains("expected input (N, 6, H, W), got [2, 5, 3, 3]"), e.getMessage());
    }

    @Test
    void stochasticDepthDeterministicCasesMatchTorchvision() {
        check("sd_eval", () -> new StochasticDepth(0.5, "row"), false);
        check("sd_p0", () -> new StochasticDepth(0.0, "row"), true);
        check("sd_p1_row", () -> new StochasticDepth(1.0, "row"), true);
        check("sd_p1_batch", () -> new StochasticDepth(1.0, "batch"), true);
        Tensor x = Torch.rand(3, 2);
        assertSame(x, new StochasticDepth(0.7, "batch").eval().call(x), "identity in eval");
        assertEquals("StochasticDepth(p=0.2, mode=row)", new StochasticDepth(0.2, "row").toString());
    }

    @Test
    void stochasticDepthRowModeDropsWholeRowsAndScales() {
        Torch.manualSeed(11);
        int rows = 4000;
        Tensor x = Torch.rand(rows, 3, 2).add(1f).requiresGrad(true);
        StochasticDepth sd = new StochasticDepth(0.25, "row");
        Tensor y = sd.call(x);
        y.sum().backward();
        float[] xs = x.detach().toFloatArray();
        float[] ys = y.toFloatArray();
        float[] gs = x.grad().toFloatArray();
        int dropped = 0;
        for (int r = 0; r < rows; r++) {
            boolean drop = ys[r * 6] == 0f;
            dropped += drop ? 1 : 0;
            for (int k = r * 6; k < r * 6 + 6; k++) {
                float expect = drop ? 0f : xs[k] / 0.75f;
                assertEquals(expect, ys[k], 1e-6f * Math.abs(expect), "row " + r + " is dropped or kept as a whole");
                assertEquals(drop ? 0f : 1f / 0.75f, gs[k], 1e-6f, "gradient is the mask");
            }
        }
        // binomial(4000, 0.25): mean 1000, sd about 27
        assertTrue(Math.abs(dropped - 1000) < 120, "dropped " + dropped + " of " + rows + " rows at p = 0.25");
    }

    @Test
    void stochasticDepthBatchModeIsAllOrNothingAndSeeded() {
        Tensor x = Torch.rand(5, 3).add(1f);
        int dropped = 0;
        StochasticDepth sd = new StochasticDepth(0.5, "batch");
        Torch.manualSeed(5);
        for (int trial = 0; trial < 400; trial++) {
            float[] y = sd.call(x).toFloatArray();
            float[] xs = x.toFloatArray();
            boolean drop = y[0] == 0f;
            dropped += drop ? 1 : 0;
            for (int k = 0; k < y.length; k++) {
                assertEquals(drop ? 0f : 2 * xs[k], y[k], 1e-6f);
            }
        }
        assertTrue(Math.abs(dropped - 200) < 40, "dropped " + dropped + " of 400 batches at p = 0.5");
        Torch.manualSeed(42);
        Tensor a = F.stochasticDepth(Torch.ones(64, 2), 0.5, "row", true);
        Torch.manualSeed(42);
        Tensor b = F.stochasticDepth(Torch.ones(64, 2), 0.5, "row", true);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray(), "same seed, same rows dropped");
        assertNotEquals(0f, a.sum().item());
    }

    @Test
    void stochasticDepthRejectsBadArguments() {
        var e = assertThrows(IllegalArgumentException.class, () -> new StochasticDepth(1.5, "row"));
        assertTrue(e.getMessage().contains("between 0 and 1, but got 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new StochasticDepth(0.1, "col"));
        assertTrue(e.getMessage().contains("'batch' or 'row', but got col"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.stochasticDepth(Torch.ones(2), -0.1, "row", true));
        assertTrue(e.getMessage().contains("stochastic_depth"), e.getMessage());
    }
}
